import { POINT_COUNT, type Shape } from "../shape/shape.js";
import { CALIBRATION } from "./constants.js";
import type { CropRegion } from "../video/types.js";
import { type Center, type FaceBox, faceBox } from "./face-box.js";
import { shapeInCrop } from "./face-crop.js";
import { kalmanMerge } from "./kalman-merge.js";
import { type CropFlow, type LkCore, createCropFlow } from "./lk/crop-flow.js";

export interface CalibratorOptions {
  frameWidth: number;
  frameHeight: number;
  /** Rule 1's stable face size, taken over the whole sequence before the first frame is pushed. */
  stableSize: number;
  /** The LK core (same results either way); by default wasm when built (see defaultLkCore). */
  lkCore?: LkCore;
}

/**
 * LRNet's calibration (rules 2–4) as a stream: push each kept frame with its shape, get its calibrated
 * track back. Holds only the previous frame's 400×400 crop (as its image pyramid), never the video.
 * The optical flow is our exact port of native OpenCV's pyramidal LK (lk/), so results match LRNet's.
 */
export class StreamingCalibrator {
  private previous: { loc: Int32Array; track: Int32Array } | null = null;
  private prevCenter: Center | null = null;
  private readonly variance = new Float64Array(POINT_COUNT);
  private readonly flow: CropFlow;

  constructor(private readonly options: CalibratorOptions) {
    this.flow = createCropFlow(options.lkCore);
  }

  /**
   * Calibrates one frame (BGR24 bytes, frameWidth × frameHeight, or only `region` of it). Returns the track
   * in 400×400 crop pixels (136 integers) with the face box it is relative to, or null when the box has no
   * area (rule 2.7: the reference drops such frames).
   */
  push(frame: Uint8Array, shape: Shape, region?: CropRegion): { track: Int32Array; box: FaceBox } | null {
    const { frameWidth, frameHeight, stableSize } = this.options;
    const area = region ?? { x: 0, y: 0, width: frameWidth, height: frameHeight };
    if (frame.length !== area.width * area.height * 3) {
      throw new Error(`frame has ${frame.length} bytes, expected ${area.width}×${area.height}×3`);
    }
    const { box, center } = faceBox(shape, stableSize, this.prevCenter, frameWidth, frameHeight);
    this.prevCenter = center;
    // The reference would crash on a negative size (a face entirely off the right/bottom edge); drop it like size 0.
    if (box.size <= 0) return null;

    const inArea = { x1: box.x1 - area.x, y1: box.y1 - area.y, size: box.size };
    if (inArea.x1 < 0 || inArea.y1 < 0 || inArea.x1 + box.size > area.width || inArea.y1 + box.size > area.height) {
      throw new Error(`face box ${box.size}×${box.size} at (${box.x1}, ${box.y1}) lies outside the decoded region`);
    }
    // The flow keeps the previous crop: this one is tracked from it.
    this.flow.push(frame, area.width, inArea);
    const loc = shapeInCrop(shape, box);
    let track: Int32Array;
    if (this.previous === null) {
      track = loc;
    } else {
      const step = this.flow.step(this.previous.track, loc);
      track = kalmanMerge(this.previous.track, this.previous.loc, loc, step, this.variance);
    }
    this.previous = { loc, track };
    return { track, box };
  }

  close(): void {
    this.flow.close();
    this.previous = null;
  }
}

/** Rule 5: crop pixels → LRNet's normalised units, `(t − 200) / 200`, multiples of 0.005. */
export function normaliseTrack(track: Int32Array): Float64Array {
  const half = CALIBRATION.cropSize / 2;
  const out = new Float64Array(track.length);
  for (let i = 0; i < track.length; i++) out[i] = (track[i]! - half) / half;
  return out;
}

/** A track in crop pixels back in frame pixels (for drawing): `x1 + t × size / 400`. */
export function trackToFrame(track: Int32Array, box: FaceBox): Float64Array {
  const scale = box.size / CALIBRATION.cropSize;
  const out = new Float64Array(track.length);
  for (let i = 0; i < track.length; i += 2) {
    out[i] = box.x1 + track[i]! * scale;
    out[i + 1] = box.y1 + track[i + 1]! * scale;
  }
  return out;
}
