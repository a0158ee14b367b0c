import { type Shape, faceSize, shapeCentroid } from "../shape/shape.js";

/** What the landmark source said about one frame. */
export interface Detection {
  /** The detected shape in frame pixels, or null when no face was found. */
  shape: Shape | null;
  /** Detection confidence in [0, 1]; 0 when no face was found. */
  score: number;
}

/**
 * What the guard made of a frame:
 * - `detected`: the detection is used as it is;
 * - `held`: the detection failed after the first good frame; the previous frame's shape is used;
 * - `rejected`: the detection jumped (position or size); the previous frame's shape is used;
 * - `skipped`: the detection failed before the first good frame; the frame has no shape and no output row;
 * - `lost`: the face has been missing (or jumping) for more than `maxHeld` frames in a row: the frame has no
 *   shape, and the next detection starts afresh (a new calibration segment, no jump test against the old face).
 */
export type FrameStatus = "detected" | "held" | "rejected" | "skipped" | "lost";

export const FRAME_STATUSES: readonly FrameStatus[] = ["detected", "held", "rejected", "skipped", "lost"];

export interface GuardedFrame {
  status: FrameStatus;
  /** The shape the calibrator uses for this frame; null only when skipped or lost. */
  shape: Shape | null;
}

/** The constants of ../shared/docs/lrnet-extraction.md, rules 1–2. Recorded in every manifest. */
export interface GuardSettings {
  /** A detection scoring below this counts as failed (LRNet: 0.1 for FAN; 0.7 for OpenFace's confidence here). */
  minScore: number;
  /** A jump: the centroid moved more than this share of the previous face size. */
  maxCenterShift: number;
  /** A jump: the face size shrank below this ratio of the previous one. */
  minSizeRatio: number;
  /** A jump: the face size grew above this ratio of the previous one. */
  maxSizeRatio: number;
  /** Most frames in a row held or rejected after a good one; the next failures are `lost` (default MAX_HELD_FRAMES). */
  maxHeld?: number;
}

/**
 * Held (or rejected) frames repeat the previous shape: no landmark motion at all. LRNet's classifier reads
 * 30-frame blocks of landmark motion, so a face that has left the frame must not become a still face inside a
 * block. 5 frames is a sixth of a block and 0.17–0.2 s at 25–30 fps: longer than the drop-outs a present face
 * has (a blink, motion blur, a hand passing: 1–3 frames), short enough that a block holds at most that much
 * stillness that never happened. After it the face is `lost` and training blocks are cut there.
 */
export const MAX_HELD_FRAMES = 5;

export const LRNET_JUMP_LIMITS = { maxCenterShift: 0.5, minSizeRatio: 0.7, maxSizeRatio: 1.3, maxHeld: MAX_HELD_FRAMES } as const;

/** Applies the guard one frame at a time, so that detection can stream. */
export class SequenceGuard {
  private previous: Shape | null = null;
  private seenFace = false;
  /** Frames held or rejected in a row since the last detected one. */
  private misses = 0;

  constructor(private readonly settings: GuardSettings) {}

  push(detection: Detection): GuardedFrame {
    const failed = detection.shape === null || !(detection.score >= this.settings.minScore);
    if (this.previous === null) {
      if (failed) return { status: this.seenFace ? "lost" : "skipped", shape: null };
      return this.accept(detection.shape!);
    }
    const current = detection.shape!;
    const status = failed ? "held" : this.jumped(this.previous, current) ? "rejected" : null;
    if (status === null) return this.accept(current);
    if (++this.misses > (this.settings.maxHeld ?? MAX_HELD_FRAMES)) {
      this.previous = null;
      return { status: "lost", shape: null };
    }
    return { status, shape: this.previous };
  }

  private accept(shape: Shape): GuardedFrame {
    this.previous = shape;
    this.seenFace = true;
    this.misses = 0;
    return { status: "detected", shape };
  }

  private jumped(prev: Shape, curr: Shape): boolean {
    const [px, py] = shapeCentroid(prev);
    const [cx, cy] = shapeCentroid(curr);
    const sizePrev = faceSize(prev);
    const sizeCurr = faceSize(curr);
    const { maxCenterShift, minSizeRatio, maxSizeRatio } = this.settings;
    return (
      Math.hypot(cx - px, cy - py) > maxCenterShift * sizePrev ||
      sizeCurr < minSizeRatio * sizePrev ||
      sizeCurr > maxSizeRatio * sizePrev
    );
  }
}

export function guardSequence(detections: Iterable<Detection>, settings: GuardSettings): GuardedFrame[] {
  const guard = new SequenceGuard(settings);
  const out: GuardedFrame[] = [];
  for (const d of detections) out.push(guard.push(d));
  return out;
}

export type StatusCounts = Record<FrameStatus, number>;

export function countStatuses(frames: Iterable<{ status: FrameStatus }>): StatusCounts {
  const counts: StatusCounts = { detected: 0, held: 0, rejected: 0, skipped: 0, lost: 0 };
  for (const f of frames) counts[f.status]++;
  return counts;
}
