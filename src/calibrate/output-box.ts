/**
 * The box the calibrated points are written relative to.
 *
 * - "lrnet": LRNet's own face box (rule 2), the one the crops were cut from: whole frame pixels, a centre that
 *   stays put until it moves 1.42 px, a side of `trunc(1.2 × rint(mean size))`, shrunk at the frame's right and
 *   bottom edges. Calibrating LRNet's own inputs (OpenFace CSVs, --parity) reproduces its output byte for byte.
 * - "exact": the same calibrated points (same crops, same optical flow and Kalman filter) re-expressed relative
 *   to an unrounded box: centred on the centre of the frame's shape, side 1.2 × the unrounded mean face size,
 *   never clamped. One frame pixel is 400 / side crop pixels (9 for a 36-px face), so LRNet's rounding moves the
 *   numbers of a small face by several crop pixels from frame to frame and between two sizes of the same clip;
 *   the exact box does not (`npm run bench -- small-faces`: the same face at 5 % and at full size agree within
 *   NME 0.012, against 0.076 with LRNet's box). Values are still whole crop pixels (multiples of 0.005).
 */
import { rint } from "../shape/numeric.js";
import { type Shape, shapeBounds } from "../shape/shape.js";
import { CALIBRATION } from "./constants.js";
import type { FaceBox } from "./face-box.js";

export type OutputBox = "lrnet" | "exact";

export const OUTPUT_BOXES: readonly OutputBox[] = ["lrnet", "exact"];

/** The exact box of a frame: unrounded centre of the shape's bounds, side `boxScale × meanSize`. */
export function exactFaceBox(shape: Shape, meanSize: number): FaceBox {
  const b = shapeBounds(shape);
  const size = CALIBRATION.boxScale * meanSize;
  return { x1: (b.xMin + b.xMax) / 2 - size / 2, y1: (b.yMin + b.yMax) / 2 - size / 2, size };
}

/**
 * A track in crop pixels of `box` (the box its crop was cut from), in LRNet's normalised units relative to
 * `target`: `(rint((x1 + t × size / 400 − target.x1) × 400 / target.size) − 200) / 200`.
 */
export function normaliseTrackIn(track: Int32Array, box: FaceBox, target: FaceBox): Float64Array {
  const side = CALIBRATION.cropSize;
  const half = side / 2;
  const toFrame = box.size / side;
  const toTarget = side / target.size;
  const out = new Float64Array(track.length);
  for (let i = 0; i < track.length; i += 2) {
    out[i] = (rint((box.x1 + track[i]! * toFrame - target.x1) * toTarget) - half) / half;
    out[i + 1] = (rint((box.y1 + track[i + 1]! * toFrame - target.y1) * toTarget) - half) / half;
  }
  return out;
}
