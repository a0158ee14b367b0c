import { scharrRegion } from "./scharr.js";

/** Derivatives are computed in square tiles of this many pixels, when a window first needs them. */
const TILE_SHIFT = 3;

/**
 * One pyramid level: a u8 image (`channels` interleaved) stored with `border` pixels of BORDER_REFLECT_101
 * padding on every side, as OpenCV's buildOpticalFlowPyramid lays it out. Pixel (x, y), channel c of the
 * unpadded image is `data[origin + y * stride + x * channels + c]`.
 *
 * `derivatives` has the same layout with two int16 (Ix, Iy) per element and a zero border; its interior is
 * filled tile by tile by `ensureDerivatives`, since LK windows cover only part of a frame.
 */
export class PyramidLevel {
  width = 0;
  height = 0;
  channels = 0;
  stride = 0;
  origin = 0;
  data = new Uint8Array(0);
  derivatives = new Int16Array(0);
  private tilesX = 0;
  private tileReady = new Uint8Array(0);
  private readyCount = 0;

  resize(width: number, height: number, channels: number, border: number): void {
    this.readyCount = 0;
    this.tileReady.fill(0);
    if (width === this.width && height === this.height && channels === this.channels && this.origin === border * (this.stride + channels)) {
      return;
    }
    this.width = width;
    this.height = height;
    this.channels = channels;
    this.stride = (width + 2 * border) * channels;
    this.origin = border * this.stride + border * channels;
    this.data = new Uint8Array(this.stride * (height + 2 * border));
    this.derivatives = new Int16Array(0);
    this.tilesX = ((width - 1) >> TILE_SHIFT) + 1;
    this.tileReady = new Uint8Array(this.tilesX * (((height - 1) >> TILE_SHIFT) + 1));
  }

  /** Computes the derivatives of the pixels in columns x0..x1 and rows y0..y1 (inclusive) not yet done. */
  ensureDerivatives(x0: number, y0: number, x1: number, y1: number): void {
    if (this.readyCount === this.tileReady.length) return;
    if (this.derivatives.length !== 2 * this.data.length) this.derivatives = new Int16Array(2 * this.data.length);
    const tx0 = Math.max(x0, 0) >> TILE_SHIFT;
    const ty0 = Math.max(y0, 0) >> TILE_SHIFT;
    const tx1 = Math.min(x1, this.width - 1) >> TILE_SHIFT;
    const ty1 = Math.min(y1, this.height - 1) >> TILE_SHIFT;
    for (let ty = ty0; ty <= ty1; ty++) {
      for (let tx = tx0; tx <= tx1; tx++) {
        const tile = ty * this.tilesX + tx;
        if (this.tileReady[tile] !== 0) continue;
        const px = tx << TILE_SHIFT;
        const py = ty << TILE_SHIFT;
        const size = 1 << TILE_SHIFT;
        scharrRegion(this, this.channels, this.derivatives, px, py, Math.min(px + size, this.width), Math.min(py + size, this.height));
        this.tileReady[tile] = 1;
        this.readyCount++;
      }
    }
  }
}

export interface FlowPyramidOptions {
  /** Square LK window side; also the padding of every level (OpenCV pads by winSize). */
  winSize: number;
  /** Highest level wanted; fewer are built when a level would be no larger than the window. */
  maxLevel: number;
}

/**
 * The image pyramid of one frame for pyramidal LK, equal to OpenCV 4.6's
 * `buildOpticalFlowPyramid(img, pyr, winSize, maxLevel, false)` byte for byte. Each level's Scharr
 * derivatives are computed when the frame is first tracked *from* (`prev`), only where windows need
 * them, then kept: a frame used as `prev` of two LK calls pays for them once. `build` reuses all buffers
 * when the size is unchanged.
 */
export class FlowPyramid {
  readonly winSize: number;
  readonly requestedMaxLevel: number;
  channels = 0;
  /** Levels 0..maxLevel (only the first `levelCount` entries are valid). */
  readonly levels: PyramidLevel[] = [];
  levelCount = 0;
  private rowSums = new Int32Array(0);

  constructor(options: FlowPyramidOptions) {
    if (!Number.isInteger(options.winSize) || options.winSize <= 2) throw new Error(`LK window must be an integer > 2, got ${options.winSize}`);
    if (!Number.isInteger(options.maxLevel) || options.maxLevel < 0) throw new Error(`LK maxLevel must be an integer >= 0, got ${options.maxLevel}`);
    this.winSize = options.winSize;
    this.requestedMaxLevel = options.maxLevel;
  }

