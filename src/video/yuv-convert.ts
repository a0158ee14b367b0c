import { fileURLToPath } from "node:url";
import { type WasmMemory, instantiateWasm, lazyWasmModule } from "../wasm/wasm-module.js";
import { LrnetDataError } from "../errors.js";
import {
  type PixelRegion,
  type YuvLayout,
  type YuvMatrix,
  checkFrame,
  checkMatrix,
  checkOutput,
  checkRegion,
  isSubsampled,
  planeSizes,
  yuvCoefficients,
} from "./yuv-layout.js";
import { yuvToBgrRegionReference, yuvToRgbaReference } from "./yuv-reference.js";

export type { PixelRegion, YuvLayout, YuvMatrix } from "./yuv-layout.js";
export { FFMPEG_TAG_MATRIX, YUV_LAYOUTS, YUV_MATRICES, bitExactWithFfmpeg, ffmpegMatrixOf, planeSizes } from "./yuv-layout.js";
export { yuvToBgrRegionReference, yuvToRgbaReference } from "./yuv-reference.js";

/**
 * Planar YUV frames (ffmpeg `-f rawvideo` bytes) → RGBA or BGR24, with the bytes ffmpeg 4.x's own
 * `-pix_fmt rgba` conversion writes (yuv-reference.ts says how). The work is done by the WebAssembly build of
 * assembly/yuv.ts (compiled by `npm run build` next to this file); without it, by the TypeScript reference.
 */


interface YuvExports {
  memory: WasmMemory;
  heapBase(): number;
  configure(yCoeff: number, black: number, vToR: number, vToG: number, uToG: number, uToB: number): void;
  frameToRgba(layout: number, src: number, width: number, height: number, dst: number): void;
  regionToBgr(
    layout: number,
    src: number,
    width: number,
    height: number,
    x: number,
    y: number,
    regionWidth: number,
    regionHeight: number,
    scratch: number,
    dst: number,
  ): void;
}

/** Where `npm run build` puts the module (assembly/yuv.asconfig.json). */
export const YUV_WASM_PATH = fileURLToPath(new URL("./yuv.wasm", import.meta.url));

/** The compiled module, or null when it was not built (compiled once per thread). */
const yuvModule = lazyWasmModule(YUV_WASM_PATH);

export function yuvWasmAvailable(): boolean {
  return yuvModule() !== null;
}

/** Layout codes of assembly/yuv.ts. */
const LAYOUT_420 = 0;
const LAYOUT_444 = 1;
/** Slack after each buffer: the kernels never read or write past their bytes, this only keeps buffers apart. */
const SLACK = 64;
const align = (n: number): number => (n + 15) & ~15;

/**
 * One converter: a wasm instance whose memory holds the current frame, its output and a scratch row, grown
 * when a larger frame comes and reused otherwise. Not for concurrent use (one per thread or decoder).
 */
export class YuvConverter {
  /** "wasm", or "typescript" when yuv.wasm was not built (or `{ engine: "typescript" }` was asked for). */
  readonly engine: "wasm" | "typescript";
  private readonly wasm: YuvExports | null;
  private readonly base: number = 0;
  private capacity = { input: 0, output: 0, scratch: 0 };
  private fallbackRgba = new Uint8Array(0);

  constructor(options: { engine?: "wasm" | "typescript" } = {}) {
    const module = options.engine === "typescript" ? null : yuvModule();
    if (options.engine === "wasm" && module === null) {
      throw new LrnetDataError(`the wasm YUV converter ${YUV_WASM_PATH} is missing: run \`npm run build\` (it compiles assembly/yuv.ts)`);
    }
    this.engine = module === null ? "typescript" : "wasm";
    this.wasm = module === null ? null : (instantiateWasm<YuvExports>(module));
    if (this.wasm) this.base = align(this.wasm.heapBase());
  }

  /**
   * The whole frame as RGBA (alpha 255) into `out`, which must hold exactly width×height×4 bytes, converted
   * with `matrix` (for a decoded stream: ffmpegMatrixOf its colour-space tag, as ffmpeg's scaler would).
   */
  toRgba(yuv: Uint8Array, width: number, height: number, layout: YuvLayout, out: Uint8Array, matrix: YuvMatrix = "bt601"): void {
    if (!this.wasm) return yuvToRgbaReference(yuv, width, height, layout, out, matrix);
    checkFrame(yuv, width, height, layout);
    checkOutput(out, width * height * 4, `RGBA of ${width}×${height}`);
    out.set(this.rgbaView(yuv, width, height, layout, matrix));
  }

  /**
   * toRgba without the copy out: the RGBA bytes where the converter wrote them (its own memory, or a buffer it
   * keeps), valid until this converter's next call. For a consumer that only reads the frame (the landmarker
   * copies it into its own memory), this saves copying a frame's worth of bytes.
   */
  rgbaView(yuv: Uint8Array, width: number, height: number, layout: YuvLayout, matrix: YuvMatrix = "bt601"): Uint8Array {
    const bytes = width * height * 4;
    if (!this.wasm) {
      if (this.fallbackRgba.length !== bytes) this.fallbackRgba = new Uint8Array(bytes);
      yuvToRgbaReference(yuv, width, height, layout, this.fallbackRgba, matrix);
      return this.fallbackRgba;
    }
    checkFrame(yuv, width, height, layout);
    checkMatrix(matrix);
    const { input, output } = this.place(yuv, bytes, 0);
    this.configure(layout, matrix);
    this.wasm.frameToRgba(layoutCode(layout), input, width, height, output);
    return new Uint8Array(this.wasm.memory.buffer, output, bytes);
  }

