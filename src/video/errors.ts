import { LrnetDataError } from "../errors.js";
/** No usable ffmpeg executable (or FFMPEG_PATH names one that does not work). */
export class FfmpegNotFoundError extends LrnetDataError {}

/** The input cannot be used as a video at all: missing, unreadable by ffmpeg, or without a video stream. */
export class VideoInputError extends LrnetDataError {
  constructor(
    /** The path as the caller gave it. */
    readonly file: string,
    /** Why, without the file name (e.g. "no video stream"). */
    readonly reason: string,
    message: string = `${file}: ${reason}`,
  ) {
    super(message);
  }

  static notFound(file: string): VideoInputError {
    return new VideoInputError(file, "not found", `video not found: ${file}`);
  }
}

/** Decoding started but did not deliver every frame cleanly (truncated or corrupt file, ffmpeg failure). */
export class VideoDecodeError extends LrnetDataError {
  constructor(
    readonly file: string,
    /** Index of the last frame delivered before the failure, -1 when none was. */
    readonly lastGoodFrame: number,
    /** Frames the probe announced, when known. */
    readonly expectedFrames: number | null,
    readonly reason: string,
  ) {
    const where = lastGoodFrame >= 0 ? `after frame ${lastGoodFrame}` : "before the first frame";
    const of = expectedFrames === null ? "" : ` of ${expectedFrames}`;
    super(`${file}: decoding stopped ${where}${of}: ${reason}`);
  }
}
