import type { ManifestDataFile, ManifestVideo } from "../store/manifest.js";
import { FRAME_STATUSES, type FrameStatus } from "../guard/guard.js";
import { decodeDataFile, type DataColumnName, type DataFileColumns, type DecodedDataFile, type DictionaryColumn, type ShapeColumn } from "../store/data-file.js";
import { formatVersionOfDataPath } from "../store/partition.js";
import { POINT_COUNT, SHAPE_VALUES } from "../shape/shape.js";
import { Findings, listSome, plural } from "./findings.js";
import type { Finding } from "./types.js";

/** Calibrated values are multiples of 0.005: LRNet rounds them with np.rint(v * 200) / 200. */
const GRID_STEPS = 200;
/** float32 keeps k/200 within ~4e-5 steps for |v| < 4; anything further off the grid is not on it. */
const GRID_TOLERANCE = 1e-3;

/** What the data checks learn about one file beyond their findings: plain data (it crosses a worker boundary). */
export interface FileTally {
  rows: number;
  landmarkRows: number;
  calibratedValues: number;
  outOfRangeValues: number;
  /** Per video whose rows could be read: its rows with landmarks, counted per stretch between lost faces. */
  landmarkRowsOf: [string, number[]][];
  /** The video with the most calibrated values outside [−1, 1]. */
  worstOutOfRange: { video: string; file: string; count: number; frame: number } | null;
}

export interface FileCheckResult {
  findings: Finding[];
  tally: FileTally;
}

export function emptyTally(): FileTally {
  return { rows: 0, landmarkRows: 0, calibratedValues: 0, outOfRangeValues: 0, landmarkRowsOf: [], worstOutOfRange: null };
}

/** Adds `part` into `total`. */
export function addTally(total: FileTally, part: FileTally): void {
  total.rows += part.rows;
  total.landmarkRows += part.landmarkRows;
  total.calibratedValues += part.calibratedValues;
  total.outOfRangeValues += part.outOfRangeValues;
  total.landmarkRowsOf.push(...part.landmarkRowsOf);
  if (part.worstOutOfRange && (!total.worstOutOfRange || part.worstOutOfRange.count > total.worstOutOfRange.count)) {
    total.worstOutOfRange = part.worstOutOfRange;
  }
}

/**
 * The columns validate decodes: all but `raw`, whose incompressible floats would double the decoding time.
 * Its type is still checked (the schema), and its bytes are covered by the file's sha256.
 */
export const VALIDATED_COLUMNS: readonly DataColumnName[] = ["video_id", "frame", "time_s", "landmarks", "status", "score", "label", "split", "method", "compression"];

/**
 * Decodes one data file's bytes and checks it against its manifest entry and the manifest's videos in it
 * (sorted by row_start). Integrity (sha256, size) is the reader's job; this is the content.
 */
export async function checkDataFileBytes(file: ManifestDataFile, videos: readonly ManifestVideo[], bytes: Uint8Array): Promise<FileCheckResult> {
  const findings = new Findings();
  const tally = emptyTally();
  let decoded: DecodedDataFile;
  try {
    decoded = await decodeDataFile(bytes, { columns: VALIDATED_COLUMNS, formatVersion: formatVersionOfDataPath(file.path) });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    findings.error("schema", `${file.path}: cannot be read as Parquet (${reason.split("\n")[0]})`, { file: file.path });
    return { findings: findings.list, tally };
  }
  checkDataFileContent(file, videos, decoded, findings, tally);
  return { findings: findings.list, tally };
}

/**
 * Checks one decoded data file against its manifest entry and the manifest's videos in it: the row count,
 * each video's rows (its id on every row of its range, constant label/split/method/compression), frames,
 * status counts, mean score and values.
 */
export function checkDataFileContent(
  file: ManifestDataFile,
  videos: readonly ManifestVideo[],
  decoded: DecodedDataFile,
  findings: Findings,
  tally: FileTally,
): void {
  const where = { file: file.path };
  for (const problem of decoded.schemaProblems) findings.error("schema", `${file.path}: ${problem}`, where);
  const columns = decoded.columns;
  if (columns.rows !== file.rows) findings.error("files", `${file.path}: ${columns.rows} rows, the manifest says ${file.rows}`, where);
  tally.rows += columns.rows;
  checkUnplacedRows(file, videos, columns, findings);
  for (const video of videos) checkVideo(file, video, columns, findings, tally);
}