  /**
   * The rectangle `region` (picture pixels, any position) as packed BGR24 into `out`, exactly
   * region.width×region.height×3 bytes. Each pixel's B, G, R are toRgba's R, G, B bytes of that pixel (with
   * the same `matrix`).
   */
  toBgrRegion(
    yuv: Uint8Array,
    width: number,
    height: number,
    layout: YuvLayout,
    region: PixelRegion,
    out: Uint8Array,
    matrix: YuvMatrix = "bt601",
  ): void {
    if (!this.wasm) return yuvToBgrRegionReference(yuv, width, height, layout, region, out, matrix);
    checkFrame(yuv, width, height, layout);
    checkMatrix(matrix);
    checkRegion(region, width, height);
    checkOutput(out, region.width * region.height * 3, `BGR of a ${region.width}×${region.height} region`);
    // Only the band of rows the region lies in is copied in (whole chroma rows: an even start for 4:2:0), as a
    // frame of its own: each output row depends on its own luma row and its chroma row only.
    const top = isSubsampled(layout) ? region.y & ~1 : region.y;
    const bottom = isSubsampled(layout) ? Math.min(height, (region.y + region.height + 1) & ~1) : region.y + region.height;
    const { input, output, scratch } = this.placeBand(yuv, width, height, layout, top, bottom, out.length, region.width * 4);
    this.configure(layout, matrix);
    this.wasm.regionToBgr(layoutCode(layout), input, width, bottom - top, region.x, region.y - top, region.width, region.height, scratch, output);
    out.set(new Uint8Array(this.wasm.memory.buffer, output, out.length));
  }

  private configure(layout: YuvLayout, matrix: YuvMatrix): void {
    const c = yuvCoefficients(layout, matrix);
    this.wasm!.configure(c.yCoeff, c.black, c.vToR, c.vToG, c.uToG, c.uToB);
  }

  /** Rows [top, bottom) of each plane into wasm memory, laid out as a frame `bottom − top` rows high. */
  private placeBand(
    yuv: Uint8Array,
    width: number,
    height: number,
    layout: YuvLayout,
    top: number,
    bottom: number,
    outputBytes: number,
    scratchBytes: number,
  ): { input: number; output: number; scratch: number } {
    const frame = planeSizes(width, height, layout);
    const band = planeSizes(width, bottom - top, layout);
    const at = this.reserve(band.frameBytes, outputBytes, scratchBytes);
    const memory = new Uint8Array(this.wasm!.memory.buffer);
    memory.set(yuv.subarray(top * width, bottom * width), at);
    const chromaTop = isSubsampled(layout) ? top >> 1 : top;
    const chromaRows = band.chromaHeight * band.chromaWidth;
    for (let plane = 0; plane < 2; plane++) {
      const from = width * height + plane * frame.chromaWidth * frame.chromaHeight + chromaTop * frame.chromaWidth;
      memory.set(yuv.subarray(from, from + chromaRows), at + width * (bottom - top) + plane * chromaRows);
    }
    return { input: at, output: this.outputAt(), scratch: this.scratchAt() };
  }

  /** Copies the frame into wasm memory (growing it when a buffer is too small) and returns the addresses. */
  private place(yuv: Uint8Array, outputBytes: number, scratchBytes: number): { input: number; output: number; scratch: number } {
    const input = this.reserve(yuv.length, outputBytes, scratchBytes);
    new Uint8Array(this.wasm!.memory.buffer, input, yuv.length).set(yuv);
    return { input, output: this.outputAt(), scratch: this.scratchAt() };
  }

  /** Makes room for an input, an output and a scratch buffer of these sizes; returns the input's address. */
  private reserve(inputBytes: number, outputBytes: number, scratchBytes: number): number {
    const wasm = this.wasm!;
    const cap = this.capacity;
    if (inputBytes > cap.input || outputBytes > cap.output || scratchBytes > cap.scratch) {
      // Grow to at least what is asked now; the layout is rebuilt, nothing in it needs keeping between calls.
      this.capacity = {
        input: Math.max(cap.input, inputBytes),
        output: Math.max(cap.output, outputBytes),
        scratch: Math.max(cap.scratch, scratchBytes),
      };
      const end = this.scratchAt() + align(this.capacity.scratch + SLACK);
      const have = wasm.memory.buffer.byteLength;
      if (end > have) wasm.memory.grow(Math.ceil((end - have) / 65536));
    }
    return this.base;
  }

  private outputAt(): number {
    return this.base + align(this.capacity.input + SLACK);
  }

  private scratchAt(): number {
    return this.outputAt() + align(this.capacity.output + SLACK);
  }
}

function layoutCode(layout: YuvLayout): number {
  return isSubsampled(layout) ? LAYOUT_420 : LAYOUT_444;
}
