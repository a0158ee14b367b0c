import { LrnetDataError } from "../errors.js";
/**
 * A problem with an OpenFace CSV that the user can fix (wrong file, truncated output, wrong video).
 * The message is one line, `FILE:LINE: reason` (or `FILE: reason` when no line applies).
 */
export class OpenFaceCsvError extends LrnetDataError {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly reason: string,
    message: string = line === null ? `${file}: ${reason}` : `${file}:${line}: ${reason}`,
  ) {
    super(message);
  }
}
