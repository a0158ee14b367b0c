import { LandmarkFileError } from "./errors.js";
import { readText } from "./jsonl.js";
import { frameIndex, trackFromRows, type TextFaceRow } from "./text-rows.js";
import type { LandmarkTrack } from "./track.js";

/**
 * `csv`: a header row naming `frame`, `x0 … x{P-1}` and `y0 … y{P-1}` (any order; `x_0` spellings too),
 * optional `score` and `face_id`; one row per face per frame; frames count from 0. An all-empty or all-NaN
 * point row is a failed detection. (An OpenFace CSV, with `success` and `confidence`, is format `openface`.)
 */
export function openPlainCsv(path: string, frameCount: number): LandmarkTrack {
  const lines = readText(path).split(/\r?\n/);
  const header = splitCells(lines[0] ?? "").map((h) => h.toLowerCase());
  const column = (name: string): number => header.indexOf(name);
  const frameColumn = column("frame");
  if (frameColumn < 0) throw new LandmarkFileError(path, "no frame column in the header", null, 1);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let p = 0; ; p++) {
    const x = Math.max(column(`x${p}`), column(`x_${p}`));
    const y = Math.max(column(`y${p}`), column(`y_${p}`));
    if (x < 0 && y < 0) break;
    if (x < 0 || y < 0) throw new LandmarkFileError(path, `the header has ${x < 0 ? `y${p} but no x${p}` : `x${p} but no y${p}`}`, null, 1);
    xs.push(x);
    ys.push(y);
  }
  if (xs.length === 0) throw new LandmarkFileError(path, "no x0 … and y0 … columns in the header", null, 1);
  const scoreColumn = column("score");
  const faceColumn = Math.max(column("face_id"), column("faceid"));

  const rows: TextFaceRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i]!.trim() === "") continue;
    const line = i + 1;
    const cells = splitCells(lines[i]!);
    if (cells.length !== header.length) throw new LandmarkFileError(path, `${cells.length} cells, the header has ${header.length}`, null, line);
    const frameCell = cells[frameColumn]!;
    const frame = frameIndex(frameCell === "" ? Number.NaN : Number(frameCell), path, line);
    const fail = (reason: string): never => {
      throw new LandmarkFileError(path, reason, frame, line);
    };
    const cell = (c: number): number => {
      const text = cells[c]!;
      if (text === "" || text.toLowerCase() === "nan") return Number.NaN;
      const n = Number(text);
      return Number.isNaN(n) ? fail(`${header[c]} is "${text}", not a number`) : n;
    };
    const points = new Float64Array(xs.length * 2);
    for (let p = 0; p < xs.length; p++) {
      points[2 * p] = cell(xs[p]!);
      points[2 * p + 1] = cell(ys[p]!);
    }
    const score = scoreColumn < 0 ? 1 : cell(scoreColumn);
    if (!Number.isFinite(score)) fail(`score "${cells[scoreColumn]}" is not a number`);
    const faceId = faceColumn < 0 ? undefined : cell(faceColumn);
    if (faceId !== undefined && !Number.isInteger(faceId)) fail(`face_id "${cells[faceColumn]}" is not a whole number`);
    rows.push({ line, frame, points, score, ...(faceId === undefined ? {} : { faceId }) });
  }
  return trackFromRows(path, "csv", rows, frameCount);
}

function splitCells(line: string): string[] {
  return line.split(",").map((c) => c.trim());
}

