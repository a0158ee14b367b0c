import { LrnetDataError } from "../../errors.js";
import { fileURLToPath } from "node:url";
import { type WasmMemory, instantiateWasm, lazyWasmModule } from "../../wasm/wasm-module.js";
import { type AreaTable, areaPlan, checkAreaSource } from "../area-resize.js";
import { checkCubicSource, cubicPlan } from "../cubic-resize.js";
import { type LkParams, type PyramidShape, prepareTracking } from "./pyramidal-lk.js";

/**
 * The WebAssembly build of the exact LK core (assembly/lk.ts, compiled by `npm run build` next to this
 * file): pyramids, Scharr derivatives, LK tracking and the cubic and area resizes, with the same arithmetic as the
 * TypeScript port ("sse2" order) and SIMD where the native build has it. Each WasmLk owns one instance
 * (its own linear memory, freed with it); the compiled module is shared by the thread.
 */


interface LkExports {
  memory: WasmMemory;
  heapBase(): number;
  buildPyramid(levels: number, levelCount: number, border: number, scratch: number): void;
  computeAllDerivatives(level: number): void;
  trackLevel(
    I: number,
    J: number,
    prevPts: number,
    nextPts: number,
    status: number,
    pointCount: number,
    level: number,
    maxLevel: number,
    win: number,
    maxIterations: number,
    epsilonSquared: number,
    minEigThreshold: number,
    useInitialFlow: number,
    finalBoundsCheck: number,
    work: number,
  ): void;
  cubicResize(
    src: number,
    srcStride: number,
    srcHeight: number,
    channels: number,
    dst: number,
    dstStride: number,
    dstWidth: number,
    dstHeight: number,
    xofs: number,
    alpha: number,
    taps: number,
    beta: number,
    rows: number,
  ): void;
  areaResize(
    src: number,
    srcStride: number,
    channels: number,
    dst: number,
    dstStride: number,
    rowLen: number,
    xtab: number,
    xtabSize: number,
    ytab: number,
    ytabSize: number,
    buf: number,
    sum: number,
  ): void;
  areaResizeFast(
    src: number,
    srcStride: number,
    channels: number,
    dst: number,
    dstStride: number,
    dstWidth: number,
    dstHeight: number,
    scaleX: number,
    scaleY: number,
  ): void;
}

/** Where `npm run build` puts the module (assembly/asconfig.json). */
export const LK_WASM_PATH = fileURLToPath(new URL("./lk.wasm", import.meta.url));

export class LkWasmMissingError extends LrnetDataError {
  constructor() {
    super(`the wasm LK core ${LK_WASM_PATH} is missing: run \`npm run build\` (it compiles assembly/lk.ts)`);
  }
}

/** The compiled module, or null when it was not built (compiled once per thread). */
const lkModule = lazyWasmModule(LK_WASM_PATH);

export function lkWasmAvailable(): boolean {
  return lkModule() !== null;
}

// Level descriptor, as assembly/lk.ts reads it: 16 i32 per level.
const LEVEL_BYTES = 64;
const L_WIDTH = 0;
const L_HEIGHT = 1;
const L_CHANNELS = 2;
const L_STRIDE = 3;
const L_PIXELS = 4;
const L_DERIVS = 5;
const L_TILES_X = 6;
const L_TILE_COUNT = 7;
const L_TILE_FLAGS = 8;
const TILE_SHIFT = 3;
/** Slack after every buffer: SIMD loads read up to 16 bytes at a time. */
const SLACK = 64;

const align = (n: number): number => (n + 15) & ~15;

/** One wasm instance and a grow-only bump allocator over its memory. */
export class WasmLk {
  readonly exports: LkExports;
  private top: number;
  private buffer: ArrayBuffer;
  private bytes: Uint8Array;
  private ints: Int32Array;
  private floats: Float32Array;
  private readonly work = new Slot();
  private readonly prevPts = new Slot();
  private readonly nextPts = new Slot();
  private readonly status = new Slot();

  constructor() {
    const module = lkModule();
    if (module === null) throw new LkWasmMissingError();
    this.exports = instantiateWasm<LkExports>(module);
    this.top = align(this.exports.heapBase());
    this.buffer = this.exports.memory.buffer;
    this.bytes = new Uint8Array(this.buffer);
    this.ints = new Int32Array(this.buffer);
    this.floats = new Float32Array(this.buffer);
  }

