import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { alignToFrames, shapesInFileOrder } from "../src/openface/align.js";
import { OpenFaceCsvError } from "../src/openface/errors.js";
import { parseOpenFaceCsv } from "../src/openface/parse-csv.js";
import type { OpenFaceTable } from "../src/openface/types.js";
import { faceSize, shapeCentroid } from "../src/shape/shape.js";
import { makeOpenFaceCsv, syntheticShape, type OpenFaceCsvRow } from "./helpers/openface-csv.js";
import { NO_FIXTURES, lrnetFixtures } from "./helpers/paths.js";

const skipFixtures = lrnetFixtures === null ? NO_FIXTURES : false;

/** Independent reading of the raw text: the cell under `column` on 1-based `line`. */
function rawCell(text: string, line: number, column: string): number {
  const lines = text.split("\n");
  const header = lines[0]!.split(",").map((name) => name.trim());
  const index = header.indexOf(column);
  assert.ok(index >= 0, `no column ${column}`);
  return Number(lines[line - 1]!.split(",")[index]);
}

function fixtureCheck(name: string, rowCount: number, spots: Array<[line: number, column: string]>): void {
  const path = join(lrnetFixtures!, name);
  const text = readFileSync(path, "utf8");
  const table = parseOpenFaceCsv(text, name);
  assert.equal(table.rows.length, rowCount);
  assert.deepEqual(table.faceIds, [0]);
  table.rows.forEach((row, i) => {
    assert.equal(row.frame, i + 1);
    assert.equal(row.line, i + 2);
  });
  for (const [line, column] of spots) {
    const row = table.rows[line - 2]!;
    const match = /^([xy])_(\d+)$/.exec(column);
    const parsed = match
      ? row.shape[2 * Number(match[2]) + (match[1] === "y" ? 1 : 0)]
      : column === "confidence"
        ? row.confidence
        : row.timestamp;
    assert.equal(parsed, rawCell(text, line, column), `${name} line ${line} ${column}`);
  }
}

test("fixture 000_003.csv: 396 rows, values as in the raw text", { skip: skipFixtures }, (t) => {
  fixtureCheck("000_003.csv", 396, [
    [2, "x_0"],
    [2, "y_67"],
    [2, "confidence"],
    [201, "x_33"],
    [201, "y_33"],
    [201, "timestamp"],
    [397, "x_67"],
    [397, "y_0"],
  ]);
  const table = parseOpenFaceCsv(readFileSync(join(lrnetFixtures!, "000_003.csv"), "utf8"), "000_003.csv");
  assert.equal(table.rows[0]!.shape[0], 262.2); // x_0 of frame 1, read off the file
  assert.equal(table.rows[0]!.shape[1], 151.7); // y_0 of frame 1
  assert.equal(table.rows[0]!.success, true);
  const frames = alignToFrames(table, 396, { file: "000_003.csv" });
  assert.equal(frames.length, 396);
  assert.ok(frames.every((f, i) => f.success && f.shape === table.rows[i]!.shape));
  assert.equal(shapesInFileOrder(table).length, 396);
  assert.throws(() => alignToFrames(table, 395, { file: "000_003.csv" }), {
    name: "OpenFaceCsvError",
    message: "000_003.csv:397: frame 396 is beyond the video's 395 frames",
  });
});

test("fixture ff_real_mp.csv: 757 rows, values as in the raw text", { skip: skipFixtures }, (t) => {
  fixtureCheck("ff_real_mp.csv", 757, [
    [2, "x_0"],
    [400, "y_48"],
    [758, "x_16"],
    [758, "timestamp"],
  ]);
});

// ---------------------------------------------------------------- synthetic CSVs

const shapeA = syntheticShape(200, 150, 100);
const shapeB = syntheticShape(420.5, 260.3, 80);
const basicRows: OpenFaceCsvRow[] = [
  { frame: 1, shape: shapeA, confidence: 0.97 },
  { frame: 2, shape: shapeB, confidence: 0.88, timestamp: 0.04 },
  { frame: 3, confidence: 0.03 }, // failed detection: zeros
];

function assertBasicTable(table: OpenFaceTable, options: { timestamps?: boolean } = {}): void {
  assert.equal(table.rows.length, 3);
  assert.deepEqual(table.faceIds, [0]);
  assert.deepEqual(
    table.rows.map((r) => [r.line, r.frame, r.faceId, r.confidence, r.success]),
    [
      [2, 1, 0, 0.97, true],
      [3, 2, 0, 0.88, true],
      [4, 3, 0, 0.03, false],
    ],
  );
  assert.deepEqual(table.rows[0]!.shape, shapeA);
  assert.deepEqual(table.rows[1]!.shape, shapeB);
  assert.deepEqual(table.rows[2]!.shape, new Float64Array(136));
  if (options.timestamps !== false) assert.deepEqual(table.rows.map((r) => r.timestamp), [0, 0.04, 0.08]);
}

