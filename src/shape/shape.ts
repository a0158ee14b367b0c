/** Number of points in the iBUG / dlib 68-point layout that LRNet uses. */
export const POINT_COUNT = 68;
/** Values per shape: x0 y0 x1 y1 … x67 y67. */
export const SHAPE_VALUES = POINT_COUNT * 2;

/**
 * A face shape: 68 points in full-frame pixels, interleaved as x0 y0 x1 y1 … x67 y67.
 * Float64 so that OpenFace's float pixels and the reference's float arithmetic are kept exactly.
 */
export type Shape = Float64Array;

export function createShape(): Shape {
  return new Float64Array(SHAPE_VALUES);
}

export function shapeFromPoints(xs: ArrayLike<number>, ys: ArrayLike<number>): Shape {
  if (xs.length !== POINT_COUNT || ys.length !== POINT_COUNT) {
    throw new Error(`a shape needs ${POINT_COUNT} x and y values, got ${xs.length} and ${ys.length}`);
  }
  const shape = createShape();
  for (let p = 0; p < POINT_COUNT; p++) {
    shape[2 * p] = xs[p]!;
    shape[2 * p + 1] = ys[p]!;
  }
  return shape;
}

export interface Bounds {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

export function shapeBounds(shape: Shape): Bounds {
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (let p = 0; p < POINT_COUNT; p++) {
    const x = shape[2 * p]!;
    const y = shape[2 * p + 1]!;
    if (x < xMin) xMin = x;
    if (x > xMax) xMax = x;
    if (y < yMin) yMin = y;
    if (y > yMax) yMax = y;
  }
  return { xMin, xMax, yMin, yMax };
}

/** Face size as LRNet defines it: the larger side of the points' bounding box. */
export function faceSize(shape: Shape): number {
  const b = shapeBounds(shape);
  return Math.max(b.xMax - b.xMin, b.yMax - b.yMin);
}

/** Mean of the 68 points. */
export function shapeCentroid(shape: Shape): [number, number] {
  let sx = 0;
  let sy = 0;
  for (let p = 0; p < POINT_COUNT; p++) {
    sx += shape[2 * p]!;
    sy += shape[2 * p + 1]!;
  }
  return [sx / POINT_COUNT, sy / POINT_COUNT];
}

/** Mean point-to-point distance between two shapes, in pixels. */
export function meanPointDistance(a: Shape, b: Shape): number {
  let sum = 0;
  for (let p = 0; p < POINT_COUNT; p++) {
    sum += Math.hypot(a[2 * p]! - b[2 * p]!, a[2 * p + 1]! - b[2 * p + 1]!);
  }
  return sum / POINT_COUNT;
}
