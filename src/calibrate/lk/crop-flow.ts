import { CALIBRATION } from "../constants.js";
import type { FaceBox } from "../face-box.js";
import { FaceCropper, cropUsesCubic } from "../face-crop.js";
import type { FlowStep } from "../kalman-merge.js";
import { LkBidirectionalFlow } from "./bidirectional-flow.js";
import { LRNET_LK_PARAMS } from "./pyramidal-lk.js";
import { WasmAreaResizer, WasmCubicResizer, WasmLk, WasmPyramid, lkWasmAvailable } from "./wasm-lk.js";

/** Which implementation of the exact LK core runs: both give the same bits. */
export type LkCore = "wasm" | "ts";

/**
 * Rules 3 and 4.1–4.2 over a sequence of frames: each pushed frame's face box is cut and resized to the
 * 400×400 crop and its image pyramid built once; step() runs the bidirectional LK between the last two.
 */
export interface CropFlow {
  readonly core: LkCore;
  /** Crops `box` out of a BGR24 frame `frameWidth` pixels wide; the crop becomes the newest. */
  push(frame: Uint8Array, frameWidth: number, box: FaceBox): void;
  /** Forward (from `track` with `guess` as the initial flow) and backward flow between the last two crops. */
  step(track: Int32Array, guess: Int32Array): FlowStep;
  close(): void;
}

/**
 * The core to use: LRNET_LK_CORE=ts|wasm forces one; by default wasm when `npm run build` has compiled it,
 * else TypeScript.
 */
export function defaultLkCore(): LkCore {
  const wanted = process.env.LRNET_LK_CORE;
  if (wanted === "ts" || wanted === "wasm") return wanted;
  if (wanted !== undefined && wanted !== "") throw new Error(`LRNET_LK_CORE must be "ts" or "wasm", got "${wanted}"`);
  return lkWasmAvailable() ? "wasm" : "ts";
}

export function createCropFlow(core: LkCore = defaultLkCore()): CropFlow {
  return core === "wasm" ? new WasmCropFlow() : new TsCropFlow();
}

const SIDE = CALIBRATION.cropSize;
const CHANNELS = 3;

class TsCropFlow implements CropFlow {
  readonly core = "ts";
  private readonly flow = new LkBidirectionalFlow();
  private readonly crop = new Uint8Array(SIDE * SIDE * CHANNELS);
  private readonly cropper = new FaceCropper();

  push(frame: Uint8Array, frameWidth: number, box: FaceBox): void {
    this.cropper.crop(frame, frameWidth, box, this.crop);
    // The pyramid copies the crop, so one buffer serves every frame.
    this.flow.push({ rows: SIDE, cols: SIDE, data: this.crop });
  }

  step(track: Int32Array, guess: Int32Array): FlowStep {
    return this.flow.step(track, guess);
  }

  close(): void {
    this.flow.delete();
  }
}

class WasmCropFlow implements CropFlow {
  readonly core = "wasm";
  private readonly lk = new WasmLk();
  private readonly cubic = new WasmCubicResizer(this.lk);
  private readonly area = new WasmAreaResizer(this.lk);
  private older = new WasmPyramid(this.lk, { winSize: LRNET_LK_PARAMS.winSize, maxLevel: LRNET_LK_PARAMS.maxLevel });
  private newest = new WasmPyramid(this.lk, { winSize: LRNET_LK_PARAMS.winSize, maxLevel: LRNET_LK_PARAMS.maxLevel });
  private pushed = 0;

  push(frame: Uint8Array, frameWidth: number, box: FaceBox): void {
    const pyramid = this.older;
    this.older = this.newest;
    this.newest = pyramid;
    // The crop is written straight into level 0 of the pyramid.
    const { pixels, stride } = pyramid.prepare(SIDE, SIDE, CHANNELS);
    const { x1, y1, size } = box;
    const resizer = cropUsesCubic(size) ? this.cubic : this.area;
    resizer.resizeInto(frame, (y1 * frameWidth + x1) * CHANNELS, frameWidth * CHANNELS, size, size, CHANNELS, pixels, stride, SIDE, SIDE);
    pyramid.finish();
    this.pushed++;
  }

  step(track: Int32Array, guess: Int32Array): FlowStep {
    if (this.pushed < 2) throw new Error("LK step needs two pushed crops");
    const count = track.length >> 1;
    const start = Float32Array.from(track);
    const forward = Float32Array.from(guess);
    const forwardStatus = new Uint8Array(count);
    this.lk.trackPoints(this.older, this.newest, start, forward, forwardStatus, LRNET_LK_PARAMS);
    const backward = Float32Array.from(track);
    const backwardStatus = new Uint8Array(count);
    this.lk.trackPoints(this.newest, this.older, forward, backward, backwardStatus, LRNET_LK_PARAMS);
    return { forward, backward, forwardStatus, backwardStatus };
  }

  close(): void {
    this.pushed = 0;
  }
}
