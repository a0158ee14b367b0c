import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { normaliseTrack } from "../src/calibrate/calibrator.js";
import { faceBox } from "../src/calibrate/face-box.js";
import { shapeInCrop } from "../src/calibrate/face-crop.js";
import { exactFaceBox, normaliseTrackIn } from "../src/calibrate/output-box.js";
import { type Shape, faceSize } from "../src/shape/shape.js";
import { cli } from "./helpers/cli.js";
import { NO_FIXTURES, lrnetFixtures } from "./helpers/paths.js";

/** A face-like shape: 68 points spread over a box of `size` around (cx, cy), deterministic. */
function faceShape(cx: number, cy: number, size: number): Shape {
  const shape = new Float64Array(136);
  for (let p = 0; p < 68; p++) {
    const a = (p * 2.399963) % (2 * Math.PI);
    const r = 0.5 * Math.sqrt((p + 1) / 68);
    shape[2 * p] = cx + size * r * Math.cos(a);
    shape[2 * p + 1] = cy + size * r * Math.sin(a);
  }
  return shape;
}

test("relative to the box it was cut from, a track is normalised as LRNet does", () => {
  const shape = faceShape(321.3, 207.8, 180);
  const { box } = faceBox(shape, Math.round(faceSize(shape)), null, 1280, 720);
  const track = shapeInCrop(shape, box);
  assert.deepEqual(normaliseTrackIn(track, box, box), normaliseTrack(track));
});

test("the exact box gives the same numbers to the same face at any size and place; LRNet's box does not", () => {
  const big = faceShape(640.4, 360.7, 250);
  // The same face scaled to 5 % of a 720p frame (36 px) and moved: frame = offset + big × scale.
  const scale = 36 / 250;
  const small = big.map((v, i) => (i % 2 ? 611.3 : 977.9) + v * scale);
  const outputs = [big, small].map((shape) => {
    const stable = faceSize(shape);
    const { box } = faceBox(shape, Math.round(stable), null, 1280, 720);
    // The calibrated track is the detection itself here (the first frame of a sequence).
    const track = shapeInCrop(shape, box);
    return { lrnet: normaliseTrack(track), exact: normaliseTrackIn(track, box, exactFaceBox(shape, stable)) };
  });
  const maxDiff = (a: Float64Array, b: Float64Array) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
  // Whole crop pixels: each side may round half a pixel of its own crop apart (0.005 in normalised units).
  assert.ok(maxDiff(outputs[0]!.exact, outputs[1]!.exact) <= 0.0125, `exact box: ${maxDiff(outputs[0]!.exact, outputs[1]!.exact)}`);
  assert.ok(maxDiff(outputs[0]!.lrnet, outputs[1]!.lrnet) > 0.02, `LRNet's box: ${maxDiff(outputs[0]!.lrnet, outputs[1]!.lrnet)}`);
  for (const v of outputs[1]!.exact) assert.ok(Math.abs(Math.round(v * 200) - v * 200) < 1e-9, `${v}: multiples of 0.005`);
});

test("exactFaceBox: centred on the shape's bounds, side 1.2 × the mean size, not clamped to the frame", () => {
  const shape = faceShape(5, 5, 100);
  let [xMin, xMax, yMin, yMax] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let p = 0; p < 68; p++) {
    xMin = Math.min(xMin, shape[2 * p]!);
    xMax = Math.max(xMax, shape[2 * p]!);
    yMin = Math.min(yMin, shape[2 * p + 1]!);
    yMax = Math.max(yMax, shape[2 * p + 1]!);
  }
  const box = exactFaceBox(shape, 90.5);
  assert.ok(Math.abs(box.size - 108.6) < 1e-9);
  assert.ok(Math.abs(box.x1 + box.size / 2 - (xMin + xMax) / 2) < 1e-9);
  assert.ok(Math.abs(box.y1 + box.size / 2 - (yMin + yMax) / 2) < 1e-9);
  assert.ok(box.x1 < 0, "a face at the corner keeps its box");
});

test("calibrate --parity --box exact is a usage error", async () => {
  const r = await cli("calibrate", "--video", "v.mp4", "--openface", "v.csv", "--out", "v.txt", "--parity", "--box", "exact");
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--box exact cannot be combined with --parity/);
  const bad = await cli("extract", "--video", "v.mp4", "--out", "v.txt", "--box", "square");
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--box takes lrnet or exact, got "square"/);
});

test("calibrate of an OpenFace CSV: LRNet's box by default (its golden output), the exact box on request", { skip: lrnetFixtures ? false : NO_FIXTURES }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "lrnet-output-box-"));
  const golden = readFileSync(join(lrnetFixtures!, "000_003.calibrated.txt"), "utf8").trimEnd().split("\n");
  const lines: Record<string, string[]> = {};
  for (const box of ["default", "exact"]) {
    const out = join(dir, `${box}.txt`);
    const r = await cli("calibrate", "--video", join(lrnetFixtures!, "000_003.mp4"), "--openface", join(lrnetFixtures!, "000_003.csv"), "--out", out, ...(box === "default" ? [] : ["--box", box]));
    assert.equal(r.code, 0, r.stderr);
    lines[box] = readFileSync(out, "utf8").trimEnd().split("\n");
    const record = JSON.parse(readFileSync(`${out}.json`, "utf8")) as { output_box: string };
    assert.equal(record.output_box, box === "default" ? "lrnet" : "exact");
  }
  assert.deepEqual(lines.default, golden);
  assert.equal(lines.exact!.length, golden.length);
  const values = (line: string) => line.split(" ").map(Number);
  let same = 0;
  let maxDiff = 0;
  lines.exact!.forEach((line, i) => {
    const a = values(line);
    const b = values(golden[i]!);
    a.forEach((v, k) => {
      if (v === b[k]) same++;
      maxDiff = Math.max(maxDiff, Math.abs(v - b[k]!));
    });
  });
  // LRNet's box differs from the exact one by its whole-pixel centre (floor, and held until it moves 1.42 px) and
  // its rounded side: for this ~200-px box, up to a few frame pixels at the crop's edge, 2 crop pixels each.
  assert.ok(same < golden.length * 136, "the exact box changes some values");
  assert.ok(maxDiff <= 0.05, `largest change ${maxDiff}`);
});
