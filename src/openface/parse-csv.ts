import { readFile } from "node:fs/promises";
import { POINT_COUNT, SHAPE_VALUES } from "../shape/shape.js";
import { OpenFaceCsvError } from "./errors.js";
import type { OpenFaceRow, OpenFaceTable } from "./types.js";

// Slots of the per-row scratch buffer: the shape values first (interleaved x0 y0 …), then the scalar columns.
const SLOT_FRAME = SHAPE_VALUES;
const SLOT_FACE_ID = SHAPE_VALUES + 1;
const SLOT_TIMESTAMP = SHAPE_VALUES + 2;
const SLOT_CONFIDENCE = SHAPE_VALUES + 3;
const SLOT_SUCCESS = SHAPE_VALUES + 4;
const SLOT_COUNT = SHAPE_VALUES + 5;

const SLOT_NAMES: readonly string[] = (() => {
  const names: string[] = [];
  for (let p = 0; p < POINT_COUNT; p++) names.push(`x_${p}`, `y_${p}`);
  names.push("frame", "face_id", "timestamp", "confidence", "success");
  return names;
})();

const NEWLINE = "\n";
const CARRIAGE_RETURN = 13;

/**
 * Parse the CSV that OpenFace 2.x `FeatureExtraction` / `FaceLandmarkVidMulti` writes.
 *
 * Columns are found by their trimmed, case-sensitive header name (`x_0` is neither `X_0` nor `eye_lmk_x_0`),
 * so any set of OpenFace output flags, column order and either `", "` or `","` separators work. Only the
 * needed columns are converted to numbers. Cells are never quoted in OpenFace output, so quoting is not supported.
 *
 * @param file the name used in error messages
 * @throws OpenFaceCsvError `FILE:LINE: reason` for anything malformed
 */
export function parseOpenFaceCsv(text: string, file: string): OpenFaceTable {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let end = text.length;
  while (end > start && isWhitespace(text.charCodeAt(end - 1))) end--;
  if (end === start) throw new OpenFaceCsvError(file, 1, "empty file: expected an OpenFace CSV header");

  let lineEnd = text.indexOf(NEWLINE, start);
  if (lineEnd === -1 || lineEnd > end) lineEnd = end;
  const header = text.slice(start, contentEnd(text, start, lineEnd)).split(",").map((name) => name.trim());
  const columnSlots = resolveColumns(header, file);
  const hasFaceId = columnSlots.includes(SLOT_FACE_ID);
  const hasTimestamp = columnSlots.includes(SLOT_TIMESTAMP);
  const columnCount = header.length;

  const rows: OpenFaceRow[] = [];
  const linesByFace = new Map<number, Map<number, number>>();
  const values = new Float64Array(SLOT_COUNT);
  let line = 1;
  let lineStart = lineEnd + 1;

  while (lineStart <= end) {
    line++;
    lineEnd = text.indexOf(NEWLINE, lineStart);
    if (lineEnd === -1 || lineEnd > end) lineEnd = end;
    const rowEnd = contentEnd(text, lineStart, lineEnd);

    // Cells are scanned in place; a bad cell is remembered and reported only after the cell count is
    // known, so a row with a missing cell is reported as ragged rather than as a shifted bad value.
    let cells = 0;
    let badSlot = -1;
    let badCell = "";
    let cellStart = lineStart;
    for (;;) {
      let cellEnd = text.indexOf(",", cellStart);
      if (cellEnd === -1 || cellEnd > rowEnd) cellEnd = rowEnd;
      const slot = cells < columnCount ? columnSlots[cells]! : -1;
      if (slot >= 0) {
        const cell = text.slice(cellStart, cellEnd);
        const value = Number(cell);
        if (Number.isFinite(value) && (value !== 0 || cell.trim() !== "")) {
          values[slot] = value;
        } else if (badSlot < 0) {
          badSlot = slot;
          badCell = cell.trim();
        }
      }
      cells++;
      if (cellEnd === rowEnd) break;
      cellStart = cellEnd + 1;
    }

    if (cells !== columnCount) {
      if (cells === 1 && text.slice(lineStart, rowEnd).trim() === "") {
        throw new OpenFaceCsvError(file, line, "blank line inside the table");
      }
      throw new OpenFaceCsvError(file, line, `row has ${cells} cells, the header has ${columnCount}`);
    }
    if (badSlot >= 0) throw new OpenFaceCsvError(file, line, badCellReason(SLOT_NAMES[badSlot]!, badCell));

    const frame = values[SLOT_FRAME]!;
    if (!Number.isInteger(frame) || frame < 1) {
      throw new OpenFaceCsvError(file, line, `frame must be a whole number >= 1 (OpenFace counts from 1), got ${frame}`);
    }
    const faceId = hasFaceId ? values[SLOT_FACE_ID]! : 0;
    if (!Number.isInteger(faceId) || faceId < 0) {
      throw new OpenFaceCsvError(file, line, `face_id must be a whole number >= 0, got ${faceId}`);
    }
    const success = values[SLOT_SUCCESS]!;
    if (success !== 0 && success !== 1) {
      throw new OpenFaceCsvError(file, line, `success must be 0 or 1, got ${success}`);
    }

    let linesByFrame = linesByFace.get(faceId);
    if (linesByFrame === undefined) {
      linesByFrame = new Map();
      linesByFace.set(faceId, linesByFrame);
    }
    const firstLine = linesByFrame.get(frame);
    if (firstLine !== undefined) {
      throw new OpenFaceCsvError(
        file,
        line,
        `duplicate row for frame ${frame}, face_id ${faceId} (first at line ${firstLine})`,
      );
    }
    linesByFrame.set(frame, line);

    rows.push({
      line,
      frame,
      faceId,
      timestamp: hasTimestamp ? values[SLOT_TIMESTAMP]! : null,
      confidence: values[SLOT_CONFIDENCE]!,
      success: success === 1,
      shape: values.slice(0, SHAPE_VALUES),
    });
    lineStart = lineEnd + 1;
  }

  return { rows, faceIds: [...linesByFace.keys()].sort((a, b) => a - b) };
}

