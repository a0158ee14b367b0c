// Planar YUV → RGBA / BGR24 in WebAssembly (AssemblyScript, SIMD), reproducing the bytes ffmpeg 4.x's
// swscale writes for `-pix_fmt rgba`. src/video/yuv-reference.ts is the same arithmetic in TypeScript and
// explains where each formula comes from; this file only lays it out in lanes. Every SIMD step is exact
// integer arithmetic, so the lanes and the scalar tails give the same bytes.
//
// Nothing here allocates: the caller (src/video/yuv-convert.ts) puts the frame, the output and a scratch
// row in linear memory and passes byte addresses. The coefficients are set by configure() before a call.

const LAYOUT_420: i32 = 0;

let yCoeff: i32 = 0;
let black: i32 = 0;
let vToR: i32 = 0;
let vToG: i32 = 0;
let uToG: i32 = 0;
let uToB: i32 = 0;

export function configure(y: i32, blackLevel: i32, vr: i32, vg: i32, ug: i32, ub: i32): void {
  yCoeff = y;
  black = blackLevel;
  vToR = vr;
  vToG = vg;
  uToG = ug;
  uToB = ub;
}

export function heapBase(): usize {
  return __heap_base;
}

@inline function clampByte(v: i32): u32 {
  return <u32>(v < 0 ? 0 : v > 255 ? 255 : v);
}

// ---- 4:2:0, swscale's unscaled MMX converter: 16-bit lanes, pmulhw (high half, floor), packuswb ----

@inline function mulHigh(a: v128, b: v128): v128 {
  return i16x8.narrow_i32x4_s(
    i32x4.shr_s(i32x4.extmul_low_i16x8_s(a, b), 16),
    i32x4.shr_s(i32x4.extmul_high_i16x8_s(a, b), 16),
  );
}

