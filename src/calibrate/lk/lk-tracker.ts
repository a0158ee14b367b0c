import type { PyramidLevel } from "./pyramid.js";

/**
 * Which float32 summation order to reproduce. "sse2": OpenCV's CV_SIMD128 x86 path (the order of the native
 * OpenCV 4.6 wheel LRNet's golden files were made with). "scalar": the plain C++ loop (the order of
 * @techstark/opencv-js, built without SIMD).
 */
export type Accumulation = "sse2" | "scalar";

/** What one level of LKTrackerInvoker needs besides the images. */
export interface LevelTrackingParams {
  winSize: number;
  maxIterations: number;
  /** criteria.epsilon already squared, as a double (calc() squares it). */
  epsilonSquared: number;
  minEigThreshold: number;
  useInitialFlow: boolean;
  accumulation: Accumulation;
  /**
   * calc() with an `err` output and without OPTFLOW_LK_GET_MIN_EIGENVALS (cv2 and opencv-js both pass one)
   * clears the status of a point whose final position lies outside the image at level 0.
   */
  finalBoundsCheck: boolean;
}

/** Per-window buffers of one tracker, reused across points, levels and frames. */
export class LkWorkspace {
  iWin = new Int32Array(0);
  ixWin = new Int32Array(0);
  iyWin = new Int32Array(0);

  ensure(windowElements: number): void {
    if (this.iWin.length < windowElements) {
      this.iWin = new Int32Array(windowElements);
      this.ixWin = new Int32Array(windowElements);
      this.iyWin = new Int32Array(windowElements);
    }
  }
}

const f = Math.fround;
const W_BITS = 14;
const W_ONE = 1 << W_BITS;
const FLT_SCALE = 1 / (1 << 20);
const FLT_EPSILON = 1.1920928955078125e-7;

/** cvRound of a float on x86 (cvtss2si) and in wasm (lrint): round half to even. */
function roundHalfEven(v: number): number {
  const r = Math.round(v) | 0;
  return r - v === 0.5 && (r & 1) !== 0 ? r - 1 : r;
}

/**
 * One level of OpenCV 4.6's LKTrackerInvoker::operator() over all points: every float operation is a
 * float32 operation (Math.fround after each), integer window interpolation is exact. `prevPts` and
 * `nextPts` are x0 y0 x1 y1 … in level-0 pixels; `nextPts` holds the previous level's result (or the
 * initial flow at the top level) and receives this level's.
 *
 * In "sse2" mode the elements of a window row (winSize × channels of them) split into blocks of 8 handled
 * by the SIMD loop and a scalar tail. For the matrix A, lane k of the float32×4 accumulators sums the
 * elements e ≡ k (mod 4) of the blocks in order; the tail goes to a separate float; at the end
 * tail + ((l0 + l2) + (l1 + l3)). For the vector b, each block adds the exact integer sums
 * It[e]·I[e] + It[e+4]·I[e+4] (e = 0..3 of the block) converted to float32 to four x and four y lanes;
 * at the end tail + ((x0 + x2) + (x1 + x3)), the same for y.
 */
