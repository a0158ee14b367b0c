// The exact LK core in WebAssembly (AssemblyScript, SIMD): the same arithmetic as the TypeScript port in
// src/calibrate/lk/ (pyramid.ts, scharr.ts, lk-tracker.ts "sse2") and src/calibrate/cubic-resize.ts ("sse2").
// Those files explain what is being reproduced and why; this file only says how the lanes are laid out.
//
// Native OpenCV's SSE2 code is written with 16-bit integer lanes (pmaddwd for the bilinear interpolation
// and the It·Ix products), float32x4 accumulators and float32 multiply-then-add without FMA. WebAssembly
// SIMD has the same operations with the same lane order (i32x4.dot_i16x8_s is pmaddwd, f32x4.mul/add are
// mulps/addps, i32x4.trunc_sat_f32x4_s of f32x4.nearest is cvtps2dq), so every float32 is rounded exactly
// where the native build rounds it.
//
// Nothing here allocates: the caller (src/calibrate/lk/wasm-lk.ts) lays out all buffers in linear memory
// and passes byte addresses. A pyramid level is described by LEVEL_BYTES of i32 fields (offsets below).

const LEVEL_BYTES: i32 = 64;
const L_WIDTH: usize = 0;
const L_HEIGHT: usize = 4;
const L_CHANNELS: usize = 8;
/** Bytes from one padded row to the next. */
const L_STRIDE: usize = 12;
/** Address of pixel (0, 0) of the image (inside the padding). */
const L_PIXELS: usize = 16;
/** Address of the (Ix, Iy) int16 pair of element 0 of pixel (0, 0); 4 bytes per element. */
const L_DERIVS: usize = 20;
const L_TILES_X: usize = 24;
const L_TILE_COUNT: usize = 28;
/** One byte per derivative tile: 1 once computed. */
const L_TILE_FLAGS: usize = 32;
const L_TILES_READY: usize = 36;

const TILE_SHIFT: i32 = 3;
const W_BITS: i32 = 14;
const FLT_SCALE: f32 = 1.0 / <f32>(1 << 20);
const FLT_EPSILON: f32 = 1.1920928955078125e-7;

function reflect101(p: i32, length: i32): i32 {
  if (length == 1) return 0;
  while (p < 0 || p >= length) p = p < 0 ? -p : 2 * length - 2 - p;
  return p;
}

/** Fills the `border` pixels around the level's image with BORDER_REFLECT_101 copies of it. */
function padReflect101(level: usize, border: i32): void {
  const width = load<i32>(level + L_WIDTH);
  const height = load<i32>(level + L_HEIGHT);
  const cn = load<i32>(level + L_CHANNELS);
  const stride = load<i32>(level + L_STRIDE);
  const pixels = load<usize>(level + L_PIXELS);
  for (let y = 0; y < height; y++) {
    const row = pixels + <usize>(y * stride);
    for (let x = 1; x <= border; x++) {
      const left = row - <usize>(x * cn);
      const right = row + <usize>((width - 1 + x) * cn);
      const fromLeft = row + <usize>(reflect101(-x, width) * cn);
      const fromRight = row + <usize>(reflect101(width - 1 + x, width) * cn);
      for (let c = 0; c < cn; c++) {
        store<u8>(left + c, load<u8>(fromLeft + c));
        store<u8>(right + c, load<u8>(fromRight + c));
      }
    }
  }
  const rowStart = pixels - <usize>(border * cn);
  const rowBytes = <usize>((width + 2 * border) * cn);
  for (let y = 1; y <= border; y++) {
    memory.copy(rowStart - <usize>(y * stride), rowStart + <usize>(reflect101(-y, height) * stride), rowBytes);
    memory.copy(rowStart + <usize>((height - 1 + y) * stride), rowStart + <usize>(reflect101(height - 1 + y, height) * stride), rowBytes);
  }
}

/**
 * cv::pyrDown of `src` into `dst` ((w+1)/2 × (h+1)/2, REFLECT_101, (sum + 128) >> 8). The 5×5 sum is exact
 * in integers, so it is taken vertically first (u8 → i16 lanes, at most 16·255), then horizontally over the
 * column sums into `scratch` (u16 lanes: at most 256·255 + 128 < 2^16), and every second pixel is kept.
 */