/** Map each header column to its slot (-1 when unused); throws when a required column is missing. */
function resolveColumns(header: string[], file: string): Int32Array {
  const slotByName = new Map<string, number>(SLOT_NAMES.map((name, slot) => [name, slot]));
  const columnSlots = new Int32Array(header.length).fill(-1);
  const columnOfSlot = new Int32Array(SLOT_COUNT).fill(-1);
  header.forEach((name, column) => {
    const slot = slotByName.get(name);
    if (slot === undefined) return;
    if (columnOfSlot[slot]! >= 0) {
      throw new OpenFaceCsvError(
        file,
        1,
        `column ${name} appears twice (columns ${columnOfSlot[slot]! + 1} and ${column + 1})`,
      );
    }
    columnOfSlot[slot] = column;
    columnSlots[column] = slot;
  });

  const missing: string[] = [];
  for (const name of ["frame", "confidence", "success"]) {
    if (columnOfSlot[slotByName.get(name)!]! < 0) missing.push(name);
  }
  for (const axis of [0, 1]) {
    const absent: number[] = [];
    for (let p = 0; p < POINT_COUNT; p++) if (columnOfSlot[2 * p + axis]! < 0) absent.push(p);
    missing.push(...compactRanges(axis === 0 ? "x_" : "y_", absent));
  }
  if (missing.length > 0) {
    const plural = missing.length > 1 || missing[0]!.includes("..");
    let reason = `missing column${plural ? "s" : ""} ${missing.join(", ")}`;
    if (header.length === 1) reason += " (the header has a single column: is the file comma-separated?)";
    else if (missing.includes("x_0..x_67")) reason += " (2D landmarks are written by OpenFace's -2Dfp flag)";
    throw new OpenFaceCsvError(file, 1, reason);
  }
  return columnSlots;
}

/** [3, 4, 5, 9] with prefix "x_" → ["x_3..x_5", "x_9"]. */
function compactRanges(prefix: string, indices: number[]): string[] {
  const parts: string[] = [];
  for (let i = 0; i < indices.length; ) {
    let j = i;
    while (j + 1 < indices.length && indices[j + 1] === indices[j]! + 1) j++;
    parts.push(j - i >= 2 ? `${prefix}${indices[i]}..${prefix}${indices[j]}` : `${prefix}${indices[i]}`);
    if (j - i === 1) parts.push(`${prefix}${indices[j]}`);
    i = j + 1;
  }
  return parts;
}

function badCellReason(column: string, cell: string): string {
  if (cell === "") return `column ${column} is empty`;
  if (/^[+-]?(nan|inf|infinity)$/i.test(cell)) return `column ${column} is not a finite number: "${cell}"`;
  return `column ${column} is not a number: "${cell}"`;
}

/** End of a line's content: before a CR of a CRLF ending. */
function contentEnd(text: string, lineStart: number, lineEnd: number): number {
  return lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === CARRIAGE_RETURN ? lineEnd - 1 : lineEnd;
}

function isWhitespace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/** Reads and parses an OpenFace CSV file; a missing or unreadable file is a one-line OpenFaceCsvError. */
export async function readOpenFaceCsv(path: string): Promise<OpenFaceTable> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new OpenFaceCsvError(path, null, "not found", `OpenFace CSV not found: ${path}`);
    throw new OpenFaceCsvError(path, null, `cannot read the OpenFace CSV (${code ?? String(err)})`);
  }
  return parseOpenFaceCsv(text, path);
}