  /** Reserves `size` fresh (zeroed) bytes, 16-byte aligned. Never freed: callers keep and reuse what they get. */
  alloc(size: number): number {
    const at = this.top;
    this.top = align(at + size + SLACK);
    const memory = this.exports.memory;
    if (this.top > memory.buffer.byteLength) memory.grow(Math.ceil((this.top - memory.buffer.byteLength) / 65536));
    return at;
  }

  /** Views of the memory (new ones after it grew). */
  get u8(): Uint8Array {
    this.refresh();
    return this.bytes;
  }

  get i32(): Int32Array {
    this.refresh();
    return this.ints;
  }

  get f32(): Float32Array {
    this.refresh();
    return this.floats;
  }

  /** An address with room for `size` bytes in `slot`, reallocated only when it must grow. */
  room(slot: Slot, size: number): number {
    if (slot.size < size) {
      slot.at = this.alloc(size);
      slot.size = size;
    }
    return slot.at;
  }

  /**
   * trackPoints() (pyramidal-lk.ts) on two wasm pyramids, "sse2" accumulation only: the result is bit for
   * bit the TypeScript port's.
   */
  trackPoints(
    prevPyr: WasmPyramid,
    nextPyr: WasmPyramid,
    prevPts: Float32Array,
    nextPts: Float32Array,
    status: Uint8Array,
    params: Readonly<LkParams>,
  ): void {
    if (prevPyr.owner !== this || nextPyr.owner !== this) throw new Error("LK pyramids belong to another wasm instance");
    if (params.accumulation !== "sse2") throw new Error(`the wasm LK core reproduces the "sse2" order only, not "${params.accumulation}"`);
    const { pointCount, maxLevel, level } = prepareTracking(prevPyr, nextPyr, prevPts, nextPts, status, params);
    status.fill(1, 0, pointCount);
    if (pointCount === 0) return;
    const win = level.winSize;
    const prevAt = this.room(this.prevPts, 8 * pointCount);
    const nextAt = this.room(this.nextPts, 8 * pointCount);
    const statusAt = this.room(this.status, pointCount);
    const work = this.room(this.work, 6 * win * win * prevPyr.channels + 256);
    const f32 = this.f32;
    f32.set(prevPts.subarray(0, 2 * pointCount), prevAt >> 2);
    f32.set(nextPts.subarray(0, 2 * pointCount), nextAt >> 2);
    this.u8.fill(1, statusAt, statusAt + pointCount);
    const { trackLevel } = this.exports;
    for (let k = maxLevel; k >= 0; k--) {
      trackLevel(
        prevPyr.level(k),
        nextPyr.level(k),
        prevAt,
        nextAt,
        statusAt,
        pointCount,
        k,
        maxLevel,
        win,
        level.maxIterations,
        level.epsilonSquared,
        level.minEigThreshold,
        level.useInitialFlow ? 1 : 0,
        level.finalBoundsCheck ? 1 : 0,
        work,
      );
    }
    nextPts.set(this.f32.subarray(nextAt >> 2, (nextAt >> 2) + 2 * pointCount));
    status.set(this.u8.subarray(statusAt, statusAt + pointCount));
  }

  private refresh(): void {
    if (this.buffer !== this.exports.memory.buffer) {
      this.buffer = this.exports.memory.buffer;
      this.bytes = new Uint8Array(this.buffer);
      this.ints = new Int32Array(this.buffer);
      this.floats = new Float32Array(this.buffer);
    }
  }
}

/** A buffer in wasm memory reused while it is large enough. */
export class Slot {
  at = 0;
  size = 0;
}

interface LevelBuffers {
  pixels: Slot;
  derivs: Slot;
  tiles: Slot;
  /** The layout the derivative buffer was last zeroed for: its padding must read as zeros. */
  layout: string;
}

/**
 * The image pyramid of one frame in wasm memory, laid out as FlowPyramid (pyramid.ts) lays it out:
 * every level padded by winSize with BORDER_REFLECT_101, derivatives (int16 Ix, Iy per element, zero
 * padding) computed tile by tile when a window first needs them. Buffers are kept across builds.
 */
export class WasmPyramid implements PyramidShape {
  readonly winSize: number;
  readonly requestedMaxLevel: number;
  width = 0;
  height = 0;
  channels = 0;
  levelCount = 0;
  private readonly descriptors: number;
  private readonly buffers: LevelBuffers[] = [];
  private readonly scratch = new Slot();

  constructor(
    readonly owner: WasmLk,
    options: { winSize: number; maxLevel: number },
  ) {
    if (!Number.isInteger(options.winSize) || options.winSize <= 2) throw new Error(`LK window must be an integer > 2, got ${options.winSize}`);
    if (!Number.isInteger(options.maxLevel) || options.maxLevel < 0) throw new Error(`LK maxLevel must be an integer >= 0, got ${options.maxLevel}`);
    this.winSize = options.winSize;
    this.requestedMaxLevel = options.maxLevel;
    this.descriptors = owner.alloc(LEVEL_BYTES * (options.maxLevel + 1));
  }