test("both separators parse to the same table", () => {
  for (const separator of [", ", ","] as const) {
    const text = makeOpenFaceCsv(basicRows, { separator });
    assert.ok(text.startsWith(separator === ", " ? "frame, face_id, timestamp," : "frame,face_id,timestamp,"));
    assertBasicTable(parseOpenFaceCsv(text, "t.csv"));
  }
});

test("extra column groups (eye_lmk_x_0, X_0, gaze, pose, AUs) are not confused with x_0", () => {
  const text = makeOpenFaceCsv(basicRows, { extraColumns: true });
  const header = text.slice(0, text.indexOf("\n")).split(", ");
  assert.equal(header.length, 714);
  for (const name of ["eye_lmk_x_0", "eye_lmk_X_0", "X_0", "Y_0", "Z_67", "gaze_0_x", "pose_Tx", "p_scale", "AU45_c"]) {
    assert.ok(header.includes(name), name);
  }
  assertBasicTable(parseOpenFaceCsv(text, "t.csv"));
  assertBasicTable(parseOpenFaceCsv(makeOpenFaceCsv(basicRows, { extraColumns: true, separator: "," }), "t.csv"));
});

test("a UTF-8 BOM, CRLF line endings and blank trailing lines are tolerated", () => {
  const text = makeOpenFaceCsv(basicRows, { bom: true, lineEnding: "\r\n" }) + "\r\n\r\n  \n";
  assertBasicTable(parseOpenFaceCsv(text, "t.csv"));
  // no trailing newline at all
  assertBasicTable(parseOpenFaceCsv(makeOpenFaceCsv(basicRows).trimEnd(), "t.csv"));
});

test("columns are read by name, in any order", () => {
  const reversed = makeOpenFaceCsv(basicRows, { extraColumns: true, columnOrder: (names) => [...names].reverse() });
  assert.ok(reversed.startsWith("AU45_c, AU28_c"));
  assertBasicTable(parseOpenFaceCsv(reversed, "t.csv"));
  const yFirst = makeOpenFaceCsv(basicRows, {
    columnOrder: (names) => [...names.filter((n) => n.startsWith("y_")), ...names.filter((n) => !n.startsWith("y_"))],
  });
  assertBasicTable(parseOpenFaceCsv(yFirst, "t.csv"));
});

test("face_id and timestamp are optional", () => {
  const table = parseOpenFaceCsv(makeOpenFaceCsv(basicRows, { faceIdColumn: false, timestampColumn: false }), "t.csv");
  assertBasicTable(table, { timestamps: false });
  assert.deepEqual(
    table.rows.map((r) => r.timestamp),
    [null, null, null],
  );
});

test("a header-only CSV is an empty table", () => {
  const table = parseOpenFaceCsv(makeOpenFaceCsv([]), "t.csv");
  assert.deepEqual(table, { rows: [], faceIds: [] });
  assert.deepEqual(alignToFrames(table, 2, { file: "t.csv" }), [
    { shape: null, confidence: 0, success: false },
    { shape: null, confidence: 0, success: false },
  ]);
});

// ---------------------------------------------------------------- parse errors

/** Replace the cell of `column` on 1-based `line` of CSV `text`. */
function setCell(text: string, line: number, column: string, value: string): string {
  const lines = text.split("\n");
  const index = lines[0]!.split(", ").indexOf(column);
  assert.ok(index >= 0, `no column ${column}`);
  const cells = lines[line - 1]!.split(", ");
  cells[index] = value;
  lines[line - 1] = cells.join(", ");
  return lines.join("\n");
}

function dropColumns(text: string, columns: string[]): string {
  const lines = text.split("\n");
  const header = lines[0]!.split(", ");
  const drop = new Set(columns.map((c) => header.indexOf(c)));
  return lines.map((line) => (line === "" ? line : line.split(", ").filter((_, i) => !drop.has(i)).join(", "))).join("\n");
}

function assertCsvError(text: string, message: string, line: number | null): void {
  assert.throws(
    () => parseOpenFaceCsv(text, "clip.csv"),
    (error: unknown) => {
      assert.ok(error instanceof OpenFaceCsvError);
      assert.equal(error.message, message);
      assert.equal(error.file, "clip.csv");
      assert.equal(error.line, line);
      assert.ok(!error.message.includes("\n"));
      return true;
    },
  );
}