/** Rows of video ids that the manifest does not place in this file. */
function checkUnplacedRows(file: ManifestDataFile, videos: readonly ManifestVideo[], columns: DataFileColumns, findings: Findings): void {
  const ids = columns.videoId;
  if (!ids) return;
  const expected = new Set(videos.map((v) => v.id));
  const counts = new Map<number, { rows: number; first: number }>();
  for (let r = 0; r < columns.rows; r++) {
    const code = ids.codes[r]!;
    const seen = counts.get(code);
    if (seen) seen.rows++;
    else counts.set(code, { rows: 1, first: r });
  }
  for (const [code, { rows, first }] of counts) {
    const id = code < 0 ? null : ids.values[code]!;
    if (id !== null && expected.has(id)) continue;
    findings.error(
      "rows",
      id === null
        ? `${file.path}: ${plural(rows, "row")} have no video_id (first at row ${first})`
        : `${file.path}: holds ${plural(rows, "row")} of video ${id} (from row ${first}), which the manifest does not place in this file`,
      { file: file.path, ...(id === null ? {} : { video: id }) },
    );
  }
}

function checkVideo(file: ManifestDataFile, video: ManifestVideo, columns: DataFileColumns, findings: Findings, tally: FileTally): void {
  const place = { file: file.path, video: video.id };
  const prefix = `${file.path}: video ${video.id}`;
  const start = video.data.row_start;
  const count = video.data.row_count;
  const end = Math.min(start + count, columns.rows);
  if (video.rows !== video.frames) findings.error("rows", `${prefix}: ${video.rows} rows for ${video.frames} decoded frames`, place);
  if (end < start + count) {
    findings.error("rows", `${prefix}: its rows ${start}..${start + count - 1} run past the end of the file (${columns.rows} rows)`, place);
    if (end <= start) return;
  }
  if (columns.videoId && !checkOwnership(prefix, video, columns.videoId, start, end, findings, place)) return;

  checkConstant(prefix, "label", video.label, columns.label, start, end, findings, place);
  checkConstant(prefix, "split", video.split, columns.split, start, end, findings, place);
  checkConstant(prefix, "method", video.method, columns.method, start, end, findings, place);
  checkConstant(prefix, "compression", video.compression, columns.compression, start, end, findings, place);
  if (columns.frame) checkFrames(prefix, columns.frame, start, end, findings, place);
  if (columns.status) checkStatus(prefix, video, columns, start, end, findings, place);
  if (columns.timeS) checkFinite(prefix, "time_s", columns.timeS, columns.frame, start, end, findings, place);
  if (columns.score) checkFinite(prefix, "score", columns.score, columns.frame, start, end, findings, place);
  if (columns.landmarks) {
    const lostCode = columns.status ? columns.status.values.indexOf("lost") : -1;
    const lost = lostCode < 0 ? null : (r: number) => columns.status!.codes[r] === lostCode;
    checkLandmarks(prefix, video.id, file.path, columns.landmarks, columns.frame, lost, start, end, findings, place, tally);
  }
}

/** The video's id is on every row of its range; false (after a finding) when it is not there at all. */
function checkOwnership(
  prefix: string,
  video: ManifestVideo,
  ids: DictionaryColumn,
  start: number,
  end: number,
  findings: Findings,
  place: { file: string; video: string },
): boolean {
  const code = ids.values.indexOf(video.id);
  if (code < 0) {
    findings.error("rows", `${prefix}: not in the file (the manifest places it at rows ${start}..${start + video.data.row_count - 1})`, place);
    return false;
  }
  let wrong = 0;
  let firstWrong = -1;
  const others = new Set<string>();
  for (let r = start; r < end; r++) {
    const c = ids.codes[r]!;
    if (c === code) continue;
    wrong++;
    if (firstWrong < 0) firstWrong = r;
    others.add(c < 0 ? "(null)" : ids.values[c]!);
  }
  if (wrong > 0) {
    findings.error(
      "rows",
      `${prefix}: ${plural(wrong, "row")} of its range ${start}..${end - 1} hold other videos (${listSome([...others])}), first at row ${firstWrong}`,
      place,
    );
    return wrong < end - start;
  }
  return true;
}

function checkConstant(
  prefix: string,
  name: string,
  expected: string,
  column: DictionaryColumn | undefined,
  start: number,
  end: number,
  findings: Findings,
  place: { file: string; video: string },
): void {
  if (!column) return;
  const code = column.values.indexOf(expected);
  let wrong = 0;
  let example = "";
  for (let r = start; r < end; r++) {
    if (column.codes[r] === code) continue;
    if (wrong++ === 0) example = column.codes[r]! < 0 ? "null" : `"${column.values[column.codes[r]!]}"`;
  }
  if (wrong > 0) findings.error("rows", `${prefix}: ${name} is ${example} on ${plural(wrong, "row")}, the manifest says "${expected}"`, place);
}

