import type { PyramidLevel } from "./pyramid.js";

/**
 * OpenCV's calcScharrDeriv (lkpyramid.cpp) over the pixels x0..x1-1 of rows y0..y1-1 of one pyramid level:
 * for every element (pixel × channel) the pair Ix = [-1 0 1]ᵀ⊗[3 10 3], Iy = [3 10 3]ᵀ⊗[-1 0 1] with
 * REFLECT_101 borders, written interleaved into `out`, which has the level's padded layout with two int16
 * per element. The padding of `out` is never written (zero): OpenCV pads the derivatives with BORDER_CONSTANT.
 *
 * The level's own padding is REFLECT_101 of the same image, so the neighbour rows and columns the kernel
 * needs at the image edges are read straight from it (calcScharrDeriv reflects explicitly; same values).
 */
export function scharrRegion(level: PyramidLevel, cn: number, out: Int16Array, x0: number, y0: number, x1: number, y1: number): void {
  const { stride, origin, data } = level;
  const first = x0 * cn;
  const last = x1 * cn;
  for (let y = y0; y < y1; y++) {
    const row = origin + y * stride;
    let o = 2 * (row + first);
    for (let e = first; e < last; e++, o += 2) {
      const m = row + e;
      const up = m - stride;
      const down = m + stride;
      // vertical [3 10 3] then horizontal difference, and vertical difference then horizontal [3 10 3]
      const smoothLeft = 3 * (data[up - cn]! + data[down - cn]!) + 10 * data[m - cn]!;
      const smoothRight = 3 * (data[up + cn]! + data[down + cn]!) + 10 * data[m + cn]!;
      out[o] = smoothRight - smoothLeft;
      out[o + 1] = 3 * (data[down - cn]! - data[up - cn]! + data[down + cn]! - data[up + cn]!) + 10 * (data[down]! - data[up]!);
    }
  }
}