const good = makeOpenFaceCsv(basicRows);

test("error: empty file or no header", () => {
  assertCsvError("", "clip.csv:1: empty file: expected an OpenFace CSV header", 1);
  assertCsvError("\uFEFF\r\n\n  ", "clip.csv:1: empty file: expected an OpenFace CSV header", 1);
});

test("error: missing landmark and scalar columns are named compactly", () => {
  assertCsvError(dropColumns(good, ["x_12", "y_12"]), "clip.csv:1: missing columns x_12, y_12", 1);
  assertCsvError(dropColumns(good, ["y_40"]), "clip.csv:1: missing column y_40", 1);
  assertCsvError(dropColumns(good, ["x_3", "x_4", "x_5", "x_9"]), "clip.csv:1: missing columns x_3..x_5, x_9", 1);
  assertCsvError(
    dropColumns(good, Array.from({ length: 68 }, (_, i) => `x_${i}`)),
    "clip.csv:1: missing columns x_0..x_67 (2D landmarks are written by OpenFace's -2Dfp flag)",
    1,
  );
  assertCsvError(dropColumns(good, ["frame", "success"]), "clip.csv:1: missing columns frame, success", 1);
  assertCsvError(
    "frame;face_id;confidence\n1;0;0.9\n",
    "clip.csv:1: missing columns frame, confidence, success, x_0..x_67, y_0..y_67 (the header has a single column: is the file comma-separated?)",
    1,
  );
  // X_0 (3D) and eye_lmk_x_0 must not stand in for x_0
  const only3d = makeOpenFaceCsv(basicRows, {
    extraColumns: true,
    columnOrder: (names) => names.filter((n) => n !== "x_0"),
  });
  assertCsvError(only3d, "clip.csv:1: missing column x_0", 1);
});

test("error: a column name appearing twice", () => {
  const text = makeOpenFaceCsv(basicRows, { columnOrder: (names) => [...names, "x_5"] });
  assertCsvError(text, "clip.csv:1: column x_5 appears twice (columns 11 and 142)", 1);
});

test("error: ragged rows", () => {
  const lines = good.split("\n");
  lines[2] = lines[2]!.slice(0, lines[2]!.lastIndexOf(", "));
  assertCsvError(lines.join("\n"), "clip.csv:3: row has 140 cells, the header has 141", 3);
  const extra = good.split("\n");
  extra[3] += ", 7";
  assertCsvError(extra.join("\n"), "clip.csv:4: row has 142 cells, the header has 141", 4);
  // a missing cell in the middle shifts the values: reported as ragged, not as a bad value
  const middle = good.split("\n");
  middle[1] = middle[1]!.replace(", 0.97, ", ", ");
  assertCsvError(middle.join("\n"), "clip.csv:2: row has 140 cells, the header has 141", 2);
  const blank = good.split("\n");
  blank.splice(2, 0, "");
  assertCsvError(blank.join("\n"), "clip.csv:3: blank line inside the table", 3);
});

test("error: non-numeric, empty, NaN and infinite cells name the column", () => {
  assertCsvError(setCell(good, 3, "x_7", "abc"), 'clip.csv:3: column x_7 is not a number: "abc"', 3);
  assertCsvError(setCell(good, 2, "y_67", ""), "clip.csv:2: column y_67 is empty", 2);
  assertCsvError(setCell(good, 4, "confidence", " "), "clip.csv:4: column confidence is empty", 4);
  assertCsvError(setCell(good, 2, "x_0", "nan"), 'clip.csv:2: column x_0 is not a finite number: "nan"', 2);
  assertCsvError(setCell(good, 2, "timestamp", "-inf"), 'clip.csv:2: column timestamp is not a finite number: "-inf"', 2);
  assertCsvError(setCell(good, 3, "face_id", "Infinity"), 'clip.csv:3: column face_id is not a finite number: "Infinity"', 3);
  assertCsvError(setCell(good, 3, "frame", "two"), 'clip.csv:3: column frame is not a number: "two"', 3);
  // unused columns are not parsed at all
  const extra = makeOpenFaceCsv(basicRows, { extraColumns: true });
  assertBasicTable(parseOpenFaceCsv(setCell(extra, 2, "eye_lmk_x_0", "nan"), "t.csv"));
});

