import { readFileSync } from "node:fs";
import { LandmarkFileError } from "./errors.js";
import { parseNpy } from "./npy.js";
import { facesOfFrameArray } from "./npy-shape.js";
import type { ImportedFace, LandmarkTrack } from "./track.js";

/**
 * `npy-video`: one `.npy` per video shaped (frames, P, 2) or (frames, 2P) (x0 y0 x1 y1 …), or (frames, P, 3)
 * with z. Row i is frame i; an all-NaN row is a failed detection; fewer rows than frames leaves the last frames
 * failed; more rows than frames is an error.
 */
export function openNpyVideo(file: string, frameCount: number): LandmarkTrack {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LandmarkFileError(file, code === "ENOENT" ? "file not found" : `cannot read it (${code})`);
  }
  const array = parseNpy(bytes, file);
  const s = array.shape;
  let points: number;
  let channels: number;
  if (s.length === 3 && (s[2] === 2 || s[2] === 3) && s[1]! > 0) {
    points = s[1]!;
    channels = s[2]!;
  } else if (s.length === 2 && s[1]! > 0 && s[1]! % 2 === 0) {
    points = s[1]! / 2;
    channels = 2;
  } else {
    throw new LandmarkFileError(file, `shape (${s.join(", ")}) is not (frames, P, 2) or (frames, 2P)`);
  }
  const rows = s[0]!;
  if (rows > frameCount) {
    throw new LandmarkFileError(file, `${rows} rows, but the video has ${frameCount} frames (row i is frame i)`, frameCount);
  }
  const rowValues = points * channels;
  return {
    path: file,
    format: "npy-video",
    points,
    faces(frame: number): ImportedFace[] {
      if (frame >= rows) return [];
      return facesOfFrameArray(array.data, frame * rowValues, 1, points, channels, file, frame);
    },
  };
}
