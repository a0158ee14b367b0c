import { rint } from "../shape/numeric.js";

/**
 * cv::resize(…, INTER_CUBIC) of an 8-bit image, ported from OpenCV 4.6's generic path (resizeGeneric_ with
 * HResizeCubic / VResizeCubic). Ported for the same reason as the LK core (lk/): LRNet's golden files were
 * made by the native x86 build, whose vertical pass (VResizeCubicVec_32s8u, SSE2) computes in float32
 * while opencv-js (no SIMD) computes in fixed point. The two differ by 1 in a few pixels per crop, which is
 * enough to flip a landmark's forward/backward check now and then.
 *
 * "sse2": elements 0..⌊n/8⌋·8−1 of each output row (n = width × channels) as
 *   round_half_even(S0·b0 + (S1·b1 + (S2·b2 + S3·b3))) in float32, b_k = β_k / 2048², clamped to 0..255;
 *   the rest as in "scalar". "scalar": (S0·β0 + S1·β1 + S2·β2 + S3·β3 + 2^21) >> 22, clamped.
 * S_k are the exact integer horizontal sums with the 11-bit weights α; α and β are OpenCV's
 * interpolateCubic (A = −0.75) in float32, times 2048, rounded half to even. Borders replicate.
 */
export type ResizeArithmetic = "sse2" | "scalar";

const f = Math.fround;
const COEF_SCALE = 2048;
const ONE = COEF_SCALE * COEF_SCALE;
const HALF = ONE / 2;
const FLOAT_SCALE = f(1 / ONE);
/**
 * Every partial sum of the float32 vertical pass is below 512 in magnitude, so each of its 7 roundings
 * errs by at most 2^-16 and the total by less than 2^-13: when the exact value n / 2^22 is more than
 * 2^-10 away from k + ½, the float32 result rounds to the same integer. NEAR_HALF is 2^-10 in units of 2^-22.
 */
const NEAR_HALF = ONE / 1024;


function toShort(v: number): number {
  const r = rint(v);
  return r < -32768 ? -32768 : r > 32767 ? 32767 : r;
}

/** OpenCV's interpolateCubic(x) in float32, as 11-bit fixed-point weights written to out[at..at+3]. */
function cubicWeights(x: number, out: Int32Array, at: number): void {
  const A = f(-0.75);
  const x1 = f(x + 1);
  const c0 = f(f(f(f(f(f(A * x1) - f(5 * A)) * x1) + f(8 * A)) * x1) - f(4 * A));
  const c1 = f(f(f(f(f(f(A + 2) * x) - f(A + 3)) * x) * x) + 1);
  const u = f(1 - x);
  const c2 = f(f(f(f(f(f(A + 2) * u) - f(A + 3)) * u) * u) + 1);
  const c3 = f(f(f(1 - c0) - c1) - c2);
  out[at] = toShort(f(c0 * COEF_SCALE));
  out[at + 1] = toShort(f(c1 * COEF_SCALE));
  out[at + 2] = toShort(f(c2 * COEF_SCALE));
  out[at + 3] = toShort(f(c3 * COEF_SCALE));
}

/** Source index (floor) and weights of each output coordinate, as resize() computes them. */
function axisTable(srcSize: number, dstSize: number, offsets: Int32Array, weights: Int32Array): void {
  const scale = 1 / (dstSize / srcSize);
  for (let d = 0; d < dstSize; d++) {
    const pos = f((d + 0.5) * scale - 0.5);
    const s = Math.floor(pos);
    offsets[d] = s;
    cubicWeights(f(pos - s), weights, 4 * d);
  }
}

