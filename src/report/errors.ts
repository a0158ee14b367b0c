import { LrnetDataError } from "../errors.js";
/** The report cannot be made: one line naming the file (no manifest, an unwritable page). */
export class ReportError extends LrnetDataError {}
