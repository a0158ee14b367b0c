import { LrnetDataError } from "../../errors.js";

/**
 * A problem with a precomputed landmark file that the user can fix. The message is one line:
 * `FILE: reason`, `FILE: frame N: reason`, or `FILE:LINE: frame N: reason` for text formats.
 */
export class LandmarkFileError extends LrnetDataError {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly frame: number | null = null,
    readonly line: number | null = null,
  ) {
    super(`${file}${line === null ? "" : `:${line}`}: ${frame === null ? "" : `frame ${frame}: `}${reason}`);
  }
}
