import { LrnetDataError } from "../errors.js";
/** An export cannot be made: one line naming the file or video (unreadable dataset, layout clash, target not empty). */
export class ExportError extends LrnetDataError {}
