import type { GuardedFrame } from "../guard/guard.js";
import type { CropRegion } from "../video/types.js";
import { type Center, faceBox } from "./face-box.js";

/** Region corners are multiples of this: the chroma grid and swscale's dither pattern (8×8) stay in phase. */
const ALIGN = 16;

/**
 * The part of the frames calibration reads: the union of every face box the calibrator will cut (rule 2,
 * replayed over the plan exactly as StreamingCalibrator computes the boxes), widened to ALIGN-aligned
 * corners and an even size. Decoding only this region (ffmpeg's crop before the pixel-format conversion)
 * gives the same bytes there as decoding whole frames, for much less conversion and pipe traffic when the
 * face is small in the picture. Null when the region would be (nearly) the whole frame or cannot be aligned.
 */
export function calibrationRegion(plan: readonly GuardedFrame[], stableSize: number, width: number, height: number): CropRegion | null {
  let prevCenter: Center | null = null;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const step of plan) {
    if (step.shape === null) continue;
    const { box, center } = faceBox(step.shape, stableSize, prevCenter, width, height);
    prevCenter = center;
    if (box.size <= 0) continue;
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
