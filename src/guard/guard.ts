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
 * - `skipped`: the detection failed before the first good frame; the frame has no shape and no output row.
 */
export type FrameStatus = "detected" | "held" | "rejected" | "skipped";

export const FRAME_STATUSES: readonly FrameStatus[] = ["detected", "held", "rejected", "skipped"];

export interface GuardedFrame {
  status: FrameStatus;
  /** The shape the calibrator uses for this frame; null only when skipped. */
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
}

export const LRNET_JUMP_LIMITS = { maxCenterShift: 0.5, minSizeRatio: 0.7, maxSizeRatio: 1.3 } as const;

/** Applies the guard one frame at a time, so that detection can stream. */
export class SequenceGuard {
  private previous: Shape | null = null;

  constructor(private readonly settings: GuardSettings) {}

  push(detection: Detection): GuardedFrame {
    const failed = detection.shape === null || !(detection.score >= this.settings.minScore);
    if (this.previous === null) {
      if (failed) return { status: "skipped", shape: null };
      this.previous = detection.shape;
      return { status: "detected", shape: detection.shape };
    }
    if (failed) return { status: "held", shape: this.previous };
    const current = detection.shape!;
    if (this.jumped(this.previous, current)) return { status: "rejected", shape: this.previous };
    this.previous = current;
    return { status: "detected", shape: current };
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
  const counts: StatusCounts = { detected: 0, held: 0, rejected: 0, skipped: 0 };
  for (const f of frames) counts[f.status]++;
  return counts;
}