function pyrDown(src: usize, dst: usize, scratch: usize): void {
  const sw = load<i32>(src + L_WIDTH);
  const sh = load<i32>(src + L_HEIGHT);
  const cn = load<i32>(src + L_CHANNELS);
  const sStride = load<i32>(src + L_STRIDE);
  const sPixels = load<usize>(src + L_PIXELS);
  const dw = load<i32>(dst + L_WIDTH);
  const dh = load<i32>(dst + L_HEIGHT);
  const dStride = load<i32>(dst + L_STRIDE);
  const dPixels = load<usize>(dst + L_PIXELS);
  const rowLen = sw * cn;
  // Column sums of the source row, with 2 pixels of REFLECT_101 on each side: element e is at cols + 2·(e + 2cn).
  const cols = scratch;
  const colsAt = cols + <usize>(4 * cn);
  const filtered = cols + <usize>((((rowLen + 4 * cn) * 2 + 15) >> 4) << 4) + 16;
  const four = i16x8.splat(4);
  const six = i16x8.splat(6);
  const round = i16x8.splat(128);
  for (let y = 0; y < dh; y++) {
    const r0 = sPixels + <usize>(reflect101(2 * y - 2, sh) * sStride);
    const r1 = sPixels + <usize>(reflect101(2 * y - 1, sh) * sStride);
    const r2 = sPixels + <usize>(reflect101(2 * y, sh) * sStride);
    const r3 = sPixels + <usize>(reflect101(2 * y + 1, sh) * sStride);
    const r4 = sPixels + <usize>(reflect101(2 * y + 2, sh) * sStride);
    let e = 0;
    for (; e + 8 <= rowLen; e += 8) {
      const a0 = v128.load8x8_u(r0 + e);
      const a1 = v128.load8x8_u(r1 + e);
      const a2 = v128.load8x8_u(r2 + e);
      const a3 = v128.load8x8_u(r3 + e);
      const a4 = v128.load8x8_u(r4 + e);
      const sum = i16x8.add(i16x8.add(i16x8.add(a0, a4), i16x8.mul(i16x8.add(a1, a3), four)), i16x8.mul(a2, six));
      v128.store(colsAt + <usize>(2 * e), sum);
    }
    for (; e < rowLen; e++) {
      const s =
        <i32>load<u8>(r0 + e) + 4 * (<i32>load<u8>(r1 + e) + <i32>load<u8>(r3 + e)) + 6 * <i32>load<u8>(r2 + e) + <i32>load<u8>(r4 + e);
      store<u16>(colsAt + <usize>(2 * e), <u16>s);
    }
    // The two reflected pixels on each side.
    for (let k = 1; k <= 2; k++) {
      const left = reflect101(-k, sw) * cn;
      const right = reflect101(sw - 1 + k, sw) * cn;
      for (let c = 0; c < cn; c++) {
        store<u16>(colsAt + <usize>(2 * (-k * cn + c)), load<u16>(colsAt + <usize>(2 * (left + c))));
        store<u16>(colsAt + <usize>(2 * ((sw - 1 + k) * cn + c)), load<u16>(colsAt + <usize>(2 * (right + c))));
      }
    }
    // Horizontal [1 4 6 4 1] at every source pixel, in u16 lanes (no sum exceeds 65408).
    const step = <usize>(2 * cn);
    let p = colsAt;
    let o = filtered;
    let x = 0;
    for (; x + 8 <= rowLen; x += 8, p += 16, o += 16) {
      const m2 = v128.load(p - 2 * step);
      const m1 = v128.load(p - step);
      const c0 = v128.load(p);
      const p1 = v128.load(p + step);
      const p2 = v128.load(p + 2 * step);
      const sum = i16x8.add(i16x8.add(i16x8.add(m2, p2), i16x8.mul(i16x8.add(m1, p1), four)), i16x8.add(i16x8.mul(c0, six), round));
      v128.store(o, i16x8.shr_u(sum, 8));
    }
    for (; x < rowLen; x++, p += 2, o += 2) {
      const s =
        <i32>load<u16>(p - 2 * step) + 4 * (<i32>load<u16>(p - step) + <i32>load<u16>(p + step)) + 6 * <i32>load<u16>(p) + <i32>load<u16>(p + 2 * step);
      store<u16>(o, <u16>((s + 128) >> 8));
    }
    const out = dPixels + <usize>(y * dStride);
    if (cn == 3) {
      for (let d = 0, s = 0; d < dw * 3; d += 3, s += 6) {
        const q = filtered + <usize>(2 * s);
        store<u8>(out + d, <u8>load<u16>(q));
        store<u8>(out + d + 1, <u8>load<u16>(q, 2));
        store<u8>(out + d + 2, <u8>load<u16>(q, 4));
      }
    } else {
      for (let d = 0; d < dw; d++) {
        for (let c = 0; c < cn; c++) store<u8>(out + <usize>(d * cn + c), <u8>load<u16>(filtered + <usize>(2 * (2 * d * cn + c))));
      }
    }
  }
}

/**
 * Pads level 0 (whose image the caller has written), builds levels 1..levelCount−1 with pyrDown and pads
 * them, and marks every derivative tile as not computed. `levels` points to levelCount descriptors.
 */
export function buildPyramid(levels: usize, levelCount: i32, border: i32, scratch: usize): void {
  for (let k = 0; k < levelCount; k++) {
    const level = levels + <usize>(k * LEVEL_BYTES);
    if (k > 0) pyrDown(level - <usize>LEVEL_BYTES, level, scratch);
    padReflect101(level, border);
    memory.fill(load<usize>(level + L_TILE_FLAGS), 0, <usize>load<i32>(level + L_TILE_COUNT));
    store<i32>(level + L_TILES_READY, 0);
  }
}

