import type { GuardedFrame } from "../guard/guard.js";
import { type Shape, faceSize, shapeBounds } from "../shape/shape.js";
import type { CropRegion } from "../video/types.js";
import { CALIBRATION } from "./constants.js";
import { type Center, type FaceBox, faceBox } from "./face-box.js";

/** Region corners are multiples of this: the chroma grid and swscale's dither pattern (8×8) stay in phase. */
const ALIGN = 16;

/**
 * Rule 2 replayed over a plan exactly as calibrateFrames runs the calibrator: each planned frame's face box
 * (null for a frame without a shape, and after such a frame the next box starts without a held center, as
 * the calibrator does).
 */
export function* planBoxes(plan: readonly GuardedFrame[], stableSize: number, width: number, height: number): Generator<FaceBox | null> {
  let prevCenter: Center | null = null;
  for (const step of plan) {
    if (step.shape === null) {
      prevCenter = null;
      yield null;
      continue;
    }
    const { box, center } = faceBox(step.shape, stableSize, prevCenter, width, height);
    prevCenter = center;
    yield box;
  }
}

/**
 * The part of the frames calibration reads: the union of every face box the calibrator will cut (rule 2,
 * replayed over the plan exactly as StreamingCalibrator computes the boxes), widened to ALIGN-aligned
 * corners and an even size. Decoding only this region (ffmpeg's crop before the pixel-format conversion)
 * gives the same bytes there as decoding whole frames, for much less conversion and pipe traffic when the
 * face is small in the picture. Null when the region would be (nearly) the whole frame or cannot be aligned.
 */
export function calibrationRegion(plan: readonly GuardedFrame[], stableSize: number, width: number, height: number): CropRegion | null {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const box of planBoxes(plan, stableSize, width, height)) {
    if (box === null || box.size <= 0) continue;
    x0 = Math.min(x0, box.x1);
    y0 = Math.min(y0, box.y1);
    x1 = Math.max(x1, box.x1 + box.size);
    y1 = Math.max(y1, box.y1 + box.size);
  }
  if (x1 <= x0 || y1 <= y0) return null;
  const x = Math.floor(x0 / ALIGN) * ALIGN;
  const y = Math.floor(y0 / ALIGN) * ALIGN;
  const right = Math.min(width, Math.ceil(x1 / 2) * 2);
  const bottom = Math.min(height, Math.ceil(y1 / 2) * 2);
  const region = { x, y, width: right - x, height: bottom - y };
  if (region.width % 2 !== 0 || region.height % 2 !== 0) return null;
  if (region.width * region.height > 0.8 * width * height) return null;
  return region;
}

/**
 * Whether every face box the calibrator will cut (planBoxes) lies inside its own frame's region: then the
 * regions kept during detection (RegionPicker) are all calibration needs, and the video is not decoded again.
 */
export function regionsCoverPlan(
  plan: readonly GuardedFrame[],
  stableSize: number,
  width: number,
  height: number,
  regions: readonly (CropRegion | null)[],
): boolean {
  let index = 0;
  for (const box of planBoxes(plan, stableSize, width, height)) {
    const region = regions[index++];
    if (box === null || box.size <= 0) continue;
    if (!region) return false;
    if (box.x1 < region.x || box.y1 < region.y || box.x1 + box.size > region.x + region.width || box.y1 + box.size > region.y + region.height) return false;
  }
  return true;
}

/**
 * How much wider than the calibrator's box (1.2 × the face size) a kept region is: the box's side is 1.2 ×
 * the mean face size of the whole video, not yet known while detecting, so the region is sized from the
 * larger of this face and the mean so far, with room for the video's mean to come out 25 % larger.
 */
const REGION_MARGIN = 1.25;
/** Pixels added to each side: the held center (rule 2) may sit up to 1.42 px from this frame's own. */
const REGION_SLACK = 4;

/**
 * Picks, frame by frame during detection, the part of each frame calibration will probably read: a square
 * around the detected face (see REGION_MARGIN), joined with the previous frame's region so that a frame the
 * guard holds on the previous face (a missed or rejected detection) is covered too; a frame without a face
 * keeps the previous region. regionsCoverPlan checks the guess once the plan is known.
 */
export class RegionPicker {
  private sizeSum = 0;
  private sizeCount = 0;
  private previous: CropRegion | null = null;

  constructor(
    private readonly width: number,
    private readonly height: number,
  ) {}

  next(shape: Shape | null): CropRegion | null {
    if (shape === null) return this.previous;
    const size = faceSize(shape);
    this.sizeSum += size;
    this.sizeCount++;
    const side = Math.ceil(Math.max(size, this.sizeSum / this.sizeCount) * CALIBRATION.boxScale * REGION_MARGIN) + 2 * REGION_SLACK;
    const b = shapeBounds(shape);
    const around = this.square((b.xMin + b.xMax) / 2, (b.yMin + b.yMax) / 2, side);
    const region = this.previous && around ? union(around, this.previous) : around;
    // The previous face's own square, not the union: regions must not grow from frame to frame.
    this.previous = around ?? this.previous;
    return region;
  }

  /** The square of `side` centred on (cx, cy), clipped to the frame; null when nothing of it is inside. */
  private square(cx: number, cy: number, side: number): CropRegion | null {
    const x0 = Math.max(0, Math.floor(cx - side / 2));
    const y0 = Math.max(0, Math.floor(cy - side / 2));
    const x1 = Math.min(this.width, Math.ceil(cx + side / 2));
    const y1 = Math.min(this.height, Math.ceil(cy + side / 2));
    return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
  }
}

function union(a: CropRegion, b: CropRegion): CropRegion {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}
