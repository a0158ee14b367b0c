import { calibrateFrames, stableSizeOf } from "../calibrate/calibrate-frames.js";
import { normaliseTrack } from "../calibrate/calibrator.js";
import type { FaceBox } from "../calibrate/face-box.js";
import { type Detection, type FrameStatus, type GuardedFrame, type GuardSettings, guardSequence } from "../guard/guard.js";
import type { Shape } from "../shape/shape.js";
import { decodeFramesAhead } from "../video/read-ahead.js";
import { calibrationRegion } from "../calibrate/face-region.js";
import type { Frame, VideoInfo } from "../video/types.js";
import { type FaceDetector, detectSequence } from "./detect-sequence.js";
import type { MeshMapping } from "./mesh-to-ibug.js";

export interface ExtractSettings {
  mapping: MeshMapping;
  guard: GuardSettings;
}

/** One video frame after detection, guard and calibration: everything a dataset row needs. */
export interface ExtractedFrame {
  index: number;
  timeS: number;
  status: FrameStatus;
  /** The detector's 68 points in frame pixels (the followed face), null when nothing was detected. */
  raw: Shape | null;
  score: number;
  /** Calibrated landmarks in LRNet's normalised units, null when skipped or the face box had no area. */
  calibrated: Float64Array | null;
  /** The calibrated track in 400×400 crop pixels and the face box it is relative to (see trackToFrame), null when `calibrated` is. */
  track: Int32Array | null;
  box: FaceBox | null;
  /** The BGR24 frame (only the region the face boxes cover unless wholeFrames: see frame.region), valid until the next one is pulled. */
  frame: Frame;
}

export interface ExtractProgress {
  pass: "detect" | "calibrate";
  frame: number;
  frames: number;
}

export type ExtractOutcome =
  | { kind: "frames"; frames: AsyncGenerator<ExtractedFrame> }
  /** No frame had a usable face: a result to report, not an error. */
  | { kind: "no-face"; detections: Detection[] };

/**
 * The extraction of one video: decode to RGBA and detect every frame (holding only 68-point shapes),
 * guard the sequence, then decode again to BGR24 and calibrate, streaming one frame at a time.
 */
export async function extractVideo(
  info: VideoInfo,
  detector: FaceDetector,
  settings: ExtractSettings,
  onProgress?: (p: ExtractProgress) => void,
  pass: CalibrationPassOptions = {},
): Promise<ExtractOutcome> {
  const frames = info.frameCount;
  const detections = await detectSequence(detector, decodeFramesAhead(info.path, { format: "rgba", info }), {
    mapping: settings.mapping,
    fps: info.fps,
    onFrame: (frame) => onProgress?.({ pass: "detect", frame, frames }),
  });
  const plan = guardSequence(detections, settings.guard);
  if (plan.every((f) => f.shape === null)) return { kind: "no-face", detections };
  return { kind: "frames", frames: calibrateDetections(info, detections, plan, onProgress, pass) };
}

export interface CalibrationPassOptions {
  /**
   * Decode whole frames (for drawing on them). By default only the region the face boxes cover is decoded
   * (calibrationRegion): the same calibration, less conversion and copying; `frame` then holds that region.
   */
  wholeFrames?: boolean;
}

/**
 * The calibration pass shared by every landmark source: decodes the video to BGR24 once more and streams each
 * frame with its detection, the guard's decision and the calibrated landmarks. `detections` and `plan` hold one
 * entry per video frame; at least one planned frame has a shape.
 */
export async function* calibrateDetections(
  info: VideoInfo,
  detections: readonly Detection[],
  plan: readonly GuardedFrame[],
  onProgress?: (p: ExtractProgress) => void,
  pass: CalibrationPassOptions = {},
): AsyncGenerator<ExtractedFrame> {
  const frames = info.frameCount;
  const stableSize = stableSizeOf(plan);
  const region = pass.wholeFrames ? null : calibrationRegion(plan, stableSize, info.width, info.height);
  const decoded = decodeFramesAhead(info.path, { format: "bgr24", info, ...(region ? { crop: region } : {}) });
  for await (const step of calibrateFrames(decoded, plan, stableSize)) {
    const detection = detections[step.index]!;
    onProgress?.({ pass: "calibrate", frame: step.index, frames });
    yield {
      index: step.index,
      timeS: step.index / info.fps,
      status: step.status,
      raw: detection.shape,
      score: detection.score,
      calibrated: step.track && normaliseTrack(step.track),
      track: step.track,
      box: step.box,
      frame: step.frame,
    };
  }
}