/** calcScharrDeriv over pixels x0..x1−1 of rows y0..y1−1, as in scharr.ts; (Ix, Iy) interleaved. */
function scharrRegion(level: usize, x0: i32, y0: i32, x1: i32, y1: i32): void {
  const cn = load<i32>(level + L_CHANNELS);
  const stride = <usize>load<i32>(level + L_STRIDE);
  const pixels = load<usize>(level + L_PIXELS);
  const derivs = load<usize>(level + L_DERIVS);
  const first = x0 * cn;
  const last = x1 * cn;
  const ucn = <usize>cn;
  const three = i16x8.splat(3);
  const ten = i16x8.splat(10);
  for (let y = y0; y < y1; y++) {
    const rowOffset = y * <i32>stride;
    let m = pixels + <usize>(rowOffset + first);
    let o = derivs + <usize>(4 * (rowOffset + first));
    let e = first;
    for (; e + 8 <= last; e += 8, m += 8, o += 32) {
      const up = m - stride;
      const down = m + stride;
      const uL = v128.load8x8_u(up - ucn);
      const uR = v128.load8x8_u(up + ucn);
      const mL = v128.load8x8_u(m - ucn);
      const mR = v128.load8x8_u(m + ucn);
      const dL = v128.load8x8_u(down - ucn);
      const dR = v128.load8x8_u(down + ucn);
      const u = v128.load8x8_u(up);
      const d = v128.load8x8_u(down);
      const smoothLeft = i16x8.add(i16x8.mul(i16x8.add(uL, dL), three), i16x8.mul(mL, ten));
      const smoothRight = i16x8.add(i16x8.mul(i16x8.add(uR, dR), three), i16x8.mul(mR, ten));
      const ix = i16x8.sub(smoothRight, smoothLeft);
      const iy = i16x8.add(i16x8.mul(i16x8.add(i16x8.sub(dL, uL), i16x8.sub(dR, uR)), three), i16x8.mul(i16x8.sub(d, u), ten));
      v128.store(o, i16x8.shuffle(ix, iy, 0, 8, 1, 9, 2, 10, 3, 11));
      v128.store(o, i16x8.shuffle(ix, iy, 4, 12, 5, 13, 6, 14, 7, 15), 16);
    }
    for (; e < last; e++, m++, o += 4) {
      const up = m - stride;
      const down = m + stride;
      const smoothLeft = 3 * (<i32>load<u8>(up - ucn) + <i32>load<u8>(down - ucn)) + 10 * <i32>load<u8>(m - ucn);
      const smoothRight = 3 * (<i32>load<u8>(up + ucn) + <i32>load<u8>(down + ucn)) + 10 * <i32>load<u8>(m + ucn);
      store<i16>(o, <i16>(smoothRight - smoothLeft));
      store<i16>(
        o,
        <i16>(
          3 * (<i32>load<u8>(down - ucn) - <i32>load<u8>(up - ucn) + <i32>load<u8>(down + ucn) - <i32>load<u8>(up + ucn)) +
          10 * (<i32>load<u8>(down) - <i32>load<u8>(up))
        ),
        2,
      );
    }
  }
}

/** The derivatives of columns x0..x1 and rows y0..y1 (inclusive, clipped to the image), tile by tile. */
function ensureDerivatives(level: usize, x0: i32, y0: i32, x1: i32, y1: i32): void {
  const tileCount = load<i32>(level + L_TILE_COUNT);
  let ready = load<i32>(level + L_TILES_READY);
  if (ready == tileCount) return;
  const width = load<i32>(level + L_WIDTH);
  const height = load<i32>(level + L_HEIGHT);
  const tilesX = load<i32>(level + L_TILES_X);
  const flags = load<usize>(level + L_TILE_FLAGS);
  const tx0 = max(x0, 0) >> TILE_SHIFT;
  const ty0 = max(y0, 0) >> TILE_SHIFT;
  const tx1 = min(x1, width - 1) >> TILE_SHIFT;
  const ty1 = min(y1, height - 1) >> TILE_SHIFT;
  const size = 1 << TILE_SHIFT;
  for (let ty = ty0; ty <= ty1; ty++) {
    for (let tx = tx0; tx <= tx1; tx++) {
      const tile = flags + <usize>(ty * tilesX + tx);
      if (load<u8>(tile) != 0) continue;
      const px = tx << TILE_SHIFT;
      const py = ty << TILE_SHIFT;
      scharrRegion(level, px, py, min(px + size, width), min(py + size, height));
      store<u8>(tile, 1);
      ready++;
    }
  }
  store<i32>(level + L_TILES_READY, ready);
}

/** All derivatives of a level (for tests). */
export function computeAllDerivatives(level: usize): void {
  ensureDerivatives(level, 0, 0, load<i32>(level + L_WIDTH) - 1, load<i32>(level + L_HEIGHT) - 1);
}

/** Two i16 weights repeated in the four 32-bit lanes: the second operand of pmaddwd. */
@inline
function weightPair(lo: i32, hi: i32): v128 {
  return i32x4.splat((hi << 16) | (lo & 0xffff));
}

/** Bilinear interpolation of 8 consecutive u8 elements at p (neighbours p+cn, p+step, p+step+cn), (· + 256) >> 9. */
@inline
function interpolate8(p: usize, cn: usize, step: usize, w0: v128, w1: v128): v128 {
  const v00 = v128.load8x8_u(p);
  const v01 = v128.load8x8_u(p + cn);
  const v10 = v128.load8x8_u(p + step);
  const v11 = v128.load8x8_u(p + step + cn);
  const delta = i32x4.splat(1 << (W_BITS - 5 - 1));
  const lo = i32x4.add(
    i32x4.add(i32x4.dot_i16x8_s(i16x8.shuffle(v00, v01, 0, 8, 1, 9, 2, 10, 3, 11), w0), delta),
    i32x4.dot_i16x8_s(i16x8.shuffle(v10, v11, 0, 8, 1, 9, 2, 10, 3, 11), w1),
  );
  const hi = i32x4.add(
    i32x4.add(i32x4.dot_i16x8_s(i16x8.shuffle(v00, v01, 4, 12, 5, 13, 6, 14, 7, 15), w0), delta),
    i32x4.dot_i16x8_s(i16x8.shuffle(v10, v11, 4, 12, 5, 13, 6, 14, 7, 15), w1),
  );
  return i16x8.narrow_i32x4_s(i32x4.shr_s(lo, W_BITS - 5), i32x4.shr_s(hi, W_BITS - 5));
}