/** VResizeCubicVec_32s8u for one element: muladd chain in float32 (no FMA), cvtps2dq, saturation to u8. */
function sse2Vertical(s0: number, s1: number, s2: number, s3: number, b0: number, b1: number, b2: number, b3: number): number {
  const v = rint(f(f(s0 * b0) + f(f(s1 * b1) + f(f(s2 * b2) + f(s3 * b3)))));
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** The tables of one resize: per output column and per output row, four taps and their weights. */
export interface CubicPlan {
  /** 4 per output column: byte offsets of the source pixels in a row (replicated at the borders). */
  xofs: Int32Array;
  /** 4 per output column: 11-bit weights. */
  alpha: Int32Array;
  /** 4 per output row: element offsets of the source rows in the horizontal pass's buffer (rows of dstWidth × channels). */
  taps: Int32Array;
  /** 4 per output row: 11-bit weights. */
  beta: Int32Array;
}

/** The tables resize() computes for srcWidth × srcHeight → dstWidth × dstHeight (shared with the wasm core). */
export function cubicPlan(srcWidth: number, srcHeight: number, dstWidth: number, dstHeight: number, channels: number): CubicPlan {
  const firstX = new Int32Array(dstWidth);
  const alpha = new Int32Array(4 * dstWidth);
  axisTable(srcWidth, dstWidth, firstX, alpha);
  const firstY = new Int32Array(dstHeight);
  const beta = new Int32Array(4 * dstHeight);
  axisTable(srcHeight, dstHeight, firstY, beta);
  const xofs = new Int32Array(4 * dstWidth);
  for (let d = 0; d < dstWidth; d++) {
    for (let k = 0; k < 4; k++) {
      const x = firstX[d]! - 1 + k;
      xofs[4 * d + k] = (x < 0 ? 0 : x >= srcWidth ? srcWidth - 1 : x) * channels;
    }
  }
  const taps = new Int32Array(4 * dstHeight);
  for (let d = 0; d < dstHeight; d++) {
    for (let k = 0; k < 4; k++) {
      const y = firstY[d]! - 1 + k;
      taps[4 * d + k] = (y < 0 ? 0 : y >= srcHeight ? srcHeight - 1 : y) * dstWidth * channels;
    }
  }
  return { xofs, alpha, taps, beta };
}

/** Throws unless the sizes are positive and the source rows lie inside a buffer of `srcLength` bytes. */
export function checkCubicSource(
  srcLength: number,
  srcOffset: number,
  srcStride: number,
  srcWidth: number,
  srcHeight: number,
  channels: number,
  dstWidth: number,
  dstHeight: number,
): void {
  if (srcWidth < 1 || srcHeight < 1 || dstWidth < 1 || dstHeight < 1 || channels < 1) {
    throw new Error(`cubic resize of ${srcWidth}×${srcHeight}×${channels} to ${dstWidth}×${dstHeight}: sizes must be positive`);
  }
  if (srcOffset < 0 || srcOffset + (srcHeight - 1) * srcStride + srcWidth * channels > srcLength) {
    throw new Error(`cubic resize source of ${srcLength} bytes is smaller than ${srcWidth}×${srcHeight}×${channels} at stride ${srcStride}`);
  }
}

/** Reusable cubic resizer: tables are rebuilt only when the sizes change, buffers only when they grow. */
export class CubicResizer {
  private key = "";
  private xofs: Int32Array = new Int32Array(0);
  private alpha: Int32Array = new Int32Array(0);
  private beta: Int32Array = new Int32Array(0);
  private rows = new Int32Array(0);
  private taps: Int32Array = new Int32Array(0);

  constructor(readonly arithmetic: ResizeArithmetic = "sse2") {}

  /**
   * Resizes the srcWidth × srcHeight image whose first byte is src[srcOffset] and whose rows are
   * `srcStride` bytes apart (a crop of a larger frame needs no copy) into `dst`, packed dstWidth × dstHeight.
   */
  resize(
    src: Uint8Array,
    srcOffset: number,
    srcStride: number,
    srcWidth: number,
    srcHeight: number,
    channels: number,
    dst: Uint8Array,
    dstWidth: number,
    dstHeight: number,
  ): void {
    checkCubicSource(src.length, srcOffset, srcStride, srcWidth, srcHeight, channels, dstWidth, dstHeight);
    const rowLen = dstWidth * channels;
    if (dst.length < rowLen * dstHeight) throw new Error(`cubic resize target of ${dst.length} bytes, need ${rowLen * dstHeight}`);
    if (srcWidth === dstWidth && srcHeight === dstHeight) {
      // cv::resize copies when the size is unchanged.
      for (let y = 0; y < srcHeight; y++) dst.set(src.subarray(srcOffset + y * srcStride, srcOffset + y * srcStride + rowLen), y * rowLen);
      return;
    }
    this.prepare(srcWidth, srcHeight, dstWidth, dstHeight, channels);
    this.horizontal(src, srcOffset, srcStride, srcHeight, channels, dstWidth);
    this.vertical(rowLen, dst, dstHeight);
  }

  private prepare(srcWidth: number, srcHeight: number, dstWidth: number, dstHeight: number, channels: number): void {
    const key = `${srcWidth}x${srcHeight}>${dstWidth}x${dstHeight}x${channels}`;
    if (key === this.key) return;
    this.key = key;
    ({ xofs: this.xofs, alpha: this.alpha, taps: this.taps, beta: this.beta } = cubicPlan(srcWidth, srcHeight, dstWidth, dstHeight, channels));
    if (this.rows.length < srcHeight * dstWidth * channels) this.rows = new Int32Array(srcHeight * dstWidth * channels);
  }

  /** Every source row filtered horizontally to the output width (exact integers, weights × 2048). */
  private horizontal(src: Uint8Array, srcOffset: number, srcStride: number, srcHeight: number, cn: number, dstWidth: number): void {
    const { xofs, alpha, rows } = this;
    const rowLen = dstWidth * cn;
    for (let y = 0; y < srcHeight; y++) {
      const s = srcOffset + y * srcStride;
      let o = y * rowLen;
      for (let d = 0; d < dstWidth; d++) {
        const t = 4 * d;
        const p0 = s + xofs[t]!;
        const p1 = s + xofs[t + 1]!;
        const p2 = s + xofs[t + 2]!;
        const p3 = s + xofs[t + 3]!;
        const a0 = alpha[t]!;
        const a1 = alpha[t + 1]!;
        const a2 = alpha[t + 2]!;
        const a3 = alpha[t + 3]!;
        for (let c = 0; c < cn; c++, o++) {
          rows[o] = src[p0 + c]! * a0 + src[p1 + c]! * a1 + src[p2 + c]! * a2 + src[p3 + c]! * a3;
        }
      }
    }
  }

  private vertical(rowLen: number, dst: Uint8Array, dstHeight: number): void {
    const { beta, rows, taps } = this;
    const simdEnd = this.arithmetic === "sse2" ? (rowLen >> 3) << 3 : 0;
    for (let d = 0; d < dstHeight; d++) {
      const t = 4 * d;
      const r0 = taps[t]!;
      const r1 = taps[t + 1]!;
      const r2 = taps[t + 2]!;
      const r3 = taps[t + 3]!;
      const b0 = beta[t]!;
      const b1 = beta[t + 1]!;
      const b2 = beta[t + 2]!;
      const b3 = beta[t + 3]!;
      const fb0 = f(b0 * FLOAT_SCALE);
      const fb1 = f(b1 * FLOAT_SCALE);
      const fb2 = f(b2 * FLOAT_SCALE);
      const fb3 = f(b3 * FLOAT_SCALE);
      const o = d * rowLen;
      let x = 0;
      for (; x < simdEnd; x++) {
        // n / 2^22 is the exact value plus ½, so its fraction is near 0 when the value is near k + ½.
        const n = (rows[r0 + x]! * b0 + rows[r1 + x]! * b1 + rows[r2 + x]! * b2 + rows[r3 + x]! * b3 + HALF) | 0;
        const v = n >> 22;
        dst[o + x] = v < 0 ? 0 : v > 255 ? 255 : v;
        // Far from a rounding boundary the float32 sum rounds like the exact value (see NEAR_HALF); only
        // near one is the SSE2 arithmetic emulated step by step.
        if (((n + NEAR_HALF) & (ONE - 1)) <= 2 * NEAR_HALF) {
          dst[o + x] = sse2Vertical(rows[r0 + x]!, rows[r1 + x]!, rows[r2 + x]!, rows[r3 + x]!, fb0, fb1, fb2, fb3);
        }
      }
      for (; x < rowLen; x++) {
        const v = (rows[r0 + x]! * b0 + rows[r1 + x]! * b1 + rows[r2 + x]! * b2 + rows[r3 + x]! * b3 + (1 << 21)) >> 22;
        dst[o + x] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
}