  /** Address of level k's descriptor. */
  level(k: number): number {
    return this.descriptors + k * LEVEL_BYTES;
  }

  /**
   * Lays the levels out for a width × height × channels image and returns where level 0's image goes:
   * the address of pixel (0, 0) and the bytes between rows. Write it, then call finish().
   */
  prepare(width: number, height: number, channels: number): { pixels: number; stride: number } {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new Error(`pyramid image must have a positive integer size, got ${width}×${height}`);
    }
    if (!Number.isInteger(channels) || channels < 1) throw new Error(`pyramid image must have >= 1 channel, got ${channels}`);
    const border = this.winSize;
    const lk = this.owner;
    // The same level count as FlowPyramid.build.
    const sizes: Array<[number, number]> = [];
    for (let w = width, h = height; ; ) {
      sizes.push([w, h]);
      w = (w + 1) >> 1;
      h = (h + 1) >> 1;
      if (sizes.length - 1 === this.requestedMaxLevel || w <= this.winSize || h <= this.winSize) break;
    }
    lk.room(this.scratch, 4 * (width * channels + 4 * channels) + 64);
    for (const [k, [w, h]] of sizes.entries()) {
      const stride = (w + 2 * border) * channels;
      const padded = stride * (h + 2 * border);
      const tilesX = ((w - 1) >> TILE_SHIFT) + 1;
      const tileCount = tilesX * (((h - 1) >> TILE_SHIFT) + 1);
      const buffers = (this.buffers[k] ??= { pixels: new Slot(), derivs: new Slot(), tiles: new Slot(), layout: "" });
      const pixels = lk.room(buffers.pixels, padded);
      const derivsGrew = buffers.derivs.size < 4 * padded;
      const derivs = lk.room(buffers.derivs, 4 * padded);
      const tiles = lk.room(buffers.tiles, tileCount);
      const layout = `${w}x${h}x${channels}+${border}`;
      if (buffers.layout !== layout) {
        if (!derivsGrew) lk.u8.fill(0, derivs, derivs + buffers.derivs.size);
        buffers.layout = layout;
      }
      const origin = border * stride + border * channels;
      const d = this.level(k) >> 2;
      const i32 = lk.i32;
      i32[d + L_WIDTH] = w;
      i32[d + L_HEIGHT] = h;
      i32[d + L_CHANNELS] = channels;
      i32[d + L_STRIDE] = stride;
      i32[d + L_PIXELS] = pixels + origin;
      i32[d + L_DERIVS] = derivs + 4 * origin;
      i32[d + L_TILES_X] = tilesX;
      i32[d + L_TILE_COUNT] = tileCount;
      i32[d + L_TILE_FLAGS] = tiles;
    }
    this.width = width;
    this.height = height;
    this.channels = channels;
    this.levelCount = sizes.length;
    const d0 = this.level(0) >> 2;
    return { pixels: lk.i32[d0 + L_PIXELS]!, stride: lk.i32[d0 + L_STRIDE]! };
  }

  /** Pads level 0 and builds the levels above it; derivatives start uncomputed. */
  finish(): this {
    this.owner.exports.buildPyramid(this.descriptors, this.levelCount, this.winSize, this.scratch.at);
    return this;
  }

  /** Builds the pyramid of a tightly packed u8 image. */
  build(image: Uint8Array, width: number, height: number, channels: number): this {
    if (image.length < width * height * channels) {
      throw new Error(`pyramid image has ${image.length} bytes, expected ${width}×${height}×${channels}`);
    }
    const { pixels, stride } = this.prepare(width, height, channels);
    const u8 = this.owner.u8;
    const rowBytes = width * channels;
    for (let y = 0; y < height; y++) u8.set(image.subarray(y * rowBytes, (y + 1) * rowBytes), pixels + y * stride);
    return this.finish();
  }

  /** Level k's padded image, as FlowPyramid's PyramidLevel.data holds it (for tests). */
  levelImage(k: number): Uint8Array {
    const { pixels, stride, height, channels } = this.levelFields(k);
    const origin = this.winSize * stride + this.winSize * channels;
    const start = pixels - origin;
    return this.owner.u8.slice(start, start + stride * (height + 2 * this.winSize));
  }

  /** Level k's derivatives, all computed, in PyramidLevel.derivatives' layout (for tests). */
  levelDerivatives(k: number): Int16Array {
    this.owner.exports.computeAllDerivatives(this.level(k));
    const { stride, height, channels } = this.levelFields(k);
    const d = this.level(k) >> 2;
    const origin = this.winSize * stride + this.winSize * channels;
    const start = this.owner.i32[d + L_DERIVS]! - 4 * origin;
    const bytes = this.owner.u8.slice(start, start + 4 * stride * (height + 2 * this.winSize));
    return new Int16Array(bytes.buffer);
  }

  private levelFields(k: number): { pixels: number; stride: number; height: number; channels: number } {
    if (k < 0 || k >= this.levelCount) throw new Error(`pyramid has no level ${k}`);
    const d = this.level(k) >> 2;
    const i32 = this.owner.i32;
    return { pixels: i32[d + L_PIXELS]!, stride: i32[d + L_STRIDE]!, height: i32[d + L_HEIGHT]!, channels: i32[d + L_CHANNELS]! };
  }
}