/** Bilinear interpolation of 4 consecutive (Ix, Iy) pairs at p, (· + 2^13) >> 14: Ix0 Iy0 Ix1 Iy1 Ix2 Iy2 Ix3 Iy3. */
@inline
function interpolateDerivs4(p: usize, cn2: usize, dstep: usize, w0: v128, w1: v128): v128 {
  const d00 = v128.load(p);
  const d01 = v128.load(p + cn2);
  const d10 = v128.load(p + dstep);
  const d11 = v128.load(p + dstep + cn2);
  const delta = i32x4.splat(1 << (W_BITS - 1));
  const lo = i32x4.add(
    i32x4.add(i32x4.dot_i16x8_s(i16x8.shuffle(d00, d01, 0, 8, 1, 9, 2, 10, 3, 11), w0), delta),
    i32x4.dot_i16x8_s(i16x8.shuffle(d10, d11, 0, 8, 1, 9, 2, 10, 3, 11), w1),
  );
  const hi = i32x4.add(
    i32x4.add(i32x4.dot_i16x8_s(i16x8.shuffle(d00, d01, 4, 12, 5, 13, 6, 14, 7, 15), w0), delta),
    i32x4.dot_i16x8_s(i16x8.shuffle(d10, d11, 4, 12, 5, 13, 6, 14, 7, 15), w1),
  );
  return i16x8.narrow_i32x4_s(i32x4.shr_s(lo, W_BITS), i32x4.shr_s(hi, W_BITS));
}

/**
 * One level of LKTrackerInvoker::operator() over all points (lk-tracker.ts, "sse2" accumulation).
 * Points are float32 x y pairs; `status` one byte per point. `work` needs 6·win·win·channels + 256 bytes.
 *
 * Window layout in `work`: the interpolated I window as i16 (win rows of win·cn), then its derivatives:
 * for each SIMD block of 8 elements the two vectors the b-vector products need,
 * [Ix0 Ix4 Iy0 Iy4 Ix1 Ix5 Iy1 Iy5] and [Ix2 Ix6 Iy2 Iy6 Ix3 Ix7 Iy3 Iy7], and plain (Ix, Iy) pairs for
 * the tail of each row (the elements after the last whole block, OpenCV's scalar loop: their integers are
 * computed with SIMD too, but their float32 terms are summed one by one, in element order).
 */
