import { LandmarkFileError } from "./errors.js";
import type { NpyArray } from "./npy.js";
import { checkFaceValues, type ImportedFace } from "./track.js";

/**
 * The faces of one frame held in an array shaped (P, C), (1, P, C) or (K, P, C), C = 2 (x, y) or 3 (x, y, z);
 * `offset` is where the frame starts in `data` (for a per-video array). All-NaN faces are dropped (failed).
 */
export function facesOfFrameArray(
  data: Float64Array,
  offset: number,
  faces: number,
  points: number,
  channels: number,
  file: string,
  frame: number,
): ImportedFace[] {
  const out: ImportedFace[] = [];
  for (let k = 0; k < faces; k++) {
    const values = new Float64Array(points * 2);
    const base = offset + k * points * channels;
    for (let p = 0; p < points; p++) {
      values[2 * p] = data[base + p * channels]!;
      values[2 * p + 1] = data[base + p * channels + 1]!;
    }
    const fail = (reason: string): never => {
      throw new LandmarkFileError(file, faces > 1 ? `face ${k}: ${reason}` : reason, frame);
    };
    if (checkFaceValues(values, fail)) out.push({ points: values, score: 1 });
  }
  return out;
}

/** Faces, points and channels of a per-frame array, or a one-line error naming the shape. */
export function frameArrayLayout(array: NpyArray, file: string, frame: number): { faces: number; points: number; channels: number } {
  const s = array.shape;
  const channels = s[s.length - 1];
  const ok = (s.length === 2 || s.length === 3) && (channels === 2 || channels === 3) && s[s.length - 2]! > 0;
  if (!ok) {
    throw new LandmarkFileError(file, `shape (${s.join(", ")}) is not (P, 2), (1, P, 2) or (K, P, 2) (a third column, z, is allowed)`, frame);
  }
  return { faces: s.length === 3 ? s[0]! : 1, points: s[s.length - 2]!, channels: channels! };
}
