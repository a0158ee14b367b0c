import { rint } from "../shape/numeric.js";

/**
 * cv::resize(…, INTER_AREA) of an 8-bit image when it shrinks, ported from OpenCV 4.6 (hal::resize's
 * INTER_AREA branch) so that crops of faces of 400 px or more need no opencv-js at run time. Three cases,
 * chosen as resize() chooses them from scale = 1 / (dst / src), in double:
 * - same size: a copy;
 * - integer scale in both directions (|scale − round(scale)| < DBL_EPSILON): resizeAreaFast_. For 2×2 and
 *   1, 3 or 4 channels every element is (a + b + c + d + 2) >> 2 (SIMD and scalar alike); otherwise
 *   round_half_even(float32(sum) × float32(1 / area));
 * - otherwise ResizeArea_Invoker: per source row, a horizontal pass `buf[di] += S[si] × α` over
 *   computeResizeAreaTab's entries, then `sum = β × buf` at the first source row of a destination row and
 *   `sum += β × buf` after it, all in float32 (no FMA), and the destination row is round_half_even(sum)
 *   saturated to 0..255. This path has no SIMD in OpenCV, so native and opencv-js agree on it.
 */

const f = Math.fround;
const DBL_EPSILON = 2.220446049250313e-16;

/** computeResizeAreaTab's entries, one per (destination element, source element) pair: element offsets and weight. */
export interface AreaTable {
  size: number;
  /** Source offset in elements (source index × channels). */
  si: Int32Array;
  /** Destination offset in elements (destination index × channels). */
  di: Int32Array;
  /** float32 weight. */
  alpha: Float32Array;
}

/** What resize() does for one size pair. */
export type AreaPlan =
  | { kind: "copy" }
  | { kind: "fast"; scaleX: number; scaleY: number }
  | { kind: "general"; xtab: AreaTable; ytab: AreaTable };

function computeResizeAreaTab(ssize: number, dsize: number, cn: number, scale: number): AreaTable {
  const capacity = 2 * ssize + 2;
  const si = new Int32Array(capacity);
  const di = new Int32Array(capacity);
  const alpha = new Float32Array(capacity);
  let k = 0;
  for (let dx = 0; dx < dsize; dx++) {
    const fsx1 = dx * scale;
    const fsx2 = fsx1 + scale;
    const cellWidth = Math.min(scale, ssize - fsx1);
    let sx1 = Math.ceil(fsx1);
    let sx2 = Math.floor(fsx2);
    sx2 = Math.min(sx2, ssize - 1);
    sx1 = Math.min(sx1, sx2);
    if (sx1 - fsx1 > 1e-3) {
      di[k] = dx * cn;
      si[k] = (sx1 - 1) * cn;
      alpha[k++] = (sx1 - fsx1) / cellWidth;
    }
    for (let sx = sx1; sx < sx2; sx++) {
      di[k] = dx * cn;
      si[k] = sx * cn;
      alpha[k++] = 1.0 / cellWidth;
    }
    if (fsx2 - sx2 > 1e-3) {
      di[k] = dx * cn;
      si[k] = sx2 * cn;
      alpha[k++] = Math.min(Math.min(fsx2 - sx2, 1), cellWidth) / cellWidth;
    }
  }
  return { size: k, si: si.subarray(0, k), di: di.subarray(0, k), alpha: alpha.subarray(0, k) };
}

/** saturate_cast<int>(double): round half to even. */
function saturateInt(v: number): number {
  return rint(v);
}

/** The plan resize() follows for srcWidth × srcHeight → dstWidth × dstHeight (shrinking only; shared with the wasm core). */
export function areaPlan(srcWidth: number, srcHeight: number, dstWidth: number, dstHeight: number, channels: number): AreaPlan {
  if (srcWidth === dstWidth && srcHeight === dstHeight) return { kind: "copy" };
  const scaleX = 1 / (dstWidth / srcWidth);
  const scaleY = 1 / (dstHeight / srcHeight);
  if (scaleX < 1 || scaleY < 1) throw new Error(`INTER_AREA port shrinks only: ${srcWidth}×${srcHeight} → ${dstWidth}×${dstHeight}`);
  const iscaleX = saturateInt(scaleX);
  const iscaleY = saturateInt(scaleY);
  if (Math.abs(scaleX - iscaleX) < DBL_EPSILON && Math.abs(scaleY - iscaleY) < DBL_EPSILON) {
    // With an integer scale src = scale × dst exactly: no partial cells at the right or bottom edge.
    if (iscaleX * dstWidth !== srcWidth || iscaleY * dstHeight !== srcHeight) {
      throw new Error(`INTER_AREA port: integer scale with partial cells (${srcWidth}×${srcHeight} → ${dstWidth}×${dstHeight}) is not reproduced`);
    }
    return { kind: "fast", scaleX: iscaleX, scaleY: iscaleY };
  }
  return {
    kind: "general",
    xtab: computeResizeAreaTab(srcWidth, dstWidth, channels, scaleX),
    ytab: computeResizeAreaTab(srcHeight, dstHeight, 1, scaleY),
  };
}