export function trackLevel(
  I: usize,
  J: usize,
  prevPts: usize,
  nextPts: usize,
  status: usize,
  pointCount: i32,
  level: i32,
  maxLevel: i32,
  win: i32,
  maxIterations: i32,
  epsilonSquared: f64,
  minEigThreshold: f32,
  useInitialFlow: i32,
  finalBoundsCheck: i32,
  work: usize,
): void {
  const cn = load<i32>(I + L_CHANNELS);
  const ucn = <usize>cn;
  const rowLen = win * cn;
  const blockEnd = (rowLen >> 3) << 3;
  const tail = rowLen - blockEnd;
  // The tail of a row is computed 8 elements at a time too: its stores run up to 16 bytes past the window
  // (into the next row, rewritten next, or into the gaps below) and `products` receives its float32 terms.
  const iWin = work;
  const dWin = iWin + <usize>(((((win * rowLen * 2) + 15) >> 4) << 4) + 32);
  const products = dWin + <usize>(((((win * rowLen * 4) + 15) >> 4) << 4) + 32);

  const halfWin: f32 = <f32>(win - 1) * <f32>0.5;
  const levelDivisor: i32 = 1 << level;
  const levelScale: f32 = <f32>1.0 / <f32>levelDivisor;
  const windowArea2: i32 = 2 * win * win;
  const eigDivisor: f32 = <f32>windowArea2;
  const fwin: f32 = <f32>-win;
  const width = load<i32>(I + L_WIDTH);
  const height = load<i32>(I + L_HEIGHT);
  const fwidth: f32 = <f32>width;
  const fheight: f32 = <f32>height;
  const stepI = load<i32>(I + L_STRIDE);
  const pixI = load<usize>(I + L_PIXELS);
  const derivI = load<usize>(I + L_DERIVS);
  const dstep = 4 * stepI;
  const cn2 = 4 * cn;
  const stepJ = load<i32>(J + L_STRIDE);
  const pixJ = load<usize>(J + L_PIXELS);

  for (let p = 0; p < pointCount; p++) {
    const pp = prevPts + <usize>(p << 3);
    const np = nextPts + <usize>(p << 3);
    const prevX: f32 = load<f32>(pp) * levelScale;
    const prevY: f32 = load<f32>(pp, 4) * levelScale;
    let nextX: f32;
    let nextY: f32;
    if (level == maxLevel) {
      if (useInitialFlow) {
        nextX = load<f32>(np) * levelScale;
        nextY = load<f32>(np, 4) * levelScale;
      } else {
        nextX = prevX;
        nextY = prevY;
      }
    } else {
      nextX = load<f32>(np) * <f32>2;
      nextY = load<f32>(np, 4) * <f32>2;
    }
    store<f32>(np, nextX);
    store<f32>(np, nextY, 4);

    const px: f32 = prevX - halfWin;
    const py: f32 = prevY - halfWin;
    const fpx = floor<f32>(px);
    const fpy = floor<f32>(py);
    if (!(fpx >= fwin && fpx < fwidth && fpy >= fwin && fpy < fheight)) {
      if (level == 0) store<u8>(status + <usize>p, 0);
      continue;
    }
    const ipx = <i32>fpx;
    const ipy = <i32>fpy;
    let a: f32 = px - <f32>ipx;
    let b: f32 = py - <f32>ipy;
    let iw00 = <i32>nearest<f32>(((<f32>1 - a) * (<f32>1 - b)) * <f32>16384);
    let iw01 = <i32>nearest<f32>((a * (<f32>1 - b)) * <f32>16384);
    let iw10 = <i32>nearest<f32>(((<f32>1 - a) * b) * <f32>16384);
    let iw11 = (1 << W_BITS) - iw00 - iw01 - iw10;
    let w0 = weightPair(iw00, iw01);
    let w1 = weightPair(iw10, iw11);

    ensureDerivatives(I, ipx, ipy, ipx + win, ipy + win);
    let q11 = f32x4.splat(0);
    let q12 = f32x4.splat(0);
    let q22 = f32x4.splat(0);
    let tail11: f32 = 0;
    let tail12: f32 = 0;
    let tail22: f32 = 0;
    for (let y = 0; y < win; y++) {
      let src = pixI + <usize>((y + ipy) * stepI + ipx * cn);
      let dsrc = derivI + <usize>((y + ipy) * dstep + ipx * cn2);
      let iw = iWin + <usize>(2 * y * rowLen);
      let dw = dWin + <usize>(4 * y * rowLen);
      let e = 0;
      for (; e < blockEnd; e += 8, src += 8, dsrc += 32, iw += 16, dw += 32) {
        v128.store(iw, interpolate8(src, ucn, <usize>stepI, w0, w1));
        const d0 = interpolateDerivs4(dsrc, <usize>cn2, <usize>dstep, w0, w1);
        const d1 = interpolateDerivs4(dsrc + 16, <usize>cn2, <usize>dstep, w0, w1);
        v128.store(dw, i16x8.shuffle(d0, d1, 0, 8, 1, 9, 2, 10, 3, 11));
        v128.store(dw, i16x8.shuffle(d0, d1, 4, 12, 5, 13, 6, 14, 7, 15), 16);
        // Lane k of the A accumulators takes element k of each half block: Ix0..Ix3 | Iy0..Iy3.
        const s0 = i16x8.shuffle(d0, d0, 0, 2, 4, 6, 1, 3, 5, 7);
        const fx0 = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(s0));
        const fy0 = f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(s0));
        q22 = f32x4.add(f32x4.mul(fy0, fy0), q22);
        q12 = f32x4.add(f32x4.mul(fx0, fy0), q12);
        q11 = f32x4.add(f32x4.mul(fx0, fx0), q11);
        const s1 = i16x8.shuffle(d1, d1, 0, 2, 4, 6, 1, 3, 5, 7);
        const fx1 = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(s1));
        const fy1 = f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(s1));
        q22 = f32x4.add(f32x4.mul(fy1, fy1), q22);
        q12 = f32x4.add(f32x4.mul(fx1, fy1), q12);
        q11 = f32x4.add(f32x4.mul(fx1, fx1), q11);
      }
      if (tail > 0) {
        // Integer work for the whole tail at once; the float32 sums stay sequential, element by element.
        v128.store(iw, interpolate8(src, ucn, <usize>stepI, w0, w1));
        const d0 = interpolateDerivs4(dsrc, <usize>cn2, <usize>dstep, w0, w1);
        const d1 = interpolateDerivs4(dsrc + 16, <usize>cn2, <usize>dstep, w0, w1);
        v128.store(dw, d0);
        v128.store(dw, d1, 16);
        const s0 = i16x8.shuffle(d0, d0, 0, 2, 4, 6, 1, 3, 5, 7);
        const s1 = i16x8.shuffle(d1, d1, 0, 2, 4, 6, 1, 3, 5, 7);
        const fx0 = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(s0));
        const fy0 = f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(s0));
        const fx1 = f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(s1));
        const fy1 = f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(s1));
        // |Ix|, |Iy| <= 4080: every product is exact in float32, as (itemtype)(ixval*ixval) is.
        v128.store(products, f32x4.mul(fx0, fx0));
        v128.store(products, f32x4.mul(fx1, fx1), 16);
        v128.store(products, f32x4.mul(fx0, fy0), 32);
        v128.store(products, f32x4.mul(fx1, fy1), 48);
        v128.store(products, f32x4.mul(fy0, fy0), 64);
        v128.store(products, f32x4.mul(fy1, fy1), 80);
        for (let k = 0; k < tail; k++) {
          const at = products + <usize>(k << 2);
          tail11 += load<f32>(at);
          tail12 += load<f32>(at, 32);
          tail22 += load<f32>(at, 64);
        }
      }
    }
    tail11 += (f32x4.extract_lane(q11, 0) + f32x4.extract_lane(q11, 2)) + (f32x4.extract_lane(q11, 1) + f32x4.extract_lane(q11, 3));
    tail12 += (f32x4.extract_lane(q12, 0) + f32x4.extract_lane(q12, 2)) + (f32x4.extract_lane(q12, 1) + f32x4.extract_lane(q12, 3));
    tail22 += (f32x4.extract_lane(q22, 0) + f32x4.extract_lane(q22, 2)) + (f32x4.extract_lane(q22, 1) + f32x4.extract_lane(q22, 3));
    const A11: f32 = tail11 * FLT_SCALE;
    const A12: f32 = tail12 * FLT_SCALE;
    const A22: f32 = tail22 * FLT_SCALE;

    let D: f32 = A11 * A22 - A12 * A12;
    const spread: f32 = A11 - A22;
    const minEig: f32 = (A22 + A11 - sqrt<f32>(spread * spread + (<f32>4 * A12) * A12)) / eigDivisor;
    if (minEig < minEigThreshold || D < FLT_EPSILON) {
      if (level == 0) store<u8>(status + <usize>p, 0);
      continue;
    }
    D = <f32>1 / D;

    nextX -= halfWin;
    nextY -= halfWin;
    let prevDeltaX: f32 = 0;
    let prevDeltaY: f32 = 0;
    for (let j = 0; j < maxIterations; j++) {
      const fnx = floor<f32>(nextX);
      const fny = floor<f32>(nextY);
      if (!(fnx >= fwin && fnx < fwidth && fny >= fwin && fny < fheight)) {
        if (level == 0) store<u8>(status + <usize>p, 0);
        break;
      }
      const inx = <i32>fnx;
      const iny = <i32>fny;
      a = nextX - <f32>inx;
      b = nextY - <f32>iny;
      iw00 = <i32>nearest<f32>(((<f32>1 - a) * (<f32>1 - b)) * <f32>16384);
      iw01 = <i32>nearest<f32>((a * (<f32>1 - b)) * <f32>16384);
      iw10 = <i32>nearest<f32>(((<f32>1 - a) * b) * <f32>16384);
      iw11 = (1 << W_BITS) - iw00 - iw01 - iw10;
      w0 = weightPair(iw00, iw01);
      w1 = weightPair(iw10, iw11);

      let qb0 = f32x4.splat(0);
      let qb1 = f32x4.splat(0);
      let tailX: f32 = 0;
      let tailY: f32 = 0;
      for (let y = 0; y < win; y++) {
        let s = pixJ + <usize>((y + iny) * stepJ + inx * cn);
        let iw = iWin + <usize>(2 * y * rowLen);
        let dw = dWin + <usize>(4 * y * rowLen);
        let e = 0;
        for (; e < blockEnd; e += 8, s += 8, iw += 16, dw += 32) {
          const it = i16x8.sub(interpolate8(s, ucn, <usize>stepJ, w0, w1), v128.load(iw));
          const itLo = i16x8.shuffle(it, it, 0, 4, 0, 4, 1, 5, 1, 5);
          const itHi = i16x8.shuffle(it, it, 2, 6, 2, 6, 3, 7, 3, 7);
          qb0 = f32x4.add(qb0, f32x4.convert_i32x4_s(i32x4.dot_i16x8_s(itLo, v128.load(dw))));
          qb1 = f32x4.add(qb1, f32x4.convert_i32x4_s(i32x4.dot_i16x8_s(itHi, v128.load(dw, 16))));
        }
        if (tail > 0) {
          const it = i16x8.sub(interpolate8(s, ucn, <usize>stepJ, w0, w1), v128.load(iw));
          const itLo = i16x8.shuffle(it, it, 0, 0, 1, 1, 2, 2, 3, 3);
          const itHi = i16x8.shuffle(it, it, 4, 4, 5, 5, 6, 6, 7, 7);
          const d0 = v128.load(dw);
          const d1 = v128.load(dw, 16);
          // (t·Ix, t·Iy) per element as exact int32, then rounded to float32 once, as (itemtype)(diff*dIptr[0]) is.
          v128.store(products, f32x4.convert_i32x4_s(i32x4.extmul_low_i16x8_s(itLo, d0)));
          v128.store(products, f32x4.convert_i32x4_s(i32x4.extmul_high_i16x8_s(itLo, d0)), 16);
          v128.store(products, f32x4.convert_i32x4_s(i32x4.extmul_low_i16x8_s(itHi, d1)), 32);
          v128.store(products, f32x4.convert_i32x4_s(i32x4.extmul_high_i16x8_s(itHi, d1)), 48);
          for (let k = 0; k < tail; k++) {
            const at = products + <usize>(k << 3);
            tailX += load<f32>(at);
            tailY += load<f32>(at, 4);
          }
        }
      }
      const L = f32x4.add(qb0, qb1);
      tailX += f32x4.extract_lane(L, 0) + f32x4.extract_lane(L, 2);
      tailY += f32x4.extract_lane(L, 1) + f32x4.extract_lane(L, 3);
      const b1: f32 = tailX * FLT_SCALE;
      const b2: f32 = tailY * FLT_SCALE;
      const deltaX: f32 = (A12 * b2 - A22 * b1) * D;
      const deltaY: f32 = (A12 * b1 - A11 * b2) * D;
      nextX += deltaX;
      nextY += deltaY;
      store<f32>(np, nextX + halfWin);
      store<f32>(np, nextY + halfWin, 4);
      if (<f64>deltaX * <f64>deltaX + <f64>deltaY * <f64>deltaY <= epsilonSquared) break;
      if (j > 0 && <f64>abs<f32>(deltaX + prevDeltaX) < 0.01 && <f64>abs<f32>(deltaY + prevDeltaY) < 0.01) {
        store<f32>(np, load<f32>(np) - deltaX * <f32>0.5);
        store<f32>(np, load<f32>(np, 4) - deltaY * <f32>0.5, 4);
        break;
      }
      prevDeltaX = deltaX;
      prevDeltaY = deltaY;
    }

    if (level == 0 && finalBoundsCheck && load<u8>(status + <usize>p) != 0) {
      const fx = floor<f32>(load<f32>(np) - halfWin);
      const fy = floor<f32>(load<f32>(np, 4) - halfWin);
      if (!(fx >= fwin && fx < fwidth && fy >= fwin && fy < fheight)) store<u8>(status + <usize>p, 0);
    }
  }
}

