import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LandmarkFileError } from "../src/sources/import/errors.js";
import { encodeNpy } from "../src/sources/import/npy.js";
import { openNpyFrames } from "../src/sources/import/npy-frames.js";
import { openNpyVideo } from "../src/sources/import/npy-video.js";
import { openJsonl } from "../src/sources/import/jsonl.js";
import { openPlainCsv } from "../src/sources/import/plain-csv.js";
import { detectImportFormat } from "../src/sources/import/detect-format.js";

const scratch = () => mkdtempSync(join(tmpdir(), "lrnet-import-"));
/** A face of `points` points whose point p sits at (base + p, 2·base + p). */
const face = (points: number, base: number) => Array.from({ length: points * 2 }, (_, i) => (i % 2 === 0 ? base + i / 2 : 2 * base + (i - 1) / 2));
const oneLine = (pattern: RegExp) => (e: unknown) => e instanceof LandmarkFileError && pattern.test(e.message) && !e.message.includes("\n");

test("npy-frames: zero-padded and plain names, (P,2) (1,P,2) (K,P,2) and (P,3); a missing file is a failed frame", () => {
  const dir = scratch();
  writeFileSync(join(dir, "0000.npy"), encodeNpy([5, 2], face(5, 10)));
  writeFileSync(join(dir, "2.npy"), encodeNpy([1, 5, 2], face(5, 20), { dtype: "<f4" }));
  writeFileSync(join(dir, "003.npy"), encodeNpy([2, 5, 2], [...face(5, 30), ...face(5, 40)], { fortran: true }));
  writeFileSync(join(dir, "4.npy"), encodeNpy([5, 3], Array.from({ length: 15 }, (_, i) => i)));
  writeFileSync(join(dir, "notes.txt"), "ignored");
  const track = openNpyFrames(dir, 5);
  assert.equal(track.points, 5);
  assert.deepEqual(Array.from(track.faces(0)[0]!.points), face(5, 10));
  assert.deepEqual(track.faces(1), []);
  assert.deepEqual(Array.from(track.faces(2)[0]!.points), face(5, 20));
  assert.deepEqual(track.faces(3).map((f) => Array.from(f.points)), [face(5, 30), face(5, 40)]);
  assert.deepEqual(Array.from(track.faces(4)[0]!.points), [0, 1, 3, 4, 6, 7, 9, 10, 12, 13]);
});

