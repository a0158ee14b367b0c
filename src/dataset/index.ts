/** The dataset side of `lrnet-data build`: layouts, Parquet parts, the manifest and the crash-safe store. */
export * from "./types.js";
export * from "./errors.js";
export { loadLayout, compileLayout, availableLayouts, type Layout, type LayoutDeclaration } from "./layout-spec.js";
export { discoverVideos, type LayoutOptions, type LayoutResult } from "./layout.js";
export { checkVideoRows, rowCount, type RowVideo, type VideoRows } from "./video-rows.js";
export { PARQUET_COLUMNS, arrowSchema } from "./parquet-schema.js";
export { encodeParquet, buildArrowTable, type EncodedParquet, type ParquetEncodeOptions, type VideoRowRange } from "./parquet-encode.js";
export { PartWriter, encodePart, type EncodedPart, type PartWriterOptions } from "./parquet-writer.js";
export { DATA_DIR, partitionDir, splitGlob } from "./partition.js";
export * from "./manifest.js";
export { landmarkJitter } from "./jitter.js";
export { canonicalJson, configurationFingerprint } from "./fingerprint.js";
export { DatasetStore, findCommittedVideos, readManifest, type CommittedState, type OpenStoreOptions, type ResumeReport } from "./store.js";
export { hashFile, writeFileDurably } from "../io/durable-fs.js";
export { readToolInfo, type ToolInfo } from "./package-files.js";
export { syntheticVideoRows } from "./synthetic.js";
