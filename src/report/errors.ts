/** The report cannot be made: one line naming the file (no manifest, an unwritable page). */
export class ReportError extends Error {
  override readonly name = "ReportError";
}
