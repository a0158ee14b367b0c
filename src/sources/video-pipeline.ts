import { calibrateFrames, meanSizeOf, stableSizeOf } from "../calibrate/calibrate-frames.js";
import { normaliseTrack } from "../calibrate/calibrator.js";
import type { FaceBox } from "../calibrate/face-box.js";
import { type OutputBox, exactFaceBox, normaliseTrackIn } from "../calibrate/output-box.js";
import { type Detection, type FrameStatus, type GuardedFrame, guardSequence } from "../guard/guard.js";
import { DEFAULT_FACE_CHOICE, type FaceChoice, FaceFollower } from "../shape/face-follower.js";
import type { Shape } from "../shape/shape.js";
import { RegionPicker, calibrationRegion, regionsCoverPlan } from "../calibrate/face-region.js";
import { decodeFramesAhead } from "../video/read-ahead.js";
import { RegionSpool } from "../video/region-spool.js";
import { YuvConverter } from "../video/yuv-convert.js";
import { yuvLayoutOf } from "../video/yuv-layout.js";
import type { Frame, VideoInfo } from "../video/types.js";
import type { LandmarkSource, SourceVideo } from "./landmark-source.js";
import { ibugMapper } from "./to-ibug68.js";

/** One video frame after detection, guard and calibration: everything a dataset row or a text line needs. */
export interface PipelineFrame {
  index: number;
  /** Presentation time in seconds from the stream's start (its pts: right for variable frame rates too). */
  timeS: number;
  status: FrameStatus;
  /** The source's 68 points in frame pixels (the followed face), null when nothing was detected. */
  raw: Shape | null;
  score: number;
  /** Calibrated landmarks in LRNet's normalised units (relative to the output box), null when skipped or the face box had no area. */
  calibrated: Float64Array | null;
  /** The calibrated track in 400×400 crop pixels and the face box it is relative to (see trackToFrame), null when `calibrated` is. */
  track: Int32Array | null;
  box: FaceBox | null;
  /** The BGR24 frame (only the region the face boxes cover unless wholeFrames: see frame.region), valid until the next one is pulled. */
  frame: Frame;
}

export interface PipelineProgress {
  pass: "detect" | "calibrate";
  frame: number;
  frames: number;
}

export interface PipelineOptions {
  /** The video file's precomputed landmark file, when the caller matched one (build `--openface DIR`). */
  landmarkFile?: string | null;
  /** Which face is followed (default: the largest at the first frame with a face, then the nearest). */
  choice?: FaceChoice;
  /** Maps a source's points to the 68 iBUG points (default: toIbug68 for the source's layout). */
  toIbug?: (points: Float64Array) => Shape;
  onProgress?: (p: PipelineProgress) => void;
  /**
   * Decode whole frames in the calibration pass (to draw on them). By default only the region the face boxes
   * cover is decoded (calibrationRegion): the same calibration, less conversion and copying.
   */
  wholeFrames?: boolean;
  /**
   * The box the calibrated points are written relative to (see output-box.ts). Default: the source's
   * `outputBox`, else "exact".
   */
  outputBox?: OutputBox;
  /**
   * For sources that read decoded frames: keep the part of each frame around the face during detection (a
   * temporary file, see region-spool.ts) and calibrate from it, instead of decoding the video a second time.
   * Default true (false with wholeFrames); the video is decoded again when the kept parts miss a face box.
   */
  spool?: boolean;
}

export type PipelineOutcome =
  | {
      kind: "frames";
      /** Rule 1's stable face size (over the frames the guard kept). */
      stableSize: number;
      /** The box the calibrated points are relative to. */
      outputBox: OutputBox;
      /** Where calibration reads its pixels: the regions kept during detection, or a second decode. */
      calibrationInput: "kept-regions" | "second-decode";
      frames: AsyncGenerator<PipelineFrame>;
    }
  /** No frame had a usable face: a result to report, not an error. */
  | { kind: "no-face"; detections: Detection[] };

/**
 * The one per-video pipeline of extract, calibrate and build: the source's detections for every frame (one
 * face followed, mapped to 68 points; RGBA frames decoded only for sources that need them), the source's guard,
 * then calibrate, streaming one frame at a time: from the face regions kept during detection (a temporary file,
 * see `spool`), or by decoding again to BGR24 when there were none or they miss a face box. Holds only 68-point
 * shapes in memory.
 */
export async function runVideoPipeline(
  info: VideoInfo,
  source: LandmarkSource,
  options: PipelineOptions = {},
): Promise<PipelineOutcome> {
  const spool = source.input === "rgba" && !options.wholeFrames && options.spool !== false ? new RegionSpool(info) : null;
  try {
    const detections = await detectVideo(info, source, options, spool);
    const plan: GuardedFrame[] =
      source.guard === null
        ? detections.map((d) => (d.shape === null ? { status: "skipped", shape: null } : { status: "detected", shape: d.shape }))
        : guardSequence(detections, source.guard);
    if (plan.every((f) => f.shape === null)) {
      spool?.close();
      return { kind: "no-face", detections };
    }
    const stableSize = stableSizeOf(plan);
    const outputBox = options.outputBox ?? source.outputBox ?? "exact";
    const kept = spool !== null && spool.failure === null && spool.frameCount === plan.length && regionsCoverPlan(plan, stableSize, info.width, info.height, spool.regions());
    if (spool !== null && !kept) spool.close();
    const { onProgress, wholeFrames } = options;
    const frames = calibrateDetections(info, detections, plan, stableSize, {
      outputBox,
      ...(onProgress ? { onProgress } : {}),
      ...(wholeFrames === undefined ? {} : { wholeFrames }),
      ...(kept ? { spool } : {}),
    });
    return { kind: "frames", stableSize, outputBox, calibrationInput: kept ? "kept-regions" : "second-decode", frames };
  } catch (error) {
    spool?.close();
    throw error;
  }
}