/** Frame indices must be 0..n−1 in row order. Names the first duplicated or missing frame. */
function checkFrames(prefix: string, frame: Int32Array, start: number, end: number, findings: Findings, place: { file: string; video: string }): void {
  const n = end - start;
  let misplaced = 0;
  for (let r = start; r < end; r++) if (frame[r] !== r - start) misplaced++;
  if (misplaced === 0) return;
  const seen = new Map<number, number>();
  const duplicates: number[] = [];
  for (let r = start; r < end; r++) {
    const f = frame[r]!;
    const before = seen.get(f);
    if (before !== undefined) duplicates.push(f);
    else seen.set(f, r);
  }
  const missing: number[] = [];
  for (let f = 0; f < n && missing.length < 1000; f++) if (!seen.has(f)) missing.push(f);
  const parts: string[] = [];
  if (duplicates.length > 0) parts.push(`frame ${duplicates[0]} appears twice${duplicates.length > 1 ? ` (${plural(duplicates.length, "duplicate")} in all)` : ""}`);
  if (missing.length > 0) parts.push(`frame ${missing[0]} is missing${missing.length > 1 ? ` (${plural(missing.length, "gap")} in all)` : ""}`);
  if (parts.length === 0) parts.push(`frames are out of order (${plural(misplaced, "row")} not at their index)`);
  const frameNamed = duplicates[0] ?? missing[0] ?? frame[start]!;
  findings.error("frames", `${prefix}: ${parts.join("; ")}; frames must be 0..${n - 1} in order`, { ...place, frame: frameNamed });
}

function checkStatus(
  prefix: string,
  video: ManifestVideo,
  columns: DataFileColumns,
  start: number,
  end: number,
  findings: Findings,
  place: { file: string; video: string },
): void {
  const status = columns.status!;
  const codeToStatus = status.values.map((v) => (FRAME_STATUSES as readonly string[]).indexOf(v));
  const counts = FRAME_STATUSES.map(() => 0);
  let unknown = 0;
  let unknownFrame = -1;
  let scoreSum = 0;
  for (let r = start; r < end; r++) {
    const c = status.codes[r]!;
    const s = c < 0 ? -1 : codeToStatus[c]!;
    if (s < 0) {
      if (unknown++ === 0) unknownFrame = columns.frame ? columns.frame[r]! : r - start;
      continue;
    }
    counts[s]!++;
    if (s === 0 && columns.score) scoreSum += columns.score[r]!;
  }
  if (unknown > 0) {
    findings.error("status", `${prefix}: frame ${unknownFrame}: status is not one of ${FRAME_STATUSES.join("/")} (${plural(unknown, "row")})`, {
      ...place,
      frame: unknownFrame,
    });
  }
  const differing = FRAME_STATUSES.filter((name: FrameStatus, i) => counts[i] !== (video.status_counts[name] ?? 0));
  if (differing.length > 0) {
    const described = differing.map((name) => `${name} ${counts[FRAME_STATUSES.indexOf(name)]} (manifest ${video.status_counts[name] ?? 0})`).join(", ");
    findings.error("status", `${prefix}: status counts differ from the manifest: ${described}`, place);
    return;
  }
  if (!columns.score) return;
  const mean = counts[0]! > 0 ? scoreSum / counts[0]! : null;
  const recorded = video.mean_score;
  const same = mean === null || recorded === null ? mean === recorded : Math.abs(mean - recorded) <= 1e-6 * Math.max(1, Math.abs(recorded));
  if (!same) findings.error("status", `${prefix}: mean score of its detected frames is ${mean}, the manifest says ${recorded}`, place);
}

function checkFinite(
  prefix: string,
  name: string,
  values: Float32Array | Float64Array,
  frame: Int32Array | undefined,
  start: number,
  end: number,
  findings: Findings,
  place: { file: string; video: string },
): void {
  let bad = 0;
  let first = -1;
  for (let r = start; r < end; r++) {
    const v = values[r]!;
    if (v - v === 0) continue;
    if (bad++ === 0) first = r;
  }
  if (bad > 0) {
    const f = frame ? frame[first]! : first - start;
    findings.error("values", `${prefix}: frame ${f}: ${name} is ${values[first]}${bad > 1 ? ` (${plural(bad, "row")} in all)` : ""}`, { ...place, frame: f });
  }
}

