import { rint } from "../shape/numeric.js";
import { POINT_COUNT, type Shape } from "../shape/shape.js";
import { CALIBRATION } from "./constants.js";
import { CubicResizer } from "./cubic-resize.js";
import type { FaceBox } from "./face-box.js";
import type { OpenCv } from "./opencv.js";

const SIDE = CALIBRATION.cropSize;

/**
 * Rule 3: cuts the box out of a BGR24 frame and resizes it to 400×400×3 into `dst`. Enlarging uses
 * INTER_CUBIC with native x86 OpenCV's arithmetic (see cubic-resize.ts), read straight from the frame;
 * shrinking uses INTER_AREA through opencv-js, with only the box's rows copied into the wasm heap.
 */
export class FaceCropper {
  private readonly cubic = new CubicResizer("sse2");

  constructor(private readonly cv: OpenCv) {}

  crop(frame: Uint8Array, frameWidth: number, box: FaceBox, dst: Uint8Array): void {
    const { x1, y1, size } = box;
    if (cropUsesCubic(size)) {
      this.cubic.resize(frame, (y1 * frameWidth + x1) * 3, frameWidth * 3, size, size, 3, dst, SIDE, SIDE);
      return;
    }
    const cv = this.cv;
    const src = new cv.Mat(size, size, cv.CV_8UC3);
    const out = new cv.Mat();
    try {
      const heap = src.data;
      const rowBytes = size * 3;
      for (let r = 0; r < size; r++) {
        const start = ((y1 + r) * frameWidth + x1) * 3;
        heap.set(frame.subarray(start, start + rowBytes), r * rowBytes);
      }
      cv.resize(src, out, new cv.Size(SIDE, SIDE), 0, 0, cv.INTER_AREA);
      dst.set(out.data);
    } finally {
      src.delete();
      out.delete();
    }
  }
}

/** Rule 3's interpolation: INTER_CUBIC when a box of this side is enlarged to the crop, else INTER_AREA. */
export function cropUsesCubic(size: number): boolean {
  return size < SIDE;
}

/** Rule 3: the shape's points in crop pixels, `rint((shape − (x1, y1)) × 400 / size)`. */
export function shapeInCrop(shape: Shape, box: FaceBox): Int32Array {
  const scale = SIDE / box.size;
  const loc = new Int32Array(POINT_COUNT * 2);
  for (let p = 0; p < POINT_COUNT; p++) {
    loc[2 * p] = rint((shape[2 * p]! - box.x1) * scale);
    loc[2 * p + 1] = rint((shape[2 * p + 1]! - box.y1) * scale);
  }
  return loc;
}