  get maxLevel(): number {
    return this.levelCount - 1;
  }

  get width(): number {
    return this.levels[0]?.width ?? 0;
  }

  get height(): number {
    return this.levels[0]?.height ?? 0;
  }

  /** Rebuilds the pyramid from an unpadded, tightly packed u8 image. */
  build(image: Uint8Array, width: number, height: number, channels: number): this {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new Error(`pyramid image must have a positive integer size, got ${width}×${height}`);
    }
    if (!Number.isInteger(channels) || channels < 1) throw new Error(`pyramid image must have >= 1 channel, got ${channels}`);
    if (image.length < width * height * channels) {
      throw new Error(`pyramid image has ${image.length} bytes, expected ${width}×${height}×${channels}`);
    }
    const border = this.winSize;
    this.channels = channels;
    let w = width;
    let h = height;
    let level = 0;
    for (;;) {
      const current = this.levelAt(level);
      current.resize(w, h, channels, border);
      if (level === 0) copyInto(image, width, height, channels, current);
      else pyrDownInto(this.levels[level - 1]!, current, channels, this.scratchRows(current.width * channels * this.levels[level - 1]!.height));
      padReflect101(current, channels, border);
      w = (w + 1) >> 1;
      h = (h + 1) >> 1;
      if (level === this.requestedMaxLevel || w <= this.winSize || h <= this.winSize) break;
      level++;
    }
    this.levelCount = level + 1;
    return this;
  }

  /** True when level 0 holds exactly this image (same size, channels and bytes). */
  holds(image: Uint8Array, width: number, height: number, channels: number): boolean {
    const level = this.levels[0];
    if (this.levelCount === 0 || level === undefined) return false;
    if (level.width !== width || level.height !== height || this.channels !== channels) return false;
    const rowBytes = width * channels;
    for (let y = 0; y < height; y++) {
      const start = level.origin + y * level.stride;
      if (Buffer.compare(image.subarray(y * rowBytes, (y + 1) * rowBytes), level.data.subarray(start, start + rowBytes)) !== 0) {
        return false;
      }
    }
    return true;
  }

  /** All of a level's derivatives (computing what no window has needed yet). */
  derivatives(level: number): Int16Array {
    const current = this.levels[level];
    if (current === undefined || level >= this.levelCount) throw new Error(`pyramid has no level ${level}`);
    current.ensureDerivatives(0, 0, current.width - 1, current.height - 1);
    return current.derivatives;
  }

  private levelAt(level: number): PyramidLevel {
    let current = this.levels[level];
    if (current === undefined) {
      current = new PyramidLevel();
      this.levels[level] = current;
    }
    return current;
  }

  private scratchRows(size: number): Int32Array {
    if (this.rowSums.length < size) this.rowSums = new Int32Array(size);
    return this.rowSums;
  }
}

/** Builds (or rebuilds `reuse`) the pyramid of one frame. */
export function buildFlowPyramid(
  image: Uint8Array,
  width: number,
  height: number,
  channels: number,
  options: FlowPyramidOptions,
  reuse?: FlowPyramid,
): FlowPyramid {
  const pyramid =
    reuse !== undefined && reuse.winSize === options.winSize && reuse.requestedMaxLevel === options.maxLevel
      ? reuse
      : new FlowPyramid(options);
  return pyramid.build(image, width, height, channels);
}

/** OpenCV's borderInterpolate for BORDER_REFLECT_101 (gfedcb|abcdefgh|gfedcba). */
export function reflect101(p: number, length: number): number {
  if (length === 1) return 0;
  while (p < 0 || p >= length) p = p < 0 ? -p : 2 * length - 2 - p;
  return p;
}

function copyInto(image: Uint8Array, width: number, height: number, channels: number, level: PyramidLevel): void {
  const rowBytes = width * channels;
  for (let y = 0; y < height; y++) {
    level.data.set(image.subarray(y * rowBytes, (y + 1) * rowBytes), level.origin + y * level.stride);
  }
}

/**
 * cv::pyrDown to ((w+1)/2, (h+1)/2): 5×5 kernel [1 4 6 4 1]⊗[1 4 6 4 1] over the source with REFLECT_101
 * indices, result (sum + 128) >> 8. Horizontal sums of every source row first, then the vertical pass.
 */