/**
 * cv::resize(INTER_CUBIC) with native x86 OpenCV's arithmetic (cubic-resize.ts, "sse2"). Tables, from
 * cubicPlan(): `xofs`/`alpha` 4 i32 per output column (byte offsets of the taps in a source row, 11-bit
 * weights), `taps`/`beta` 4 i32 per output row (element offsets of the tap rows in `rows`, weights).
 * `rows` receives the horizontal pass: srcHeight rows of dstWidth·cn i32.
 */
/** Four bytes from `p` widened to i32 lanes (a BGR pixel and the byte after it). */
// @ts-ignore: decorator
@inline
function pixelLanes(p: usize): v128 {
  return i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(p)));
}

export function cubicResize(
  src: usize,
  srcStride: i32,
  srcHeight: i32,
  cn: i32,
  dst: usize,
  dstStride: i32,
  dstWidth: i32,
  dstHeight: i32,
  xofs: usize,
  alpha: usize,
  taps: usize,
  beta: usize,
  rows: usize,
): void {
  const rowLen = dstWidth * cn;
  for (let y = 0; y < srcHeight; y++) {
    const s = src + <usize>(y * srcStride);
    let o = rows + <usize>(4 * y * rowLen);
    if (cn == 3) {
      // One output pixel per step: its three channels in lanes 0–2 (integer sums, so exact in any order). Lane 3
      // spills into the next pixel's first value, which that step overwrites; the row buffer has slack after it.
      for (let d = 0; d < dstWidth; d++, o += 12) {
        const t = <usize>(16 * d);
        const offsets = v128.load(xofs + t);
        const weights = v128.load(alpha + t);
        const v0 = pixelLanes(s + <usize>i32x4.extract_lane(offsets, 0));
        const v1 = pixelLanes(s + <usize>i32x4.extract_lane(offsets, 1));
        const v2 = pixelLanes(s + <usize>i32x4.extract_lane(offsets, 2));
        const v3 = pixelLanes(s + <usize>i32x4.extract_lane(offsets, 3));
        const sum = i32x4.add(
          i32x4.add(i32x4.mul(v0, i32x4.splat(i32x4.extract_lane(weights, 0))), i32x4.mul(v1, i32x4.splat(i32x4.extract_lane(weights, 1)))),
          i32x4.add(i32x4.mul(v2, i32x4.splat(i32x4.extract_lane(weights, 2))), i32x4.mul(v3, i32x4.splat(i32x4.extract_lane(weights, 3)))),
        );
        v128.store(o, sum);
      }
    } else {
      for (let d = 0; d < dstWidth; d++) {
        const t = <usize>(16 * d);
        const p0 = s + <usize>load<i32>(xofs + t);
        const p1 = s + <usize>load<i32>(xofs + t, 4);
        const p2 = s + <usize>load<i32>(xofs + t, 8);
        const p3 = s + <usize>load<i32>(xofs + t, 12);
        const a0 = load<i32>(alpha + t);
        const a1 = load<i32>(alpha + t, 4);
        const a2 = load<i32>(alpha + t, 8);
        const a3 = load<i32>(alpha + t, 12);
        for (let c = 0; c < cn; c++, o += 4) {
          const uc = <usize>c;
          store<i32>(o, <i32>load<u8>(p0 + uc) * a0 + <i32>load<u8>(p1 + uc) * a1 + <i32>load<u8>(p2 + uc) * a2 + <i32>load<u8>(p3 + uc) * a3);
        }
      }
    }
  }
  const simdEnd = (rowLen >> 3) << 3;
  const scale: f32 = <f32>1.0 / <f32>(2048 * 2048);
  for (let d = 0; d < dstHeight; d++) {
    const t = <usize>(16 * d);
    const r0 = rows + <usize>(4 * load<i32>(taps + t));
    const r1 = rows + <usize>(4 * load<i32>(taps + t, 4));
    const r2 = rows + <usize>(4 * load<i32>(taps + t, 8));
    const r3 = rows + <usize>(4 * load<i32>(taps + t, 12));
    const b0 = load<i32>(beta + t);
    const b1 = load<i32>(beta + t, 4);
    const b2 = load<i32>(beta + t, 8);
    const b3 = load<i32>(beta + t, 12);
    const f0 = f32x4.splat(<f32>b0 * scale);
    const f1 = f32x4.splat(<f32>b1 * scale);
    const f2 = f32x4.splat(<f32>b2 * scale);
    const f3 = f32x4.splat(<f32>b3 * scale);
    const out = dst + <usize>(d * dstStride);
    let x = 0;
    for (; x < simdEnd; x += 8) {
      const o = <usize>(4 * x);
      const lo = i32x4.trunc_sat_f32x4_s(
        f32x4.nearest(
          f32x4.add(
            f32x4.mul(f32x4.convert_i32x4_s(v128.load(r0 + o)), f0),
            f32x4.add(
              f32x4.mul(f32x4.convert_i32x4_s(v128.load(r1 + o)), f1),
              f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(v128.load(r2 + o)), f2), f32x4.mul(f32x4.convert_i32x4_s(v128.load(r3 + o)), f3)),
            ),
          ),
        ),
      );
      const hi = i32x4.trunc_sat_f32x4_s(
        f32x4.nearest(
          f32x4.add(
            f32x4.mul(f32x4.convert_i32x4_s(v128.load(r0 + o, 16)), f0),
            f32x4.add(
              f32x4.mul(f32x4.convert_i32x4_s(v128.load(r1 + o, 16)), f1),
              f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(v128.load(r2 + o, 16)), f2), f32x4.mul(f32x4.convert_i32x4_s(v128.load(r3 + o, 16)), f3)),
            ),
          ),
        ),
      );
      const packed = i16x8.narrow_i32x4_s(lo, hi);
      v128.store64_lane(out + <usize>x, i8x16.narrow_i16x8_u(packed, packed), 0);
    }
    for (; x < rowLen; x++) {
      const o = <usize>(4 * x);
      const v = (load<i32>(r0 + o) * b0 + load<i32>(r1 + o) * b1 + load<i32>(r2 + o) * b2 + load<i32>(r3 + o) * b3 + (1 << 21)) >> 22;
      store<u8>(out + <usize>x, <u8>(v < 0 ? 0 : v > 255 ? 255 : v));
    }
  }
}

