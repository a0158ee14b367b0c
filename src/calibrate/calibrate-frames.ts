import type { FrameStatus, GuardedFrame } from "../guard/guard.js";
import type { Shape } from "../shape/shape.js";
import type { Frame } from "../video/types.js";
import { StreamingCalibrator } from "./calibrator.js";
import { type FaceBox, meanFaceSize, stableFaceSize } from "./face-box.js";

export interface CalibratedFrame {
  index: number;
  status: FrameStatus;
  /** The shape the calibrator used (after the guard); null when skipped. */
  shape: Shape | null;
  /** The calibrated track in 400×400 crop pixels; null when skipped or when the face box had no area. */
  track: Int32Array | null;
  /** The face box the track is relative to; null when `track` is. */
  box: FaceBox | null;
  /** The decoded frame (valid until the next one is pulled): lets a consumer draw on it without decoding again. */
  frame: Frame;
}

/**
 * Rule 1 over the frames that have a shape. The reference takes every row (parity mode passes all of them);
 * the guarded mode passes only the kept frames, so failed detections cannot pull the size down.
 */
export function stableSizeOf(plan: readonly GuardedFrame[]): number {
  return stableFaceSize(plannedShapes(plan));
}

/** The mean face size over the same frames as stableSizeOf, unrounded (the exact output box's size). */
export function meanSizeOf(plan: readonly GuardedFrame[]): number {
  return meanFaceSize(plannedShapes(plan));
}

function plannedShapes(plan: readonly GuardedFrame[]): Shape[] {
  const shapes = plan.flatMap((f) => (f.shape === null ? [] : [f.shape]));
  if (shapes.length === 0) throw new Error("no frame has a shape: nothing to calibrate");
  return shapes;
}

/**
 * Streams decoded BGR24 frames through the calibrator following a per-frame plan (one entry per video frame).
 * Only the current frame and the previous crop are held.
 */
export async function* calibrateFrames(
  frames: AsyncIterable<Frame> | Iterable<Frame>,
  plan: readonly GuardedFrame[],
  stableSize: number,
): AsyncGenerator<CalibratedFrame> {
  let calibrator: StreamingCalibrator | null = null;
  try {
    for await (const frame of frames) {
      if (frame.format !== "bgr24") throw new Error(`calibration needs bgr24 frames, got ${frame.format}`);
      const step = plan[frame.index];
      if (step === undefined) {
        throw new Error(`frame ${frame.index} has no landmark entry (the plan covers ${plan.length} frames)`);
      }
      if (step.shape === null) {
        // After a lost face the next one starts a new track: no optical flow or Kalman state across the gap.
        calibrator?.close();
        calibrator = null;
        yield { index: frame.index, status: step.status, shape: null, track: null, box: null, frame };
        continue;
      }
      const picture = frame.region ? { width: frame.region.pictureWidth, height: frame.region.pictureHeight } : frame;
      calibrator ??= new StreamingCalibrator({ frameWidth: picture.width, frameHeight: picture.height, stableSize });
      const result = calibrator.push(frame.data, step.shape, frame.region);
      yield { index: frame.index, status: step.status, shape: step.shape, track: result?.track ?? null, box: result?.box ?? null, frame };
    }
  } finally {
    calibrator?.close();
  }
}
