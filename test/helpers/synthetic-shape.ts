import { POINT_COUNT, type Shape, createShape } from "../../src/shape/shape.js";

/**
 * A face-like shape: 68 points spread deterministically over a square of side `size` centred on (cx, cy),
 * with the bounding box exactly `size` wide and high.
 */
export function squareShape(cx: number, cy: number, size: number): Shape {
  const shape = createShape();
  for (let p = 0; p < POINT_COUNT; p++) {
    const u = (p % 9) / 8;
    const v = Math.floor(p / 9) / 7;
    shape[2 * p] = cx - size / 2 + u * size;
    shape[2 * p + 1] = cy - size / 2 + v * size;
  }
  return shape;
}
