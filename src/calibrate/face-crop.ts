import { rint } from "../shape/numeric.js";
import { POINT_COUNT, type Shape } from "../shape/shape.js";
import { CALIBRATION } from "./constants.js";
import type { FaceBox } from "./face-box.js";
import type { CvMat, OpenCv } from "./opencv.js";

/**
 * Rule 3: cuts the box out of a BGR24 frame and resizes it to 400×400 into `dst`
 * (INTER_CUBIC when enlarging, INTER_AREA otherwise). Only the box's rows are copied into the wasm heap.
 */
export function cropFace(cv: OpenCv, frame: Uint8Array, frameWidth: number, box: FaceBox, dst: CvMat): void {
  const { x1, y1, size } = box;
  const src = new cv.Mat(size, size, cv.CV_8UC3);
  try {
    const heap = src.data;
    const rowBytes = size * 3;
    for (let r = 0; r < size; r++) {
      const start = ((y1 + r) * frameWidth + x1) * 3;
      heap.set(frame.subarray(start, start + rowBytes), r * rowBytes);
    }
    const side = CALIBRATION.cropSize;
    const interpolation = size < side ? cv.INTER_CUBIC : cv.INTER_AREA;
    const target = new cv.Size(side, side);
    cv.resize(src, dst, target, 0, 0, interpolation);
  } finally {
    src.delete();
  }
}

/** Rule 3: the shape's points in crop pixels, `rint((shape − (x1, y1)) × 400 / size)`. */
export function shapeInCrop(shape: Shape, box: FaceBox): Int32Array {
  const scale = CALIBRATION.cropSize / box.size;
  const loc = new Int32Array(POINT_COUNT * 2);
  for (let p = 0; p < POINT_COUNT; p++) {
    loc[2 * p] = rint((shape[2 * p]! - box.x1) * scale);
    loc[2 * p + 1] = rint((shape[2 * p + 1]! - box.y1) * scale);
  }
  return loc;
}
