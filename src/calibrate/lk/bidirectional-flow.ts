import type { FlowStep } from "../kalman-merge.js";
import type { FlowPyramid } from "./pyramid.js";
import { type LkParams, PyramidalLK } from "./pyramidal-lk.js";

/** A tightly packed u8 image; a cv.Mat (CvMat) has this shape. */
export interface PackedImage {
  readonly rows: number;
  readonly cols: number;
  readonly data: Uint8Array;
}

/**
 * Rule 4.1–4.2 with our LK: forward from `prev` to `next` starting at `track` with `guess` as the initial
 * flow, then backward from `next` to `prev` starting at the forward result with `track` as the guess.
 * Used by the StreamingCalibrator for every pair of consecutive crops.
 *
 * Consecutive steps share a frame (this step's `next` is the following step's `prev`), so the pyramid of
 * `next` (with its derivatives, built during the backward pass) is kept and reused when the next call's
 * `prev` holds the same bytes; otherwise it is rebuilt. Two pyramids are recycled, never reallocated.
 */
export class LkBidirectionalFlow {
  private readonly lk: PyramidalLK;
  private kept: FlowPyramid | undefined;
  private spare: FlowPyramid | undefined;

  constructor(params: Partial<LkParams> = {}) {
    this.lk = new PyramidalLK(params);
  }

  track(prev: PackedImage, next: PackedImage, track: Int32Array, guess: Int32Array): FlowStep {
    const prevPyr = this.pyramidOf(prev, true);
    const nextPyr = this.pyramidOf(next, false);
    const count = track.length >> 1;
    const start = Float32Array.from(track);
    const forward = Float32Array.from(guess);
    const forwardStatus = new Uint8Array(count);
    this.lk.track(prevPyr, nextPyr, start, forward, forwardStatus);
    const backward = Float32Array.from(track);
    const backwardStatus = new Uint8Array(count);
    this.lk.track(nextPyr, prevPyr, forward, backward, backwardStatus);
    this.spare = prevPyr;
    this.kept = nextPyr;
    return { forward, backward, forwardStatus, backwardStatus };
  }

  /** Nothing to free (plain typed arrays); here so it can replace BidirectionalFlow as is. */
  delete(): void {
    this.kept = undefined;
    this.spare = undefined;
  }

  private pyramidOf(image: PackedImage, mayReuse: boolean): FlowPyramid {
    const { rows, cols, data } = image;
    if (rows <= 0 || cols <= 0 || data.length % (rows * cols) !== 0) {
      throw new Error(`LK image of ${cols}×${rows} has ${data.length} bytes, not a whole number of channels`);
    }
    const channels = data.length / (rows * cols);
    if (mayReuse && this.kept?.holds(data, cols, rows, channels)) {
      const pyr = this.kept;
      this.kept = undefined;
      return pyr;
    }
    const recycled = this.spare ?? this.kept;
    if (recycled === this.spare) this.spare = undefined;
    else this.kept = undefined;
    return this.lk.buildPyramid(data, cols, rows, channels, recycled);
  }
}