/**
 * CubicResizer ("sse2", cubic-resize.ts) in wasm. The source is copied into wasm memory (only the rows of
 * the region); the result is written straight into a destination in wasm memory (a pyramid's level 0).
 */
export class WasmCubicResizer {
  private key = "";
  private readonly source = new Slot();
  private readonly tables = new Slot();
  private readonly rows = new Slot();
  private readonly target = new Slot();

  constructor(readonly owner: WasmLk) {}

  /** Resizes the region (as CubicResizer.resize describes it) into dstWidth × dstHeight at `dst`, rows `dstStride` bytes apart. */
  resizeInto(
    src: Uint8Array,
    srcOffset: number,
    srcStride: number,
    srcWidth: number,
    srcHeight: number,
    channels: number,
    dst: number,
    dstStride: number,
    dstWidth: number,
    dstHeight: number,
  ): void {
    checkCubicSource(src.length, srcOffset, srcStride, srcWidth, srcHeight, channels, dstWidth, dstHeight);
    const lk = this.owner;
    const rowBytes = srcWidth * channels;
    const source = copyRowsIn(lk, this.source, src, srcOffset, srcStride, rowBytes, srcHeight);
    const u8 = lk.u8;
    if (srcWidth === dstWidth && srcHeight === dstHeight) {
      // cv::resize copies when the size is unchanged.
      for (let y = 0; y < srcHeight; y++) u8.copyWithin(dst + y * dstStride, source + y * rowBytes, source + (y + 1) * rowBytes);
      return;
    }
    const tableBytes = 16 * (dstWidth + dstHeight);
    const at = lk.room(this.tables, 2 * tableBytes);
    const key = `${srcWidth}x${srcHeight}>${dstWidth}x${dstHeight}x${channels}`;
    if (key !== this.key) {
      const plan = cubicPlan(srcWidth, srcHeight, dstWidth, dstHeight, channels);
      const i32 = lk.i32;
      i32.set(plan.xofs, at >> 2);
      i32.set(plan.alpha, (at >> 2) + 4 * dstWidth);
      i32.set(plan.taps, (at >> 2) + 8 * dstWidth);
      i32.set(plan.beta, (at >> 2) + 8 * dstWidth + 4 * dstHeight);
      this.key = key;
    }
    const rows = lk.room(this.rows, 4 * srcHeight * dstWidth * channels);
    lk.exports.cubicResize(
      source,
      rowBytes,
      srcHeight,
      channels,
      dst,
      dstStride,
      dstWidth,
      dstHeight,
      at,
      at + 16 * dstWidth,
      at + 32 * dstWidth,
      at + 32 * dstWidth + 16 * dstHeight,
      rows,
    );
  }

  /** CubicResizer.resize's signature: the result is copied out into `dst`, packed (for tests and benches). */
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
    const target = packedTarget(this.owner, this.target, dst, dstWidth * channels, dstHeight, "cubic");
    this.resizeInto(src, srcOffset, srcStride, srcWidth, srcHeight, channels, target, dstWidth * channels, dstWidth, dstHeight);
    copyPackedOut(this.owner, target, dst, dstWidth * channels * dstHeight);
  }
}

/**
 * areaResize (area-resize.ts, cv::resize INTER_AREA when shrinking) in wasm. The source region's rows are
 * copied into wasm memory; the result is written straight into a destination in wasm memory.
 */
export class WasmAreaResizer {
  private key = "";
  private plan: { kind: "copy" } | { kind: "fast"; scaleX: number; scaleY: number } | { kind: "general"; xtabSize: number; ytabSize: number } = { kind: "copy" };
  private readonly source = new Slot();
  private readonly tables = new Slot();
  private readonly rows = new Slot();
  private readonly target = new Slot();