/** saturate_cast<uchar>(float) of 8 float32 values at p: cvRound (half to even), then clamped to 0..255, stored at out. */
@inline
function storeSaturatedU8x8(p: usize, out: usize): void {
  const lo = i32x4.trunc_sat_f32x4_s(f32x4.nearest(v128.load(p)));
  const hi = i32x4.trunc_sat_f32x4_s(f32x4.nearest(v128.load(p, 16)));
  const packed = i16x8.narrow_i32x4_s(lo, hi);
  v128.store64_lane(out, i8x16.narrow_i16x8_u(packed, packed), 0);
}

@inline
function saturateU8(v: f32): u8 {
  const r = <i32>nearest<f32>(v);
  return <u8>(r < 0 ? 0 : r > 255 ? 255 : r);
}

/** One destination row of the area resize: round and saturate `sum` (rowLen float32) into `out`. */
function flushAreaRow(sum: usize, out: usize, rowLen: i32): void {
  let x = 0;
  for (; x + 8 <= rowLen; x += 8) storeSaturatedU8x8(sum + <usize>(4 * x), out + <usize>x);
  for (; x < rowLen; x++) store<u8>(out + <usize>x, saturateU8(load<f32>(sum + <usize>(4 * x))));
}

/**
 * cv::resize(INTER_AREA)'s general path, ResizeArea_Invoker (area-resize.ts): `xtab` and `ytab` hold
 * computeResizeAreaTab's entries as 3 × 4 bytes (source offset, destination offset, float32 weight; offsets
 * in elements, ytab's in rows). `buf` and `sum` need rowLen float32 each (rowLen = dstWidth·cn). Every
 * float32 operation is a separate multiply and add, element by element, as in the native scalar code; the
 * vertical pass is elementwise, so SIMD lanes round exactly as the scalar code does.
 */
