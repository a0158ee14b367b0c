/** An export cannot be made: one line naming the file or video (unreadable dataset, layout clash, target not empty). */
export class ExportError extends Error {
  override readonly name = "ExportError";
}
