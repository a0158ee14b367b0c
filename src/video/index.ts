export type { Frame, FfmpegBinary, PixelFormat, VideoInfo } from "./types.js";
export { FfmpegNotFoundError, VideoDecodeError, VideoInputError } from "./errors.js";
export { resolveFfmpeg } from "./ffmpeg.js";
export { probeVideo } from "./probe.js";
export { decodeFrames, frameChannels, type DecodeOptions } from "./decode.js";