/**
 * Detection pass: one Detection per video frame, in order. Several faces: the follower keeps one face
 * (by default the largest at the first detection, then the nearest); the source is told which.
 */
export async function detectVideo(
  info: VideoInfo,
  source: LandmarkSource,
  options: PipelineOptions = {},
  spool: RegionSpool | null = null,
): Promise<Detection[]> {
  const video: SourceVideo = {
    path: info.path,
    width: info.width,
    height: info.height,
    fps: info.fps,
    frameCount: info.frameCount,
    ...(options.landmarkFile === undefined ? {} : { landmarkFile: options.landmarkFile }),
    ...(options.choice === undefined ? {} : { choice: options.choice }),
  };
  const toIbug = options.toIbug ?? ibugMapper(source.points, source.pointMap, info.path);
  const landmarks = await source.open(video);
  const follower = new FaceFollower(options.choice ?? DEFAULT_FACE_CHOICE);
  const detections: Detection[] = [];
  const frames = info.frameCount;
  const detect = async (index: number, frame?: Frame): Promise<void> => {
    const faces = await landmarks.detect(index, frame);
    const shapes = faces.map((face) => toIbug(face.points));
    const chosen = follower.choose(shapes, info);
    landmarks.follow?.(chosen < 0 ? null : faces[chosen]!);
    detections[index] = chosen < 0 ? { shape: null, score: 0 } : { shape: shapes[chosen]!, score: faces[chosen]!.score };
  };
  try {
    if (source.input === "rgba") {
      const picker = spool ? new RegionPicker(info.width, info.height) : null;
      const threads = detectionDecodeThreads(info);
      const decoded = decodeFramesAhead(info.path, {
        format: "rgba", info, planar: true,
        ...(spool ? { timestamps: true } : {}),
        ...(threads === undefined ? {} : { threads }),
      });
      // Planar frames are converted here, into memory the landmarker reads straight from (no copy out).
      const converter = new YuvConverter();
      for await (const frame of decoded) {
        const layout = yuvLayoutOf(frame.format);
        const rgba = layout === undefined ? frame : { ...frame, format: "rgba" as const, data: converter.rgbaView(frame.data, frame.width, frame.height, layout, frame.matrix) };
        await detect(frame.index, rgba);
        if (spool && picker) spool.add(frame, picker.next(detections[frame.index]!.shape));
        options.onProgress?.({ pass: "detect", frame: frame.index, frames });
      }
    } else {
      for (let index = 0; index < frames; index++) await detect(index);
    }
  } finally {
    landmarks.close?.();
  }
  return detections;
}

/**
 * Decoder threads for the detection pass. Detection takes about 12 ms a frame, and one thread decodes H.264 up
 * to 1080p faster than that in a process of its own, so it never waits on ffmpeg; frame threads would only add
 * CPU time (≈ 25 % more at 720p) for the same wall time. Bigger frames keep ffmpeg's own choice.
 */
export function detectionDecodeThreads(info: Pick<VideoInfo, "width" | "height">): number | undefined {
  return info.width * info.height <= 1920 * 1088 ? 1 : undefined;
}

/**
 * The calibration pass: streams each frame with its detection, the guard's decision and the calibrated
 * landmarks, reading the frames from `spool` (the parts kept during detection; closed when done) or else
 * decoding the video to BGR24 once more. `detections` and `plan` hold one entry per video frame; at least one
 * planned frame has a shape.
 */
export async function* calibrateDetections(
  info: VideoInfo,
  detections: readonly Detection[],
  plan: readonly GuardedFrame[],
  stableSize: number = stableSizeOf(plan),
  options: Pick<PipelineOptions, "onProgress" | "wholeFrames" | "outputBox"> & { spool?: RegionSpool } = {},
): AsyncGenerator<PipelineFrame> {
  try {
    yield* calibrateFrom(info, detections, plan, stableSize, options);
  } finally {
    options.spool?.close();
  }
}

async function* calibrateFrom(
  info: VideoInfo,
  detections: readonly Detection[],
  plan: readonly GuardedFrame[],
  stableSize: number,
  options: Pick<PipelineOptions, "onProgress" | "wholeFrames" | "outputBox"> & { spool?: RegionSpool },
): AsyncGenerator<PipelineFrame> {
  const { onProgress } = options;
  const meanSize = options.outputBox === "exact" ? meanSizeOf(plan) : null;
  const frames = info.frameCount;
  const region = options.wholeFrames || options.spool ? null : calibrationRegion(plan, stableSize, info.width, info.height);
  const decoded = options.spool
    ? options.spool.frames()
    : decodeFramesAhead(info.path, { format: "bgr24", info, timestamps: true, ...(region ? { crop: region } : {}) });
  for await (const step of calibrateFrames(decoded, plan, stableSize)) {
    const detection = detections[step.index]!;
    onProgress?.({ pass: "calibrate", frame: step.index, frames });
    yield {
      index: step.index,
      // The frame's own presentation time; index ÷ average rate only when the file gives it no pts.
      timeS: step.frame.timeS ?? step.index / info.fps,
      status: step.status,
      raw: detection.shape,
      score: detection.score,
      calibrated:
        step.track && step.box && step.shape && meanSize !== null
          ? normaliseTrackIn(step.track, step.box, exactFaceBox(step.shape, meanSize))
          : step.track && normaliseTrack(step.track),
      track: step.track,
      box: step.box,
      frame: step.frame,
    };
  }
}
