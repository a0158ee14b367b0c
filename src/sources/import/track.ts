/** One face a landmark file holds for one frame: points in frame pixels, in the file's own point layout. */
export interface ImportedFace {
  /** x0 y0 x1 y1 … (2 values per point; a z column in the file is dropped). */
  points: Float64Array;
  /** The file's score, or 1 when it has none. */
  score: number;
  faceId?: number;
}

/** The formats `--landmarks` reads; `openface` is OpenFace's FeatureExtraction CSV. */
export const IMPORT_FORMATS = ["npy-frames", "npy-video", "jsonl", "csv", "openface"] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/**
 * The precomputed landmarks of one video, frame by frame (frame indices count from 0, as the video's frames).
 * A frame without faces is a failed detection. Opening a track checks what can be checked without reading every
 * frame (the file exists, the point count, no frame beyond the video); `faces` reads a frame and throws a
 * LandmarkFileError naming file and frame when its values are unusable.
 */
export interface LandmarkTrack {
  readonly path: string;
  readonly format: Exclude<ImportFormat, "openface">;
  /** Points per face in the file's layout. */
  readonly points: number;
  faces(frame: number): ImportedFace[];
}

/** Checks one face's values: all finite (a face), or all NaN (no face, returns false); anything else throws. */
export function checkFaceValues(values: ArrayLike<number>, fail: (reason: string) => never): boolean {
  let nan = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) nan++;
    else if (!Number.isFinite(v)) fail(`value ${v} at point ${Math.floor(i / 2)}`);
  }
  if (nan === 0) return true;
  if (nan === values.length) return false;
  let first = 0;
  while (!Number.isNaN(values[first]!)) first++;
  return fail(`NaN at point ${Math.floor(first / 2)} (a face needs every point; a failed detection is all NaN)`);
}