test("npy-frames: bad inputs end in one line naming the file (and frame)", () => {
  assert.throws(() => openNpyFrames(join(scratch(), "nope"), 5), oneLine(/nope: folder not found$/));
  const empty = scratch();
  assert.throws(() => openNpyFrames(empty, 5), oneLine(/no <frame>\.npy file/));
  const beyond = scratch();
  writeFileSync(join(beyond, "0.npy"), encodeNpy([5, 2], face(5, 1)));
  writeFileSync(join(beyond, "9.npy"), encodeNpy([5, 2], face(5, 1)));
  assert.throws(() => openNpyFrames(beyond, 5), oneLine(/9\.npy: frame 9 is beyond the video's 5 frames/));
  const shapes = scratch();
  writeFileSync(join(shapes, "0.npy"), encodeNpy([5, 2], face(5, 1)));
  writeFileSync(join(shapes, "1.npy"), encodeNpy([10], face(5, 1)));
  writeFileSync(join(shapes, "2.npy"), encodeNpy([6, 2], face(6, 1)));
  const nan = face(5, 1);
  nan[3] = Number.NaN;
  writeFileSync(join(shapes, "3.npy"), encodeNpy([5, 2], nan));
  writeFileSync(join(shapes, "4.npy"), encodeNpy([5, 2], new Array(10).fill(Number.NaN)));
  const track = openNpyFrames(shapes, 5);
  assert.throws(() => track.faces(1), oneLine(/1\.npy: frame 1: shape \(10\) is not \(P, 2\)/));
  assert.throws(() => track.faces(2), oneLine(/2\.npy: frame 2: 6 points, but .*0\.npy has 5/));
  assert.throws(() => track.faces(3), oneLine(/3\.npy: frame 3: NaN at point 1 \(a face needs every point/));
  assert.deepEqual(track.faces(4), [], "an all-NaN face is a failed detection");
});

test("npy-video: (frames,P,2) and (frames,2P); NaN rows fail; short files leave frames failed; long ones are refused", () => {
  const dir = scratch();
  const rows = [...face(4, 1), ...new Array(8).fill(Number.NaN), ...face(4, 3)];
  writeFileSync(join(dir, "a.npy"), encodeNpy([3, 4, 2], rows, { dtype: ">f8" }));
  writeFileSync(join(dir, "b.npy"), encodeNpy([3, 8], rows, { fortran: true }));
  for (const name of ["a.npy", "b.npy"]) {
    const track = openNpyVideo(join(dir, name), 4);
    assert.equal(track.points, 4);
    assert.deepEqual(Array.from(track.faces(0)[0]!.points), face(4, 1));
    assert.deepEqual(track.faces(1), []);
    assert.deepEqual(Array.from(track.faces(2)[0]!.points), face(4, 3));
    assert.deepEqual(track.faces(3), [], "no row: failed");
  }
  assert.throws(() => openNpyVideo(join(dir, "a.npy"), 2), oneLine(/a\.npy: frame 2: 3 rows, but the video has 2 frames/));
  writeFileSync(join(dir, "c.npy"), encodeNpy([3, 7], new Array(21).fill(1)));
  assert.throws(() => openNpyVideo(join(dir, "c.npy"), 4), oneLine(/c\.npy: shape \(3, 7\) is not \(frames, P, 2\)/));
  assert.throws(() => openNpyVideo(join(dir, "missing.npy"), 4), oneLine(/missing\.npy: file not found/));
});

test("jsonl: pairs or flat points, scores, face ids, null = failed; errors name file, line and frame", () => {
  const dir = scratch();
  const file = join(dir, "v.jsonl");
  const pairs = (f: number[]) => Array.from({ length: f.length / 2 }, (_, p) => [f[2 * p], f[2 * p + 1]]);
  writeFileSync(
    file,
    [
      JSON.stringify({ frame: 0, points: pairs(face(3, 1)), score: 0.9 }),
      JSON.stringify({ frame: 2, points: face(3, 2), face_id: 4 }),
      JSON.stringify({ frame: 2, points: face(3, 5), faceId: 5 }),
      JSON.stringify({ frame: 3, points: null }),
      "",
    ].join("\n"),
  );
  const track = openJsonl(file, 4);
  assert.equal(track.points, 3);
  assert.equal(track.faces(0)[0]!.score, 0.9);
  assert.deepEqual(Array.from(track.faces(0)[0]!.points), face(3, 1));
  assert.deepEqual(track.faces(1), []);
  assert.deepEqual(track.faces(2).map((f) => [f.faceId, f.score]), [[4, 1], [5, 1]]);
  assert.deepEqual(track.faces(3), []);
  writeFileSync(file, JSON.stringify({ frame: 0, points: face(3, 1) }) + "\n" + JSON.stringify({ frame: 9, points: face(3, 1) }) + "\n");
  assert.throws(() => openJsonl(file, 4), oneLine(/v\.jsonl:2: frame 9: beyond the video's 4 frames/));
  writeFileSync(file, JSON.stringify({ frame: 1, points: [[1, 2], [null, 4]] }) + "\n");
  assert.throws(() => openJsonl(file, 4), oneLine(/v\.jsonl:1: frame 1: NaN at point 1/));
  writeFileSync(file, "{broken\n");
  assert.throws(() => openJsonl(file, 4), oneLine(/v\.jsonl:1: not a JSON object/));
});

test("csv: header by name, x0… y0… in any order, optional score and face_id; errors name file, line and frame", () => {
  const dir = scratch();
  const file = join(dir, "v.csv");
  writeFileSync(file, "frame,y0,y1,x0,x1,score\n0,20,21,10,11,0.5\n2,,,,,0\n3,40,41,30,31,1\n");
  const track = openPlainCsv(file, 4);
  assert.equal(track.points, 2);
  assert.deepEqual(Array.from(track.faces(0)[0]!.points), [10, 20, 11, 21]);
  assert.equal(track.faces(0)[0]!.score, 0.5);
  assert.deepEqual(track.faces(2), [], "an empty row is a failed detection");
  assert.deepEqual(Array.from(track.faces(3)[0]!.points), [30, 40, 31, 41]);
  writeFileSync(file, "frame,x0,y0\n0,1,abc\n");
  assert.throws(() => openPlainCsv(file, 4), oneLine(/v\.csv:2: frame 0: y0 is "abc", not a number/));
});

test("format detection: folder = npy-frames, .npy = npy-video, .jsonl, OpenFace CSV vs plain csv; an unknown file is refused", () => {
  const dir = scratch();
  mkdirSync(join(dir, "frames"));
  writeFileSync(join(dir, "v.npy"), encodeNpy([1, 2], [1, 2]));
  writeFileSync(join(dir, "v.jsonl"), "");
  writeFileSync(join(dir, "of.csv"), "frame, face_id, timestamp, confidence, success, x_0\n");
  writeFileSync(join(dir, "plain.csv"), "frame,x0,y0\n");
  writeFileSync(join(dir, "v.txt"), "");
  assert.equal(detectImportFormat(join(dir, "frames")), "npy-frames");
  assert.equal(detectImportFormat(join(dir, "v.npy")), "npy-video");
  assert.equal(detectImportFormat(join(dir, "v.jsonl")), "jsonl");
  assert.equal(detectImportFormat(join(dir, "of.csv")), "openface");
  assert.equal(detectImportFormat(join(dir, "plain.csv")), "csv");
  assert.throws(() => detectImportFormat(join(dir, "v.txt")), oneLine(/v\.txt: cannot tell the landmark format .*--landmark-format/));
  assert.throws(() => detectImportFormat(join(dir, "none")), oneLine(/none: not found/));
});