function pyrDownInto(src: PyramidLevel, dst: PyramidLevel, cn: number, rowSums: Int32Array): void {
  const sw = src.width;
  const sh = src.height;
  const dw = dst.width;
  const dh = dst.height;
  const rowLen = dw * cn;
  const s = src.data;
  // Destination columns whose five taps 2x-2..2x+2 all lie inside the source.
  const xSafeStart = 1;
  const xSafeEnd = Math.min(dw, ((sw - 3) >> 1) + 1);
  const hasInterior = xSafeStart < xSafeEnd;
  const leftEnd = hasInterior ? xSafeStart : dw;
  const rightStart = hasInterior ? xSafeEnd : dw;
  const step = 2 * cn;
  for (let y = 0; y < sh; y++) {
    const row = src.origin + y * src.stride;
    const out = y * rowLen;
    for (let x = 0; x < leftEnd; x++) edgeRowSum(s, row, x, sw, cn, rowSums, out + x * cn);
    for (let x = rightStart; x < dw; x++) edgeRowSum(s, row, x, sw, cn, rowSums, out + x * cn);
    // Interior: consecutive outputs share three taps, so each step loads two new samples.
    for (let c = 0; c < cn && hasInterior; c++) {
      let p = row + (2 * xSafeStart - 2) * cn + c;
      let a0 = s[p]!;
      let a1 = s[p + cn]!;
      let a2 = s[p + 2 * cn]!;
      let o = out + xSafeStart * cn + c;
      for (let x = xSafeStart; x < xSafeEnd; x++, p += step, o += cn) {
        const a3 = s[p + 3 * cn]!;
        const a4 = s[p + 4 * cn]!;
        rowSums[o] = a0 + 4 * (a1 + a3) + 6 * a2 + a4;
        a0 = a2;
        a1 = a3;
        a2 = a4;
      }
    }
  }
  const d = dst.data;
  for (let y = 0; y < dh; y++) {
    const r0 = reflect101(2 * y - 2, sh) * rowLen;
    const r1 = reflect101(2 * y - 1, sh) * rowLen;
    const r2 = reflect101(2 * y, sh) * rowLen;
    const r3 = reflect101(2 * y + 1, sh) * rowLen;
    const r4 = reflect101(2 * y + 2, sh) * rowLen;
    const o = dst.origin + y * dst.stride;
    for (let i = 0; i < rowLen; i++) {
      const sum = rowSums[r0 + i]! + 4 * (rowSums[r1 + i]! + rowSums[r3 + i]!) + 6 * rowSums[r2 + i]! + rowSums[r4 + i]!;
      d[o + i] = (sum + 128) >> 8;
    }
  }
}

/** The horizontal pyrDown sum of output column x whose taps reach past the row's ends (REFLECT_101). */
function edgeRowSum(s: Uint8Array, row: number, x: number, sw: number, cn: number, rowSums: Int32Array, o: number): void {
  const x0 = row + reflect101(2 * x - 2, sw) * cn;
  const x1 = row + reflect101(2 * x - 1, sw) * cn;
  const x2 = row + reflect101(2 * x, sw) * cn;
  const x3 = row + reflect101(2 * x + 1, sw) * cn;
  const x4 = row + reflect101(2 * x + 2, sw) * cn;
  for (let c = 0; c < cn; c++) rowSums[o + c] = s[x0 + c]! + 4 * (s[x1 + c]! + s[x3 + c]!) + 6 * s[x2 + c]! + s[x4 + c]!;
}

/** copyMakeBorder(…, BORDER_REFLECT_101) of the level's interior into its own padding. */
function padReflect101(level: PyramidLevel, cn: number, border: number): void {
  const { width, height, stride, origin, data } = level;
  for (let y = 0; y < height; y++) {
    const row = origin + y * stride;
    for (let x = 1; x <= border; x++) {
      const left = row - x * cn;
      const right = row + (width - 1 + x) * cn;
      const fromLeft = row + reflect101(-x, width) * cn;
      const fromRight = row + reflect101(width - 1 + x, width) * cn;
      for (let c = 0; c < cn; c++) {
        data[left + c] = data[fromLeft + c]!;
        data[right + c] = data[fromRight + c]!;
      }
    }
  }
  const rowStart = origin - border * cn;
  for (let y = 1; y <= border; y++) {
    const top = rowStart - y * stride;
    const fromTop = rowStart + reflect101(-y, height) * stride;
    data.copyWithin(top, fromTop, fromTop + stride);
    const bottom = rowStart + (height - 1 + y) * stride;
    const fromBottom = rowStart + reflect101(height - 1 + y, height) * stride;
    data.copyWithin(bottom, fromBottom, fromBottom + stride);
  }
}
