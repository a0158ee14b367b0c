import type { YuvLayout, YuvMatrix } from "./yuv-layout.js";

/** Pixel layouts the decoder can stream. BGR24 is the reference's byte order (OpenCV); RGBA feeds MediaPipe. */
export type PixelFormat = "bgr24" | "rgba";

export interface FfmpegBinary {
  /** Absolute path of the ffmpeg executable. */
  path: string;
  /** Where it was found: FFMPEG_PATH, ffmpeg-static, PATH or @ffmpeg-installer/ffmpeg. */
  source: "FFMPEG_PATH" | "ffmpeg-static" | "PATH" | "@ffmpeg-installer/ffmpeg";
  /** First line of `ffmpeg -version`, e.g. "ffmpeg version 4.1 …". */
  version: string;
}

export interface VideoInfo {
  path: string;
  width: number;
  height: number;
  /** Frames per second as a number (e.g. 29.97). */
  fps: number;
  /** Number of decodable frames. */
  frameCount: number;
  codec: string;
  /** The decoder's pixel format (e.g. "yuv420p"), null when ffmpeg did not print it; absent in hand-made infos. */
  pixelFormat?: string | null;
  /** Its colour range and matrix tags (see input-header.ts); absent or null when untagged. */
  colorRange?: "tv" | "pc" | null;
  colorSpace?: string | null;
  /** The ffmpeg that probed (and will decode) the file. */
  decoder: FfmpegBinary;
}

/** A rectangle of the decoded picture, in pixels. */
export interface CropRegion {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Frame {
  /** 0-based index of the frame in decode order. */
  index: number;
  width: number;
  height: number;
  /** The decoder's planar YUV bytes (ffmpeg rawvideo) when asked for with DecodeOptions.planar. */
  format: PixelFormat | YuvLayout;
  /** The colour matrix ffmpeg would convert planar YUV frames with (set with a YuvLayout format). */
  matrix?: YuvMatrix;
  /** width × height × (3 | 4) bytes, row-major, no padding (planar YUV: see planeSizes). Owned by the consumer. */
  data: Uint8Array;
  /**
   * Presentation time in seconds from the stream's start (the frame's own pts), when decoded with
   * `timestamps`; absent otherwise, or when the file gives the frame no pts.
   */
  timeS?: number;
  /** Set when only a region was decoded (DecodeOptions.crop): where it lies in the whole picture, and its size. */
  region?: CropRegion & { pictureWidth: number; pictureHeight: number };
}