test("error: frame numbers that are not whole numbers >= 1", () => {
  assertCsvError(setCell(good, 2, "frame", "0"), "clip.csv:2: frame must be a whole number >= 1 (OpenFace counts from 1), got 0", 2);
  assertCsvError(setCell(good, 3, "frame", "2.5"), "clip.csv:3: frame must be a whole number >= 1 (OpenFace counts from 1), got 2.5", 3);
  assertCsvError(setCell(good, 3, "frame", "-4"), "clip.csv:3: frame must be a whole number >= 1 (OpenFace counts from 1), got -4", 3);
  assertCsvError(setCell(good, 3, "face_id", "0.5"), "clip.csv:3: face_id must be a whole number >= 0, got 0.5", 3);
  assertCsvError(setCell(good, 4, "success", "2"), "clip.csv:4: success must be 0 or 1, got 2", 4);
});

test("error: duplicate (frame, face_id) pairs", () => {
  assertCsvError(setCell(good, 4, "frame", "1"), "clip.csv:4: duplicate row for frame 1, face_id 0 (first at line 2)", 4);
  // the same frame for two face_ids is fine
  const two = parseOpenFaceCsv(setCell(setCell(good, 4, "frame", "1"), 4, "face_id", "1"), "t.csv");
  assert.deepEqual(two.faceIds, [0, 1]);
  // without a face_id column every row is face 0
  const noIds = makeOpenFaceCsv([{ frame: 5, shape: shapeA }, { frame: 5, shape: shapeB }], { faceIdColumn: false });
  assertCsvError(noIds, "clip.csv:3: duplicate row for frame 5, face_id 0 (first at line 2)", 3);
});

// ---------------------------------------------------------------- alignment, single face

test("gaps become failed observations; failed rows keep their zeros", () => {
  const rows: OpenFaceCsvRow[] = [
    { frame: 2, shape: shapeA, confidence: 0.9 },
    { frame: 3, confidence: 0.1 },
    { frame: 5, shape: shapeB, confidence: 0.8 },
  ];
  const table = parseOpenFaceCsv(makeOpenFaceCsv(rows), "g.csv");
  const frames = alignToFrames(table, 6, { file: "g.csv" });
  assert.deepEqual(frames, [
    { shape: null, confidence: 0, success: false },
    { shape: shapeA, confidence: 0.9, success: true },
    { shape: new Float64Array(136), confidence: 0.1, success: false },
    { shape: null, confidence: 0, success: false },
    { shape: shapeB, confidence: 0.8, success: true },
    { shape: null, confidence: 0, success: false },
  ]);
});

test("a row beyond the video's last frame is an error naming file, line and frame count", () => {
  const rows: OpenFaceCsvRow[] = [
    { frame: 1, shape: shapeA },
    { frame: 400, shape: shapeA },
  ];
  const table = parseOpenFaceCsv(makeOpenFaceCsv(rows), "v.csv");
  assert.throws(() => alignToFrames(table, 396, { file: "v.csv" }), {
    name: "OpenFaceCsvError",
    message: "v.csv:3: frame 400 is beyond the video's 396 frames",
  });
  assert.throws(() => alignToFrames(table, 1, { file: "v.csv" }), {
    message: "v.csv:3: frame 400 is beyond the video's 1 frame",
  });
  assert.equal(alignToFrames(table, 400, { file: "v.csv" }).length, 400);
  assert.throws(() => alignToFrames(table, -1, { file: "v.csv" }), RangeError);
});

test("shapesInFileOrder: every row, failed rows included, in file order", () => {
  const rows: OpenFaceCsvRow[] = [
    { frame: 3, shape: shapeB },
    { frame: 1, shape: shapeA },
    { frame: 2 },
  ];
  const table = parseOpenFaceCsv(makeOpenFaceCsv(rows), "o.csv");
  assert.deepEqual(shapesInFileOrder(table), [shapeB, shapeA, new Float64Array(136)]);
  // alignment, by contrast, follows the frame numbers
  assert.deepEqual(
    alignToFrames(table, 3, { file: "o.csv" }).map((f) => f.shape),
    [shapeA, new Float64Array(136), shapeB],
  );
});

// ---------------------------------------------------------------- several faces

/**
 * Face A (size 100) walks right from x = 100, face B (size 60) walks left from x = 500, 10 px a frame; they
 * meet at frame 21. OpenFace swaps their face_ids after the crossing. B comes first in the file.
 */
function crossingRows(): OpenFaceCsvRow[] {
  const rows: OpenFaceCsvRow[] = [];
  for (let frame = 1; frame <= 41; frame++) {
    const i = frame - 1;
    const swapped = frame > 21;
    const a = { frame, faceId: swapped ? 1 : 0, shape: syntheticShape(100 + 10 * i, 200, 100), confidence: 0.9 };
    const b = { frame, faceId: swapped ? 0 : 1, shape: syntheticShape(500 - 10 * i, 205, 60), confidence: 0.7 };
    if (frame === 1) {
      // no successful detection in the first frame: the track starts at frame 2
      rows.push({ frame, faceId: 1, confidence: 0.02 }, { frame, faceId: 0, confidence: 0.01 });
    } else if (frame === 30) {
      rows.push({ ...b, success: false, shape: null, confidence: 0.05 }, { ...a, success: false, shape: null, confidence: 0.04 });
    } else if (frame === 35) {
      // face A's row is missing for this frame, only B is there (and failed)
      rows.push({ ...b, success: false, shape: null, confidence: 0.06 });
    } else {
      rows.push(b, a);
    }
  }
  return rows;
}