/** Whether the 2×2 fast path's `(sum + 2) >> 2` applies (ResizeAreaFastVec's fast_mode). */
export function areaFastRoundsUp(scaleX: number, scaleY: number, channels: number): boolean {
  return scaleX === 2 && scaleY === 2 && (channels === 1 || channels === 3 || channels === 4);
}

function saturateU8(v: number): number {
  const r = rint(v);
  return r < 0 ? 0 : r > 255 ? 255 : r;
}

export function checkAreaSource(
  srcLength: number,
  srcOffset: number,
  srcStride: number,
  srcWidth: number,
  srcHeight: number,
  channels: number,
  dstWidth: number,
  dstHeight: number,
): void {
  for (const [name, v] of [["source width", srcWidth], ["source height", srcHeight], ["target width", dstWidth], ["target height", dstHeight], ["channels", channels]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`area resize: ${name} must be a positive integer, got ${v}`);
  }
  if (srcOffset < 0 || srcStride < srcWidth * channels || srcOffset + (srcHeight - 1) * srcStride + srcWidth * channels > srcLength) {
    throw new Error(`area resize: a ${srcWidth}×${srcHeight}×${channels} region at ${srcOffset} (stride ${srcStride}) does not fit in ${srcLength} bytes`);
  }
}

/**
 * The TypeScript reference: resizes the srcWidth × srcHeight region of `src` starting at `srcOffset` (rows
 * `srcStride` bytes apart, `channels` interleaved u8) to dstWidth × dstHeight into `dst` (packed).
 */
export function areaResize(
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
  checkAreaSource(src.length, srcOffset, srcStride, srcWidth, srcHeight, channels, dstWidth, dstHeight);
  const cn = channels;
  const rowLen = dstWidth * cn;
  if (dst.length < rowLen * dstHeight) throw new Error(`area resize target of ${dst.length} bytes, need ${rowLen * dstHeight}`);
  const plan = areaPlan(srcWidth, srcHeight, dstWidth, dstHeight, cn);
  if (plan.kind === "copy") {
    for (let y = 0; y < dstHeight; y++) dst.set(src.subarray(srcOffset + y * srcStride, srcOffset + y * srcStride + rowLen), y * rowLen);
    return;
  }
  if (plan.kind === "fast") {
    const { scaleX, scaleY } = plan;
    const roundUp = areaFastRoundsUp(scaleX, scaleY, cn);
    const scale = f(1 / (scaleX * scaleY));
    for (let dy = 0; dy < dstHeight; dy++) {
      const row = srcOffset + dy * scaleY * srcStride;
      for (let dx = 0; dx < rowLen; dx++) {
        const c = dx % cn;
        const start = row + (dx - c) * scaleX + c;
        let sum = 0;
        for (let sy = 0; sy < scaleY; sy++) {
          for (let sx = 0; sx < scaleX; sx++) sum += src[start + sy * srcStride + sx * cn]!;
        }
        dst[dy * rowLen + dx] = roundUp ? (sum + 2) >> 2 : saturateU8(f(sum * scale));
      }
    }
    return;
  }
  const { xtab, ytab } = plan;
  const buf = new Float32Array(rowLen);
  const sum = new Float32Array(rowLen);
  let prevDy = ytab.di[0]!;
  const flush = (dy: number): void => {
    for (let dx = 0; dx < rowLen; dx++) dst[dy * rowLen + dx] = saturateU8(sum[dx]!);
  };
  for (let j = 0; j < ytab.size; j++) {
    const beta = ytab.alpha[j]!;
    const dy = ytab.di[j]!;
    const row = srcOffset + ytab.si[j]! * srcStride;
    buf.fill(0);
    for (let k = 0; k < xtab.size; k++) {
      const s = row + xtab.si[k]!;
      const d = xtab.di[k]!;
      const alpha = xtab.alpha[k]!;
      for (let c = 0; c < cn; c++) buf[d + c] = f(buf[d + c]! + f(src[s + c]! * alpha));
    }
    if (dy !== prevDy) {
      flush(prevDy);
      for (let dx = 0; dx < rowLen; dx++) sum[dx] = f(beta * buf[dx]!);
      prevDy = dy;
    } else {
      for (let dx = 0; dx < rowLen; dx++) sum[dx] = f(sum[dx]! + f(beta * buf[dx]!));
    }
  }
  flush(prevDy);
}
