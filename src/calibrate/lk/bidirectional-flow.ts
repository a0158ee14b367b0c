import type { FlowStep } from "../kalman-merge.js";
import type { FlowPyramid } from "./pyramid.js";
import { type LkParams, PyramidalLK } from "./pyramidal-lk.js";

/** A tightly packed u8 image; a cv.Mat (CvMat) has this shape. */
export interface PackedImage {
  readonly rows: number;
  readonly cols: number;
  readonly data: Uint8Array;
}

/** Channels of a packed image, checked. */
export function channelsOf(image: PackedImage): number {
  const { rows, cols, data } = image;
  if (rows <= 0 || cols <= 0 || data.length % (rows * cols) !== 0) {
    throw new Error(`LK image of ${cols}×${rows} has ${data.length} bytes, not a whole number of channels`);
  }
  return data.length / (rows * cols);
}

/**
 * Rule 4.1–4.2 with our LK (TypeScript core): forward from `prev` to `next` starting at `track` with
 * `guess` as the initial flow, then backward from `next` to `prev` starting at the forward result with
 * `track` as the guess.
 *
 * A sequence of frames is fed with push() (each frame's pyramid is built once) and step() (between the
 * last two pushed). track(prev, next) does both, reusing the pyramid of the last pushed frame when `prev`
 * holds the same bytes. Two pyramids are recycled, never reallocated.
 */
export class LkBidirectionalFlow {
  private readonly lk: PyramidalLK;
  private older: FlowPyramid | undefined;
  private newest: FlowPyramid | undefined;

  constructor(params: Partial<LkParams> = {}) {
    this.lk = new PyramidalLK(params);
  }

  /** Makes `image` the newest frame; the previous newest becomes the one step() tracks from. */
  push(image: PackedImage): void {
    const channels = channelsOf(image);
    const recycled = this.older;
    this.older = this.newest;
    this.newest = this.lk.buildPyramid(image.data, image.cols, image.rows, channels, recycled);
  }

  /** Forward and backward flow between the last two pushed frames. */
  step(track: Int32Array, guess: Int32Array): FlowStep {
    const prevPyr = this.older;
    const nextPyr = this.newest;
    if (prevPyr === undefined || nextPyr === undefined) throw new Error("LK step needs two pushed frames");
    const count = track.length >> 1;
    const start = Float32Array.from(track);
    const forward = Float32Array.from(guess);
    const forwardStatus = new Uint8Array(count);
    this.lk.track(prevPyr, nextPyr, start, forward, forwardStatus);
    const backward = Float32Array.from(track);
    const backwardStatus = new Uint8Array(count);
    this.lk.track(nextPyr, prevPyr, forward, backward, backwardStatus);
    return { forward, backward, forwardStatus, backwardStatus };
  }

  /** push(prev) unless the newest frame holds the same bytes, push(next), step(). */
  track(prev: PackedImage, next: PackedImage, track: Int32Array, guess: Int32Array): FlowStep {
    const newest = this.newest;
    if (!newest?.holds(prev.data, prev.cols, prev.rows, channelsOf(prev))) this.push(prev);
    this.push(next);
    return this.step(track, guess);
  }

  /** Nothing to free (plain typed arrays); here so it can replace BidirectionalFlow as is. */
  delete(): void {
    this.older = undefined;
    this.newest = undefined;
  }
}
