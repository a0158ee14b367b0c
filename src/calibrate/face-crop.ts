import { rint } from "../shape/numeric.js";
import { POINT_COUNT, type Shape } from "../shape/shape.js";
import { CALIBRATION } from "./constants.js";
import { areaResize } from "./area-resize.js";
import { CubicResizer } from "./cubic-resize.js";
import type { FaceBox } from "./face-box.js";

const SIDE = CALIBRATION.cropSize;

/**
 * Rule 3 in TypeScript (the wasm core has its own, lk/crop-flow.ts): cuts the box out of a BGR24 frame and
 * resizes it to 400×400×3 into `dst`, read straight from the frame. Enlarging uses INTER_CUBIC with native
 * x86 OpenCV's arithmetic (cubic-resize.ts), shrinking INTER_AREA (area-resize.ts).
 */
export class FaceCropper {
  private readonly cubic = new CubicResizer("sse2");

  crop(frame: Uint8Array, frameWidth: number, box: FaceBox, dst: Uint8Array): void {
    const { x1, y1, size } = box;
    const offset = (y1 * frameWidth + x1) * 3;
    if (cropUsesCubic(size)) this.cubic.resize(frame, offset, frameWidth * 3, size, size, 3, dst, SIDE, SIDE);
    else areaResize(frame, offset, frameWidth * 3, size, size, 3, dst, SIDE, SIDE);
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