export function trackLevel(
  I: PyramidLevel,
  J: PyramidLevel,
  prevPts: Float32Array,
  nextPts: Float32Array,
  status: Uint8Array,
  pointCount: number,
  level: number,
  maxLevel: number,
  params: LevelTrackingParams,
  ws: LkWorkspace,
): void {
  const win = params.winSize;
  const cn = I.channels;
  const rowLen = win * cn;
  ws.ensure(win * rowLen);
  const { iWin, ixWin, iyWin } = ws;
  const blockEnd = params.accumulation === "sse2" ? (rowLen >> 3) << 3 : 0;
  const sse = params.accumulation === "sse2";

  const halfWin = f((win - 1) * 0.5);
  const levelScale = f(1 / (1 << level));
  const minEigThreshold = f(params.minEigThreshold);
  const eigDivisor = 2 * win * win;
  const maxIterations = params.maxIterations;
  const epsilonSquared = params.epsilonSquared;
  const width = I.width;
  const height = I.height;
  const img = I.data;
  const stepI = I.stride;
  const originI = I.origin;
  const dstep = 2 * stepI;
  const originD = 2 * originI;
  const cn2 = 2 * cn;
  const next = J.data;
  const stepJ = J.stride;
  const originJ = J.origin;

  for (let p = 0; p < pointCount; p++) {
    const ix = 2 * p;
    const iy = ix + 1;
    const prevX = f(prevPts[ix]! * levelScale);
    const prevY = f(prevPts[iy]! * levelScale);
    let nextX: number;
    let nextY: number;
    if (level === maxLevel) {
      if (params.useInitialFlow) {
        nextX = f(nextPts[ix]! * levelScale);
        nextY = f(nextPts[iy]! * levelScale);
      } else {
        nextX = prevX;
        nextY = prevY;
      }
    } else {
      nextX = f(nextPts[ix]! * 2);
      nextY = f(nextPts[iy]! * 2);
    }
    nextPts[ix] = nextX;
    nextPts[iy] = nextY;

    const px = f(prevX - halfWin);
    const py = f(prevY - halfWin);
    const fpx = Math.floor(px);
    const fpy = Math.floor(py);
    // Written so that NaN counts as outside, as cvFloor(NaN) = INT_MIN does.
    if (!(fpx >= -win && fpx < width && fpy >= -win && fpy < height)) {
      if (level === 0) status[p] = 0;
      continue;
    }
    const ipx = fpx | 0;
    const ipy = fpy | 0;

    let a = f(px - ipx);
    let b = f(py - ipy);
    let iw00 = roundHalfEven(f(f(1 - a) * f(1 - b)) * W_ONE);
    let iw01 = roundHalfEven(f(a * f(1 - b)) * W_ONE);
    let iw10 = roundHalfEven(f(f(1 - a) * b) * W_ONE);
    let iw11 = W_ONE - iw00 - iw01 - iw10;

    // Window of I and of its derivatives (exact integers), and the matrix A.
    let tail11 = 0;
    let tail12 = 0;
    let tail22 = 0;
    let q11a = 0, q11b = 0, q11c = 0, q11d = 0;
    let q12a = 0, q12b = 0, q12c = 0, q12d = 0;
    let q22a = 0, q22b = 0, q22c = 0, q22d = 0;
    I.ensureDerivatives(ipx, ipy, ipx + win, ipy + win);
    const derivI = I.derivatives;
    // An integer position (every forward-pass window at level 0, as the calibrator's track is integer)
    // has weights (16384, 0, 0, 0): the interpolation reduces to exact scaling.
    const integral = iw01 === 0 && iw10 === 0 && iw11 === 0;
    for (let y = 0; y < win; y++) {
      const src = originI + (y + ipy) * stepI + ipx * cn;
      let d = originD + (y + ipy) * dstep + ipx * cn2;
      const row = y * rowLen;
      if (integral) {
        for (let e = 0; e < rowLen; e++, d += 2) {
          iWin[row + e] = img[src + e]! << 5;
          ixWin[row + e] = derivI[d]!;
          iyWin[row + e] = derivI[d + 1]!;
        }
      } else {
        for (let e = 0; e < rowLen; e++, d += 2) {
          const s = src + e;
          iWin[row + e] = (img[s]! * iw00 + img[s + cn]! * iw01 + img[s + stepI]! * iw10 + img[s + stepI + cn]! * iw11 + 256) >> 9;
          ixWin[row + e] =
            (derivI[d]! * iw00 + derivI[d + cn2]! * iw01 + derivI[d + dstep]! * iw10 + derivI[d + dstep + cn2]! * iw11 + 8192) >> 14;
          iyWin[row + e] =
            (derivI[d + 1]! * iw00 + derivI[d + cn2 + 1]! * iw01 + derivI[d + dstep + 1]! * iw10 + derivI[d + dstep + cn2 + 1]! * iw11 + 8192) >>
            14;
        }
      }
      // |Ix|, |Iy| <= 16 * 255 = 4080, so every product below is < 2^24: exact in float32, no rounding needed.
      let e = 0;
      for (; e < blockEnd; e += 4) {
        const k = row + e;
        const x0 = ixWin[k]!, x1 = ixWin[k + 1]!, x2 = ixWin[k + 2]!, x3 = ixWin[k + 3]!;
        const y0 = iyWin[k]!, y1 = iyWin[k + 1]!, y2 = iyWin[k + 2]!, y3 = iyWin[k + 3]!;
        q11a = f(x0 * x0 + q11a);
        q11b = f(x1 * x1 + q11b);
        q11c = f(x2 * x2 + q11c);
        q11d = f(x3 * x3 + q11d);
        q12a = f(x0 * y0 + q12a);
        q12b = f(x1 * y1 + q12b);
        q12c = f(x2 * y2 + q12c);
        q12d = f(x3 * y3 + q12d);
        q22a = f(y0 * y0 + q22a);
        q22b = f(y1 * y1 + q22b);
        q22c = f(y2 * y2 + q22c);
        q22d = f(y3 * y3 + q22d);
      }
      for (; e < rowLen; e++) {
        const x0 = ixWin[row + e]!;
        const y0 = iyWin[row + e]!;
        tail11 = f(tail11 + x0 * x0);
        tail12 = f(tail12 + x0 * y0);
        tail22 = f(tail22 + y0 * y0);
      }
    }
    if (sse) {
      tail11 = f(tail11 + f(f(q11a + q11c) + f(q11b + q11d)));
      tail12 = f(tail12 + f(f(q12a + q12c) + f(q12b + q12d)));
      tail22 = f(tail22 + f(f(q22a + q22c) + f(q22b + q22d)));
    }
    const A11 = f(tail11 * FLT_SCALE);
    const A12 = f(tail12 * FLT_SCALE);
    const A22 = f(tail22 * FLT_SCALE);

    let D = f(f(A11 * A22) - f(A12 * A12));
    const spread = f(A11 - A22);
    const minEig = f(f(f(A22 + A11) - f(Math.sqrt(f(f(spread * spread) + f(f(4 * A12) * A12))))) / eigDivisor);
    if (minEig < minEigThreshold || D < FLT_EPSILON) {
      if (level === 0) status[p] = 0;
      continue;
    }
    D = f(1 / D);

    nextX = f(nextX - halfWin);
    nextY = f(nextY - halfWin);
    let prevDeltaX = 0;
    let prevDeltaY = 0;
    for (let j = 0; j < maxIterations; j++) {
      const fnx = Math.floor(nextX);
      const fny = Math.floor(nextY);
      if (!(fnx >= -win && fnx < width && fny >= -win && fny < height)) {
        if (level === 0) status[p] = 0;
        break;
      }
      const inx = fnx | 0;
      const iny = fny | 0;
      a = f(nextX - inx);
      b = f(nextY - iny);
      iw00 = roundHalfEven(f(f(1 - a) * f(1 - b)) * W_ONE);
      iw01 = roundHalfEven(f(a * f(1 - b)) * W_ONE);
      iw10 = roundHalfEven(f(f(1 - a) * b) * W_ONE);
      iw11 = W_ONE - iw00 - iw01 - iw10;

      let tailX = 0;
      let tailY = 0;
      let bx0 = 0, bx1 = 0, bx2 = 0, bx3 = 0;
      let by0 = 0, by1 = 0, by2 = 0, by3 = 0;
      const j01 = cn;
      const j10 = stepJ;
      const j11 = stepJ + cn;
      for (let y = 0; y < win; y++) {
        let s = originJ + (y + iny) * stepJ + inx * cn;
        let k = y * rowLen;
        let e = 0;
        for (; e < blockEnd; e += 8, s += 8, k += 8) {
          const t0 = ((next[s]! * iw00 + next[s + j01]! * iw01 + next[s + j10]! * iw10 + next[s + j11]! * iw11 + 256) >> 9) - iWin[k]!;
          const t1 = ((next[s + 1]! * iw00 + next[s + 1 + j01]! * iw01 + next[s + 1 + j10]! * iw10 + next[s + 1 + j11]! * iw11 + 256) >> 9) - iWin[k + 1]!;
          const t2 = ((next[s + 2]! * iw00 + next[s + 2 + j01]! * iw01 + next[s + 2 + j10]! * iw10 + next[s + 2 + j11]! * iw11 + 256) >> 9) - iWin[k + 2]!;
          const t3 = ((next[s + 3]! * iw00 + next[s + 3 + j01]! * iw01 + next[s + 3 + j10]! * iw10 + next[s + 3 + j11]! * iw11 + 256) >> 9) - iWin[k + 3]!;
          const t4 = ((next[s + 4]! * iw00 + next[s + 4 + j01]! * iw01 + next[s + 4 + j10]! * iw10 + next[s + 4 + j11]! * iw11 + 256) >> 9) - iWin[k + 4]!;
          const t5 = ((next[s + 5]! * iw00 + next[s + 5 + j01]! * iw01 + next[s + 5 + j10]! * iw10 + next[s + 5 + j11]! * iw11 + 256) >> 9) - iWin[k + 5]!;
          const t6 = ((next[s + 6]! * iw00 + next[s + 6 + j01]! * iw01 + next[s + 6 + j10]! * iw10 + next[s + 6 + j11]! * iw11 + 256) >> 9) - iWin[k + 6]!;
          const t7 = ((next[s + 7]! * iw00 + next[s + 7 + j01]! * iw01 + next[s + 7 + j10]! * iw10 + next[s + 7 + j11]! * iw11 + 256) >> 9) - iWin[k + 7]!;
          bx0 = f(bx0 + f(t0 * ixWin[k]! + t4 * ixWin[k + 4]!));
          by0 = f(by0 + f(t0 * iyWin[k]! + t4 * iyWin[k + 4]!));
          bx1 = f(bx1 + f(t1 * ixWin[k + 1]! + t5 * ixWin[k + 5]!));
          by1 = f(by1 + f(t1 * iyWin[k + 1]! + t5 * iyWin[k + 5]!));
          bx2 = f(bx2 + f(t2 * ixWin[k + 2]! + t6 * ixWin[k + 6]!));
          by2 = f(by2 + f(t2 * iyWin[k + 2]! + t6 * iyWin[k + 6]!));
          bx3 = f(bx3 + f(t3 * ixWin[k + 3]! + t7 * ixWin[k + 7]!));
          by3 = f(by3 + f(t3 * iyWin[k + 3]! + t7 * iyWin[k + 7]!));
        }
        for (; e < rowLen; e++, s++, k++) {
          const t = ((next[s]! * iw00 + next[s + j01]! * iw01 + next[s + j10]! * iw10 + next[s + j11]! * iw11 + 256) >> 9) - iWin[k]!;
          tailX = f(tailX + f(t * ixWin[k]!));
          tailY = f(tailY + f(t * iyWin[k]!));
        }
      }
      if (sse) {
        // qb0 = [bx0 by0 bx1 by1], qb1 = [bx2 by2 bx3 by3]; L = qb0 + qb1; b1 += L0 + L2, b2 += L1 + L3.
        tailX = f(tailX + f(f(bx0 + bx2) + f(bx1 + bx3)));
        tailY = f(tailY + f(f(by0 + by2) + f(by1 + by3)));
      }
      const b1 = f(tailX * FLT_SCALE);
      const b2 = f(tailY * FLT_SCALE);
      const deltaX = f(f(f(A12 * b2) - f(A22 * b1)) * D);
      const deltaY = f(f(f(A12 * b1) - f(A11 * b2)) * D);
      nextX = f(nextX + deltaX);
      nextY = f(nextY + deltaY);
      nextPts[ix] = f(nextX + halfWin);
      nextPts[iy] = f(nextY + halfWin);
      if (deltaX * deltaX + deltaY * deltaY <= epsilonSquared) break;
      if (j > 0 && Math.abs(f(deltaX + prevDeltaX)) < 0.01 && Math.abs(f(deltaY + prevDeltaY)) < 0.01) {
        nextPts[ix] = f(nextPts[ix]! - f(deltaX * 0.5));
        nextPts[iy] = f(nextPts[iy]! - f(deltaY * 0.5));
        break;
      }
      prevDeltaX = deltaX;
      prevDeltaY = deltaY;
    }

    if (level === 0 && params.finalBoundsCheck && status[p] !== 0) {
      const fx = Math.floor(f(nextPts[ix]! - halfWin));
      const fy = Math.floor(f(nextPts[iy]! - halfWin));
      if (!(fx >= -win && fx < width && fy >= -win && fy < height)) status[p] = 0;
    }
  }
}