test("several faces: the tracker follows the largest face through a crossing and an id swap", () => {
  const table = parseOpenFaceCsv(makeOpenFaceCsv(crossingRows()), "multi.csv");
  assert.deepEqual(table.faceIds, [0, 1]);
  const frames = alignToFrames(table, 42, { file: "multi.csv" });
  assert.equal(frames.length, 42);
  frames.forEach((frame, i) => {
    if (i === 0 || i === 29 || i === 34) {
      assert.equal(frame.success, false, `frame index ${i}`);
      return;
    }
    if (i === 41) {
      assert.deepEqual(frame, { shape: null, confidence: 0, success: false });
      return;
    }
    assert.equal(frame.success, true, `frame index ${i}`);
    assert.equal(frame.confidence, 0.9);
    assert.ok(Math.abs(faceSize(frame.shape!) - 100) < 0.2, `face size at ${i}`);
    const [cx] = shapeCentroid(frame.shape!);
    assert.ok(Math.abs(cx - (100 + 10 * i)) < 0.2, `centroid at ${i}: ${cx}`);
  });
  // failed frames keep the failed row's confidence: frame 1 prefers the followed face's id (0 at frame 2),
  // frame 30 takes the failed row nearest the last successful shape (A, confidence 0.04)
  assert.equal(frames[0]!.confidence, 0.01);
  assert.equal(frames[29]!.confidence, 0.04);
  assert.equal(frames[34]!.confidence, 0.06);
});

test("several faces: faceId forces one face_id; an absent id names the ids present", () => {
  const table = parseOpenFaceCsv(makeOpenFaceCsv(crossingRows()), "multi.csv");
  const frames = alignToFrames(table, 41, { file: "multi.csv", faceId: 1 });
  // face_id 1 is B until the crossing, then A
  assert.ok(Math.abs(faceSize(frames[5]!.shape!) - 60) < 0.2);
  assert.ok(Math.abs(faceSize(frames[25]!.shape!) - 100) < 0.2);
  assert.deepEqual(frames[34], { shape: null, confidence: 0, success: false });
  assert.throws(() => alignToFrames(table, 41, { file: "multi.csv", faceId: 7 }), {
    name: "OpenFaceCsvError",
    message: "multi.csv: face_id 7 does not occur (face_ids present: 0, 1)",
  });
  const empty = parseOpenFaceCsv(makeOpenFaceCsv([]), "e.csv");
  assert.throws(() => alignToFrames(empty, 3, { file: "e.csv", faceId: 0 }), {
    message: "e.csv: face_id 0 does not occur (face_ids present: none, the CSV has no rows)",
  });
});

test("several faces without any successful row: one row per frame, all failed", () => {
  const rows: OpenFaceCsvRow[] = [
    { frame: 1, faceId: 2, confidence: 0.1 },
    { frame: 1, faceId: 3, confidence: 0.2 },
    { frame: 2, faceId: 3, confidence: 0.3 },
    { frame: 2, faceId: 2, confidence: 0.4 },
  ];
  const frames = alignToFrames(parseOpenFaceCsv(makeOpenFaceCsv(rows), "f.csv"), 2, { file: "f.csv" });
  // the first row in file order, then the same face_id
  assert.deepEqual(frames.map((f) => [f.confidence, f.success]), [
    [0.1, false],
    [0.4, false],
  ]);
});

// ---------------------------------------------------------------- wide files (timing lives in `npm run bench`)

test("a 757-row CSV with all 714 FeatureExtraction columns reads the landmark columns only", () => {
  const rows: OpenFaceCsvRow[] = Array.from({ length: 757 }, (_, i) => ({
    frame: i + 1,
    shape: syntheticShape(600 + (i % 50), 300, 220),
  }));
  const text = makeOpenFaceCsv(rows, { extraColumns: true });
  const table = parseOpenFaceCsv(text, "big.csv");
  assert.equal(table.rows.length, 757);
  assert.deepEqual(table.rows[0]!.shape, rows[0]!.shape);
  assert.deepEqual(table.rows[756]!.shape, rows[756]!.shape);
});
