import { LandmarkFileError } from "./errors.js";
import { checkFaceValues, type ImportedFace, type LandmarkTrack } from "./track.js";

/** One face read from a line of a text format. */
export interface TextFaceRow {
  line: number;
  frame: number;
  /** null: the line says the detection failed. */
  points: Float64Array | null;
  score: number;
  faceId?: number;
}

/**
 * Groups the rows of a text format (jsonl, csv) by frame into a track, checking them all up front: frame
 * indices from 0 and inside the video, one point count, finite values, no face_id twice in a frame.
 */
export function trackFromRows(
  path: string,
  format: "jsonl" | "csv",
  rows: readonly TextFaceRow[],
  frameCount: number,
): LandmarkTrack {
  const byFrame = new Map<number, ImportedFace[]>();
  let points = -1;
  let firstLine = 0;
  for (const row of rows) {
    const fail = (reason: string): never => {
      throw new LandmarkFileError(path, reason, row.frame, row.line);
    };
    if (row.frame >= frameCount) fail(`beyond the video's ${frameCount} frames (frames count from 0)`);
    const faces = byFrame.get(row.frame) ?? [];
    byFrame.set(row.frame, faces);
    if (row.points === null) continue;
    const count = row.points.length / 2;
    if (points === -1) {
      points = count;
      firstLine = row.line;
    } else if (count !== points) {
      fail(`${count} points, but line ${firstLine} has ${points}`);
    }
    if (!checkFaceValues(row.points, fail)) continue;
    if (row.faceId !== undefined && faces.some((f) => f.faceId === row.faceId)) fail(`face_id ${row.faceId} twice`);
    faces.push({ points: row.points, score: row.score, ...(row.faceId === undefined ? {} : { faceId: row.faceId }) });
  }
  if (points === -1) throw new LandmarkFileError(path, "no face in the file");
  return {
    path,
    format,
    points,
    faces: (frame) => byFrame.get(frame) ?? [],
  };
}

/** A whole number >= 0, or a one-line error. */
export function frameIndex(value: unknown, path: string, line: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new LandmarkFileError(path, `frame must be a whole number >= 0, got ${JSON.stringify(value)}`, null, line);
  }
  return value;
}