@inline function storeRgba(dst: usize, r: v128, g: v128, b: v128): void {
  const a = i8x16.splat(-1);
  const rgLo = i8x16.shuffle(r, g, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const rgHi = i8x16.shuffle(r, g, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  const baLo = i8x16.shuffle(b, a, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const baHi = i8x16.shuffle(b, a, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  v128.store(dst, i16x8.shuffle(rgLo, baLo, 0, 8, 1, 9, 2, 10, 3, 11));
  v128.store(dst, i16x8.shuffle(rgLo, baLo, 4, 12, 5, 13, 6, 14, 7, 15), 16);
  v128.store(dst, i16x8.shuffle(rgHi, baHi, 0, 8, 1, 9, 2, 10, 3, 11), 32);
  v128.store(dst, i16x8.shuffle(rgHi, baHi, 4, 12, 5, 13, 6, 14, 7, 15), 48);
}

function pixel420(y: i32, u: i32, v: i32, dst: usize): void {
  const luma = ((y * 8 - black * 8) * yCoeff) >> 16;
  const u8 = (u - 128) * 8;
  const v8 = (v - 128) * 8;
  store<u8>(dst, clampByte(luma + ((v8 * vToR) >> 16)));
  store<u8>(dst, clampByte(luma + ((u8 * uToG) >> 16) + ((v8 * vToG) >> 16)), 1);
  store<u8>(dst, clampByte(luma + ((u8 * uToB) >> 16)), 2);
  store<u8>(dst, 255, 3);
}

/** 16 pixels of one row from their luma and the chroma terms of their 8 chroma samples. */
@inline function emit420(yRow: usize, x: i32, rc: v128, gc: v128, bc: v128, yOffset: v128, yc: v128, dst: usize): void {
  const ys = v128.load(yRow + x);
  const y0 = mulHigh(i16x8.sub_sat_s(i16x8.shl(i16x8.extend_low_i8x16_u(ys), 3), yOffset), yc);
  const y1 = mulHigh(i16x8.sub_sat_s(i16x8.shl(i16x8.extend_high_i8x16_u(ys), 3), yOffset), yc);
  // Each chroma term serves two neighbouring pixels.
  const r = i8x16.narrow_i16x8_u(
    i16x8.add_sat_s(y0, i16x8.shuffle(rc, rc, 0, 0, 1, 1, 2, 2, 3, 3)),
    i16x8.add_sat_s(y1, i16x8.shuffle(rc, rc, 4, 4, 5, 5, 6, 6, 7, 7)),
  );
  const g = i8x16.narrow_i16x8_u(
    i16x8.add_sat_s(y0, i16x8.shuffle(gc, gc, 0, 0, 1, 1, 2, 2, 3, 3)),
    i16x8.add_sat_s(y1, i16x8.shuffle(gc, gc, 4, 4, 5, 5, 6, 6, 7, 7)),
  );
  const b = i8x16.narrow_i16x8_u(
    i16x8.add_sat_s(y0, i16x8.shuffle(bc, bc, 0, 0, 1, 1, 2, 2, 3, 3)),
    i16x8.add_sat_s(y1, i16x8.shuffle(bc, bc, 4, 4, 5, 5, 6, 6, 7, 7)),
  );
  storeRgba(dst, r, g, b);
}

/**
 * Pixels x0 … x0+count-1 of one row (rows = 1) or of two rows sharing a chroma row (rows = 2, the second
 * at yRow + yStride and dst + dstStride); pixel x takes chroma sample x >> 1.
 */
function row420(
  yRow: usize,
  yStride: usize,
  rows: i32,
  uRow: usize,
  vRow: usize,
  x0: i32,
  count: i32,
  dst: usize,
  dstStride: usize,
): void {
  let x = x0;
  const end = x0 + count;
  if (x & 1 && x < end) {
    for (let k = 0; k < rows; k++) {
      pixel420(load<u8>(yRow + <usize>k * yStride + x), load<u8>(uRow + (x >> 1)), load<u8>(vRow + (x >> 1)), dst + <usize>k * dstStride);
    }
    dst += 4;
    x++;
  }
  const yc = i16x8.splat(<i16>yCoeff);
  const yOffset = i16x8.splat(<i16>(black * 8));
  const chromaOffset = i16x8.splat(1024);
  const vr = i16x8.splat(<i16>vToR);
  const vg = i16x8.splat(<i16>vToG);
  const ug = i16x8.splat(<i16>uToG);
  const ub = i16x8.splat(<i16>uToB);
  for (; x + 16 <= end; x += 16) {
    const u = i16x8.sub_sat_s(i16x8.shl(v128.load8x8_u(uRow + (x >> 1)), 3), chromaOffset);
    const v = i16x8.sub_sat_s(i16x8.shl(v128.load8x8_u(vRow + (x >> 1)), 3), chromaOffset);
    const rc = mulHigh(v, vr);
    const gc = i16x8.add_sat_s(mulHigh(u, ug), mulHigh(v, vg));
    const bc = mulHigh(u, ub);
    emit420(yRow, x, rc, gc, bc, yOffset, yc, dst);
    if (rows == 2) emit420(yRow + yStride, x, rc, gc, bc, yOffset, yc, dst + dstStride);
    dst += 64;
  }
  for (; x < end; x++) {
    for (let k = 0; k < rows; k++) {
      pixel420(load<u8>(yRow + <usize>k * yStride + x), load<u8>(uRow + (x >> 1)), load<u8>(vRow + (x >> 1)), dst + <usize>k * dstStride);
    }
    dst += 4;
  }
}

// ---- 4:4:4, swscale's generic path with full chroma (yuv2rgb_write_full): 32-bit sums, >> 13 ----

/** swscale clips the sum to 30 bits after it may have wrapped past 2^31, which turns t ≥ 512 into 0. */
@inline function fullByte(sum: i32): u32 {
  const t = sum >> 13;
  return t >= 512 ? 0 : clampByte(t);
}

function pixel444(y: i32, u: i32, v: i32, dst: usize): void {
  const luma = (y - black) * yCoeff + 4096;
  const cu = u - 128;
  const cv = v - 128;
  store<u8>(dst, fullByte(luma + cv * vToR));
  store<u8>(dst, fullByte(luma + cv * vToG + cu * uToG), 1);
  store<u8>(dst, fullByte(luma + cu * uToB), 2);
  store<u8>(dst, 255, 3);
}

/** Four 32-bit sums → 4 lanes; two such → one i16x8 (the sums are far inside i16 after the shift). */
@inline function shift13(a: v128, b: v128): v128 {
  return i16x8.narrow_i32x4_s(i32x4.shr_s(a, 13), i32x4.shr_s(b, 13));
}

function row444(yRow: usize, uRow: usize, vRow: usize, x0: i32, count: i32, dst: usize): void {
  let x = x0;
  const end = x0 + count;
  // (y, v) and (y, u) byte pairs widened to i16 pairs: one i32x4.dot per channel and 4 pixels.
  const yvR = i32x4.splat((vToR << 16) | (yCoeff & 0xffff));
  const yvG = i32x4.splat((vToG << 16) | (yCoeff & 0xffff));
  const yuB = i32x4.splat((uToB << 16) | (yCoeff & 0xffff));
  const ug = i16x8.splat(<i16>uToG);
  const base = 4096 - black * yCoeff;
  const kR = i32x4.splat(base - 128 * vToR);
  const kG = i32x4.splat(base - 128 * vToG - 128 * uToG);
  const kB = i32x4.splat(base - 128 * uToB);
  const wrapped = i16x8.splat(511);
  for (; x + 16 <= end; x += 16) {
    const ys = v128.load(yRow + x);
    const us = v128.load(uRow + x);
    const vs = v128.load(vRow + x);
    const yvLo = i8x16.shuffle(ys, vs, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const yvHi = i8x16.shuffle(ys, vs, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const yuLo = i8x16.shuffle(ys, us, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const yuHi = i8x16.shuffle(ys, us, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const yv0 = i16x8.extend_low_i8x16_u(yvLo);
    const yv1 = i16x8.extend_high_i8x16_u(yvLo);
    const yv2 = i16x8.extend_low_i8x16_u(yvHi);
    const yv3 = i16x8.extend_high_i8x16_u(yvHi);
    const yu0 = i16x8.extend_low_i8x16_u(yuLo);
    const yu1 = i16x8.extend_high_i8x16_u(yuLo);
    const yu2 = i16x8.extend_low_i8x16_u(yuHi);
    const yu3 = i16x8.extend_high_i8x16_u(yuHi);
    const u0 = i16x8.extend_low_i8x16_u(us);
    const u1 = i16x8.extend_high_i8x16_u(us);

    const r = i8x16.narrow_i16x8_u(
      shift13(i32x4.add(i32x4.dot_i16x8_s(yv0, yvR), kR), i32x4.add(i32x4.dot_i16x8_s(yv1, yvR), kR)),
      shift13(i32x4.add(i32x4.dot_i16x8_s(yv2, yvR), kR), i32x4.add(i32x4.dot_i16x8_s(yv3, yvR), kR)),
    );
    const g = i8x16.narrow_i16x8_u(
      shift13(
        i32x4.add(i32x4.add(i32x4.dot_i16x8_s(yv0, yvG), i32x4.extmul_low_i16x8_s(u0, ug)), kG),
        i32x4.add(i32x4.add(i32x4.dot_i16x8_s(yv1, yvG), i32x4.extmul_high_i16x8_s(u0, ug)), kG),
      ),
      shift13(
        i32x4.add(i32x4.add(i32x4.dot_i16x8_s(yv2, yvG), i32x4.extmul_low_i16x8_s(u1, ug)), kG),
        i32x4.add(i32x4.add(i32x4.dot_i16x8_s(yv3, yvG), i32x4.extmul_high_i16x8_s(u1, ug)), kG),
      ),
    );
    // Only blue can reach the wrap (fullByte), with every matrix of yuv-layout.ts: force those lanes to -1, i.e. 0.
    let b0 = shift13(i32x4.add(i32x4.dot_i16x8_s(yu0, yuB), kB), i32x4.add(i32x4.dot_i16x8_s(yu1, yuB), kB));
    let b1 = shift13(i32x4.add(i32x4.dot_i16x8_s(yu2, yuB), kB), i32x4.add(i32x4.dot_i16x8_s(yu3, yuB), kB));
    b0 = v128.or(b0, i16x8.gt_s(b0, wrapped));
    b1 = v128.or(b1, i16x8.gt_s(b1, wrapped));
    storeRgba(dst, r, g, i8x16.narrow_i16x8_u(b0, b1));
    dst += 64;
  }
  for (; x < end; x++) {
    pixel444(load<u8>(yRow + x), load<u8>(uRow + x), load<u8>(vRow + x), dst);
    dst += 4;
  }
}

// ---- frames and regions ----

/**
 * RGBA of pixels x0 … x0+count-1 of row y of the frame at `src` (Y plane, then U, then V), and of row y + 1
 * too (at dst + dstStride) when rows = 2, which 4:2:0 converts together (the chroma terms are shared).
 */
function rowsRgba(layout: i32, src: usize, width: i32, height: i32, y: i32, rows: i32, x0: i32, count: i32, dst: usize, dstStride: usize): void {
  const lumaSize = <usize>width * <usize>height;
  const yRow = src + <usize>y * <usize>width;
  if (layout == LAYOUT_420) {
    const cw = (width + 1) >> 1;
    const chromaSize = <usize>cw * <usize>((height + 1) >> 1);
    const chromaRow = <usize>(y >> 1) * <usize>cw;
    row420(yRow, <usize>width, rows, src + lumaSize + chromaRow, src + lumaSize + chromaSize + chromaRow, x0, count, dst, dstStride);
  } else {
    for (let k = 0; k < rows; k++) {
      const row = <usize>(y + k) * <usize>width;
      row444(src + row, src + lumaSize + row, src + 2 * lumaSize + row, x0, count, dst + <usize>k * dstStride);
    }
  }
}

export function frameToRgba(layout: i32, src: usize, width: i32, height: i32, dst: usize): void {
  const rowBytes = <usize>width * 4;
  for (let y = 0; y < height; y += 2) {
    rowsRgba(layout, src, width, height, y, y + 1 < height ? 2 : 1, 0, width, dst + <usize>y * rowBytes, rowBytes);
  }
}

/**
 * BGR24 of the rectangle (rx, ry, rw, rh), packed rw×rh×3 at `dst`: each row goes through the RGBA row
 * kernel into `scratch` (rw×4 bytes + 16) and is then reordered, so BGR is RGBA's bytes by construction.
 */
export function regionToBgr(
  layout: i32,
  src: usize,
  width: i32,
  height: i32,
  rx: i32,
  ry: i32,
  rw: i32,
  rh: i32,
  scratch: usize,
  dst: usize,
): void {
  const outBytes = <usize>rw * 3;
  for (let r = 0; r < rh; r++) {
    rowsRgba(layout, src, width, height, ry + r, 1, rx, rw, scratch, 0);
    const out = dst + <usize>r * outBytes;
    let i = 0;
    // 4 pixels (16 bytes of RGBA, 12 of BGR) per store; the store's last 4 bytes are rewritten by the next.
    for (; (i + 4) * 3 + 4 <= <i32>outBytes; i += 4) {
      const rgba = v128.load(scratch + <usize>i * 4);
      v128.store(out + <usize>i * 3, i8x16.shuffle(rgba, rgba, 2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, 0, 0, 0, 0));
    }
    for (; i < rw; i++) {
      const p = scratch + <usize>i * 4;
      const o = out + <usize>i * 3;
      store<u8>(o, load<u8>(p, 2));
      store<u8>(o, load<u8>(p, 1), 1);
      store<u8>(o, load<u8>(p), 2);
    }
  }
}
