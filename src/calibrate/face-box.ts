import { rint } from "../shape/numeric.js";
import { type Shape, faceSize, shapeBounds } from "../shape/shape.js";
import { CALIBRATION } from "./constants.js";

/** Rule 1: `int(rint(mean(face sizes)))`. */
export function stableFaceSize(shapes: Iterable<Shape>): number {
  return rint(meanFaceSize(shapes));
}

/** The mean of the shapes' face sizes (rule 1 before rounding). */
export function meanFaceSize(shapes: Iterable<Shape>): number {
  let sum = 0;
  let count = 0;
  for (const shape of shapes) {
    sum += faceSize(shape);
    count++;
  }
  if (count === 0) throw new Error("no shape to take a stable face size from");
  return sum / count;
}

export interface FaceBox {
  x1: number;
  y1: number;
  /** Side of the square box in frame pixels; 0 means the frame is dropped (rule 2.7). */
  size: number;
}

export type Center = readonly [number, number];

/**
 * Rule 2: the square box the crop is cut from. `prevCenter` is the center used for the previous frame
 * (null for the first); the returned `center` is what the next frame compares against.
 */
export function faceBox(
  shape: Shape,
  stableSize: number,
  prevCenter: Center | null,
  frameWidth: number,
  frameHeight: number,
): { box: FaceBox; center: Center } {
  const b = shapeBounds(shape);
  let center: Center = [Math.floor((b.xMin + b.xMax) / 2), Math.floor((b.yMin + b.yMax) / 2)];
  if (prevCenter && Math.hypot(center[0] - prevCenter[0], center[1] - prevCenter[1]) < CALIBRATION.centerShiftThreshold) {
    center = prevCenter;
  }
  let size = Math.trunc(stableSize * CALIBRATION.boxScale);
  size = Math.floor(size / 2) * 2;
  const x1 = Math.max(center[0] - size / 2, 0);
  const y1 = Math.max(center[1] - size / 2, 0);
  size = Math.min(frameWidth - x1, size);
  size = Math.min(frameHeight - y1, size);
  return { box: { x1: Math.trunc(x1), y1: Math.trunc(y1), size: Math.trunc(size) }, center };
}