export function areaResize(
  src: usize,
  srcStride: i32,
  cn: i32,
  dst: usize,
  dstStride: i32,
  rowLen: i32,
  xtab: usize,
  xtabSize: i32,
  ytab: usize,
  ytabSize: i32,
  buf: usize,
  sum: usize,
): void {
  const rowBytes = <usize>(4 * rowLen);
  const vecEnd = (rowLen >> 2) << 2;
  memory.fill(sum, 0, rowBytes);
  let prevDy = load<i32>(ytab, 4);
  for (let j = 0; j < ytabSize; j++) {
    const y = ytab + <usize>(12 * j);
    const row = src + <usize>(load<i32>(y) * srcStride);
    const dy = load<i32>(y, 4);
    const beta = load<f32>(y, 8);
    memory.fill(buf, 0, rowBytes);
    const xEnd = xtab + <usize>(12 * xtabSize);
    if (cn == 3) {
      for (let t = xtab; t < xEnd; t += 12) {
        const s = row + <usize>load<i32>(t);
        const d = buf + <usize>(load<i32>(t, 4) << 2);
        const alpha = load<f32>(t, 8);
        store<f32>(d, load<f32>(d) + <f32>load<u8>(s) * alpha);
        store<f32>(d, load<f32>(d, 4) + <f32>load<u8>(s, 1) * alpha, 4);
        store<f32>(d, load<f32>(d, 8) + <f32>load<u8>(s, 2) * alpha, 8);
      }
    } else {
      for (let t = xtab; t < xEnd; t += 12) {
        const s = row + <usize>load<i32>(t);
        const d = buf + <usize>(load<i32>(t, 4) << 2);
        const alpha = load<f32>(t, 8);
        for (let c = 0; c < cn; c++) {
          const at = d + <usize>(c << 2);
          store<f32>(at, load<f32>(at) + <f32>load<u8>(s + <usize>c) * alpha);
        }
      }
    }
    const vbeta = f32x4.splat(beta);
    if (dy != prevDy) {
      flushAreaRow(sum, dst + <usize>(prevDy * dstStride), rowLen);
      let x = 0;
      for (; x < vecEnd; x += 4) {
        const o = <usize>(4 * x);
        v128.store(sum + o, f32x4.mul(vbeta, v128.load(buf + o)));
      }
      for (; x < rowLen; x++) store<f32>(sum + <usize>(4 * x), beta * load<f32>(buf + <usize>(4 * x)));
      prevDy = dy;
    } else {
      let x = 0;
      for (; x < vecEnd; x += 4) {
        const o = <usize>(4 * x);
        v128.store(sum + o, f32x4.add(v128.load(sum + o), f32x4.mul(vbeta, v128.load(buf + o))));
      }
      for (; x < rowLen; x++) {
        const o = <usize>(4 * x);
        store<f32>(sum + o, load<f32>(sum + o) + beta * load<f32>(buf + o));
      }
    }
  }
  flushAreaRow(sum, dst + <usize>(prevDy * dstStride), rowLen);
}

/**
 * cv::resize(INTER_AREA)'s integer-scale path, resizeAreaFast_ (area-resize.ts), when the source is exactly
 * scaleX·dstWidth × scaleY·dstHeight: 2×2 with 1, 3 or 4 channels rounds (sum + 2) >> 2; any other scale
 * rounds float32(sum) × float32(1 / area) half to even.
 */
export function areaResizeFast(
  src: usize,
  srcStride: i32,
  cn: i32,
  dst: usize,
  dstStride: i32,
  dstWidth: i32,
  dstHeight: i32,
  scaleX: i32,
  scaleY: i32,
): void {
  const rowLen = dstWidth * cn;
  const roundUp = scaleX == 2 && scaleY == 2 && (cn == 1 || cn == 3 || cn == 4);
  const scale: f32 = <f32>1.0 / <f32>(scaleX * scaleY);
  for (let dy = 0; dy < dstHeight; dy++) {
    const row = src + <usize>(dy * scaleY * srcStride);
    const out = dst + <usize>(dy * dstStride);
    for (let dx = 0; dx < rowLen; dx++) {
      const c = dx % cn;
      const start = row + <usize>((dx - c) * scaleX + c);
      let total = 0;
      for (let sy = 0; sy < scaleY; sy++) {
        const r = start + <usize>(sy * srcStride);
        for (let sx = 0; sx < scaleX; sx++) total += <i32>load<u8>(r + <usize>(sx * cn));
      }
      store<u8>(out + <usize>dx, roundUp ? <u8>((total + 2) >> 2) : saturateU8(<f32>total * scale));
    }
  }
}

/** Start of the memory the caller may lay buffers out in. */
export function heapBase(): usize {
  return __heap_base;
}
