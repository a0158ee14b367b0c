/** Reading data files back, and `lrnet-data export`: LRNet's text layout. */
export { exportDataset, type ExportOptions, type ExportReport } from "./export-dataset.js";
export { exportLayoutFor, exportPathOf, flattenId, LRNET_FOLDER_OF_METHOD, LRNET_LEVEL_OF_COMPRESSION, type ExportLayout } from "./layout.js";
export { decodeDataFile, readFileHashed, compareSchema, type DataFileColumns, type DecodedDataFile, type DictionaryColumn, type ShapeColumn } from "./data-file.js";
export { formatLrnetLine, parseLrnetText } from "./lrnet-txt.js";
export { ExportError } from "./errors.js";
