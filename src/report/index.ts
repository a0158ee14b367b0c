/** `lrnet-data report`: one self-contained HTML page describing a built dataset. */
export { buildReport, writeReport, type ReportOptions } from "./build-report.js";
export { ReportError } from "./errors.js";
