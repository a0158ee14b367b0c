import { readFileSync } from "node:fs";
import { LandmarkFileError } from "./errors.js";
import { frameIndex, trackFromRows, type TextFaceRow } from "./text-rows.js";
import type { LandmarkTrack } from "./track.js";

/**
 * `jsonl`: one JSON object per line, `{"frame": 0, "points": [[x, y], …], "score": 0.98, "face_id": 0}`.
 * `points` may also be flat (`[x0, y0, x1, y1, …]`) or null (a failed detection); `score` (default 1) and
 * `face_id` (or `faceId`) are optional; several lines may share a frame (several faces). Frames count from 0;
 * a frame without a line is a failed detection.
 */
export function openJsonl(path: string, frameCount: number): LandmarkTrack {
  const text = readText(path);
  const rows: TextFaceRow[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const source = lines[i]!.trim();
    if (source === "") continue;
    const line = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch {
      throw new LandmarkFileError(path, "not a JSON object", null, line);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new LandmarkFileError(path, "not a JSON object", null, line);
    const record = value as Record<string, unknown>;
    const frame = frameIndex(record.frame, path, line);
    const fail = (reason: string): never => {
      throw new LandmarkFileError(path, reason, frame, line);
    };
    const score = record.score === undefined ? 1 : record.score;
    if (typeof score !== "number" || !Number.isFinite(score)) fail(`score must be a number, got ${JSON.stringify(record.score)}`);
    const faceId = record.face_id ?? record.faceId;
    if (faceId !== undefined && (typeof faceId !== "number" || !Number.isInteger(faceId))) fail(`face_id must be a whole number, got ${JSON.stringify(faceId)}`);
    rows.push({
      line,
      frame,
      points: record.points === null ? null : flattenPoints(record.points, fail),
      score: score as number,
      ...(faceId === undefined ? {} : { faceId: faceId as number }),
    });
  }
  return trackFromRows(path, "jsonl", rows, frameCount);
}

/** JSON has no NaN: null stands for it inside a point list. */
function flattenPoints(points: unknown, fail: (reason: string) => never): Float64Array {
  if (!Array.isArray(points) || points.length === 0) return fail("points must be a list of [x, y] pairs or x0 y0 x1 y1 … values");
  const flat: number[] = [];
  const value = (v: unknown): number => (v === null ? Number.NaN : typeof v === "number" ? v : fail(`points hold ${JSON.stringify(v)}`));
  if (Array.isArray(points[0])) {
    for (const pair of points) {
      if (!Array.isArray(pair) || pair.length < 2 || pair.length > 3) return fail("each point must be [x, y] (or [x, y, z])");
      flat.push(value(pair[0]), value(pair[1]));
    }
  } else {
    if (points.length % 2 !== 0) fail(`${points.length} values: a flat point list needs x and y for every point`);
    for (const v of points) flat.push(value(v));
  }
  return Float64Array.from(flat);
}

export function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LandmarkFileError(path, code === "ENOENT" ? "file not found" : code === "EISDIR" ? "a folder, not a file" : `cannot read it (${code})`);
  }
}