  constructor(readonly owner: WasmLk) {}

  /** Resizes the region (as areaResize describes it) into dstWidth × dstHeight at `dst`, rows `dstStride` bytes apart. */
  resizeInto(
    src: Uint8Array,
    srcOffset: number,
    srcStride: number,
    srcWidth: number,
    srcHeight: number,
    channels: number,
    dst: number,
    dstStride: number,
    dstWidth: number,
    dstHeight: number,
  ): void {
    checkAreaSource(src.length, srcOffset, srcStride, srcWidth, srcHeight, channels, dstWidth, dstHeight);
    const lk = this.owner;
    const key = `${srcWidth}x${srcHeight}>${dstWidth}x${dstHeight}x${channels}`;
    if (key !== this.key) {
      const plan = areaPlan(srcWidth, srcHeight, dstWidth, dstHeight, channels);
      if (plan.kind === "general") {
        const at = lk.room(this.tables, 12 * (plan.xtab.size + plan.ytab.size));
        writeAreaTable(lk, at, plan.xtab);
        writeAreaTable(lk, at + 12 * plan.xtab.size, plan.ytab);
        this.plan = { kind: "general", xtabSize: plan.xtab.size, ytabSize: plan.ytab.size };
      } else {
        this.plan = plan;
      }
      this.key = key;
    }
    const rowBytes = srcWidth * channels;
    const source = copyRowsIn(lk, this.source, src, srcOffset, srcStride, rowBytes, srcHeight);
    const u8 = lk.u8;
    const plan = this.plan;
    if (plan.kind === "copy") {
      for (let y = 0; y < srcHeight; y++) u8.copyWithin(dst + y * dstStride, source + y * rowBytes, source + (y + 1) * rowBytes);
    } else if (plan.kind === "fast") {
      lk.exports.areaResizeFast(source, rowBytes, channels, dst, dstStride, dstWidth, dstHeight, plan.scaleX, plan.scaleY);
    } else {
      const rowLen = dstWidth * channels;
      const rows = lk.room(this.rows, 8 * rowLen);
      const tables = this.tables.at;
      lk.exports.areaResize(source, rowBytes, channels, dst, dstStride, rowLen, tables, plan.xtabSize, tables + 12 * plan.xtabSize, plan.ytabSize, rows, rows + 4 * rowLen);
    }
  }

  /** areaResize's signature: the result is copied out into `dst`, packed (for tests and benches). */
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
    const target = packedTarget(this.owner, this.target, dst, dstWidth * channels, dstHeight, "area");
    this.resizeInto(src, srcOffset, srcStride, srcWidth, srcHeight, channels, target, dstWidth * channels, dstWidth, dstHeight);
    copyPackedOut(this.owner, target, dst, dstWidth * channels * dstHeight);
  }
}

/** Copies a region's rows (rowBytes each, srcStride apart) packed into wasm memory; returns where they start. */
function copyRowsIn(lk: WasmLk, slot: Slot, src: Uint8Array, srcOffset: number, srcStride: number, rowBytes: number, rows: number): number {
  const at = lk.room(slot, rowBytes * rows);
  const u8 = lk.u8;
  for (let y = 0; y < rows; y++) u8.set(src.subarray(srcOffset + y * srcStride, srcOffset + y * srcStride + rowBytes), at + y * rowBytes);
  return at;
}

/** Room in wasm memory for a packed result that is then copied out into `dst` (the resizers' test-facing signature). */
function packedTarget(lk: WasmLk, slot: Slot, dst: Uint8Array, rowLen: number, rows: number, kind: string): number {
  if (dst.length < rowLen * rows) throw new Error(`${kind} resize target of ${dst.length} bytes, need ${rowLen * rows}`);
  return lk.room(slot, rowLen * rows);
}

function copyPackedOut(lk: WasmLk, at: number, dst: Uint8Array, bytes: number): void {
  dst.set(lk.u8.subarray(at, at + bytes));
}

/** An AreaTable as assembly/lk.ts reads it: per entry source offset, destination offset (i32) and weight (f32). */
function writeAreaTable(lk: WasmLk, at: number, table: AreaTable): void {
  const i32 = lk.i32;
  const f32 = lk.f32;
  for (let k = 0, w = at >> 2; k < table.size; k++, w += 3) {
    i32[w] = table.si[k]!;
    i32[w + 1] = table.di[k]!;
    f32[w + 2] = table.alpha[k]!;
  }
}
