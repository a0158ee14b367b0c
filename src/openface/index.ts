export { OpenFaceCsvError } from "./errors.js";
export type { FrameObservation, OpenFaceRow, OpenFaceTable } from "./types.js";
export { parseOpenFaceCsv } from "./parse-csv.js";
export { alignToFrames, shapesInFileOrder, type AlignOptions } from "./align.js";