function checkLandmarks(
  prefix: string,
  id: string,
  path: string,
  landmarks: ShapeColumn,
  frame: Int32Array | undefined,
  lost: ((row: number) => boolean) | null,
  start: number,
  end: number,
  findings: Findings,
  place: { file: string; video: string },
  tally: FileTally,
): void {
  const values = landmarks.values;
  const present = landmarks.present;
  let rowsWithLandmarks = 0;
  const stretches = [0];
  let lostWithLandmarks = 0;
  let lostWithLandmarksRow = -1;
  let nonFinite = 0;
  let nonFiniteRow = -1;
  let nonFiniteIndex = -1;
  let offGrid = 0;
  let offGridRow = -1;
  let offGridIndex = -1;
  let outside = 0;
  let outsideRow = -1;
  for (let r = start; r < end; r++) {
    if (lost?.(r)) {
      if (present[r] && lostWithLandmarks++ === 0) lostWithLandmarksRow = r;
      if (stretches[stretches.length - 1]! > 0) stretches.push(0);
      continue;
    }
    if (!present[r]) continue;
    rowsWithLandmarks++;
    stretches[stretches.length - 1]!++;
    const o = r * SHAPE_VALUES;
    for (let k = 0; k < SHAPE_VALUES; k++) {
      const v = values[o + k]!;
      const steps = v * GRID_STEPS;
      const off = steps - Math.round(steps);
      // One comparison on the common path: NaN and ±Infinity fail it too (Infinity − Infinity is NaN).
      if (!(off <= GRID_TOLERANCE && off >= -GRID_TOLERANCE)) {
        if (v - v !== 0) {
          if (nonFinite++ === 0) {
            nonFiniteRow = r;
            nonFiniteIndex = k;
          }
          continue;
        }
        if (offGrid++ === 0) {
          offGridRow = r;
          offGridIndex = k;
        }
      }
      if (v > 1 || v < -1) {
        if (outside++ === 0) outsideRow = r;
      }
    }
  }
  const frameAt = (r: number): number => (frame ? frame[r]! : r - start);
  if (landmarks.innerNulls > 0) {
    findings.error("values", `${prefix}: landmark lists hold ${plural(landmarks.innerNulls, "null value")}: each must have 136 numbers`, place);
  }
  if (nonFinite > 0) {
    const f = frameAt(nonFiniteRow);
    findings.error(
      "values",
      `${prefix}: frame ${f}: landmark ${coordinateName(nonFiniteIndex)} is ${values[nonFiniteRow * SHAPE_VALUES + nonFiniteIndex]}${nonFinite > 1 ? ` (${plural(nonFinite, "non-finite value")} in all)` : ""}`,
      { ...place, frame: f },
    );
  }
  if (offGrid > 0) {
    const f = frameAt(offGridRow);
    findings.error(
      "values",
      `${prefix}: frame ${f}: landmark ${coordinateName(offGridIndex)} = ${values[offGridRow * SHAPE_VALUES + offGridIndex]} is not on the 0.005 grid${offGrid > 1 ? ` (${plural(offGrid, "value")} off it in all)` : ""}`,
      { ...place, frame: f },
    );
  }
  if (lostWithLandmarks > 0) {
    const f = frameAt(lostWithLandmarksRow);
    findings.error("status", `${prefix}: frame ${f}: status lost but it has landmarks${lostWithLandmarks > 1 ? ` (${plural(lostWithLandmarks, "such row")})` : ""}`, { ...place, frame: f });
  }
  if (stretches.length > 1 && stretches[stretches.length - 1] === 0) stretches.pop();
  tally.landmarkRows += rowsWithLandmarks;
  tally.landmarkRowsOf.push([id, stretches]);
  tally.calibratedValues += rowsWithLandmarks * SHAPE_VALUES;
  tally.outOfRangeValues += outside;
  if (outside > 0 && (!tally.worstOutOfRange || outside > tally.worstOutOfRange.count)) {
    tally.worstOutOfRange = { video: id, file: path, count: outside, frame: frameAt(outsideRow) };
  }
}

/** `x17 (value 35)` for the 36th number of a shape: point 17's x. */
function coordinateName(index: number): string {
  const point = Math.floor(index / 2);
  return `${index % 2 === 0 ? "x" : "y"}${point} (value ${index + 1} of ${2 * POINT_COUNT})`;
}
