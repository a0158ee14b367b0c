import { test } from "node:test";
import assert from "node:assert/strict";
import { faceBox, stableFaceSize } from "../src/calibrate/face-box.js";
import { shapeInCrop } from "../src/calibrate/face-crop.js";
import { kalmanMerge } from "../src/calibrate/kalman-merge.js";
import { normaliseTrack } from "../src/calibrate/calibrator.js";
import { formatLrnetLine, parseLrnetText } from "../src/export/lrnet-txt.js";
import { squareShape } from "./helpers/synthetic-shape.js";

test("stable size is rint of the mean face size, halves to even", () => {
  assert.equal(stableFaceSize([squareShape(0, 0, 100), squareShape(0, 0, 101)]), 100); // 100.5 → 100
  assert.equal(stableFaceSize([squareShape(0, 0, 101), squareShape(0, 0, 102)]), 102); // 101.5 → 102
});

test("face box: floor centre, even size, clamps at the top-left, shrinks at the right edge", () => {
  const shape = squareShape(300.7, 200.2, 100); // x 250.7..350.7 → cx = floor(300.7) = 300
  const { box, center } = faceBox(shape, 107, null, 640, 480);
  // size = trunc(107 × 1.2) = 128 → even 128; x1 = 300 − 64 = 236; y1 = floor(200.2) − 64 = 136
  assert.deepEqual(center, [300, 200]);
  assert.deepEqual(box, { x1: 236, y1: 136, size: 128 });

  const left = faceBox(squareShape(20, 30, 50), 107, null, 640, 480).box;
  assert.deepEqual(left, { x1: 0, y1: 0, size: 128 }, "shifted in by the clamp, not shrunk");

  const right = faceBox(squareShape(600, 200, 50), 107, null, 640, 480).box;
  assert.deepEqual(right, { x1: 536, y1: 136, size: 104 }, "640 − 536 = 104: shrinks, stays square");

  const gone = faceBox(squareShape(800, 200, 50), 107, null, 640, 480).box;
  assert.ok(gone.size <= 0, "entirely off the right edge: no area");
});

test("face box keeps the previous centre when the new one moved less than 1.42 px", () => {
  const first = faceBox(squareShape(300, 200, 100), 100, null, 640, 480);
  const near = faceBox(squareShape(301, 201, 100), 100, first.center, 640, 480); // √2 ≈ 1.414 < 1.42
  assert.deepEqual(near.center, first.center);
  const far = faceBox(squareShape(302, 200, 100), 100, first.center, 640, 480);
  assert.deepEqual(far.center, [302, 200]);
});

test("shape in crop: rint((p − corner) × 400 / size)", () => {
  const shape = squareShape(100, 100, 50);
  const loc = shapeInCrop(shape, { x1: 60, y1: 60, size: 80 });
  // point 0 is the top-left corner (75, 75) → (15 × 5, 15 × 5)
  assert.equal(loc[0], 75);
  assert.equal(loc[1], 75);
  // point 8 is (125, 75) → (65 × 5, 75)
  assert.equal(loc[16], 325);
});

test("Kalman merge: unchecked points keep the detection, checked ones blend with the flow", () => {
  const track = new Int32Array(136).fill(100);
  const locPrev = new Int32Array(136).fill(100);
  const locNext = new Int32Array(136).fill(110);
  const forward = new Float32Array(136).fill(104.4); // rint → 104: prediction moved 4 px per axis
  const backward = new Float32Array(136).fill(100.2);
  const forwardStatus = new Uint8Array(68).fill(1);
  const backwardStatus = new Uint8Array(68).fill(1);
  backward[2] = 103; // point 1 fails the feedback check (|103 − 100| = 3 > 2)
  forwardStatus[2] = 0; // point 2 lost by the forward flow
  const variance = new Float64Array(68);
  const merged = kalmanMerge(track, locPrev, locNext, { forward, backward, forwardStatus, backwardStatus }, variance);
  // point 0: detect = √200, predict = √32 → Pd = 2.5; P = 0.3; K = 0.3 / 2.8; x = trunc(104 + K × 6) = trunc(104.64) = 104
  assert.equal(merged[0], 104);
  assert.equal(merged[1], 104);
  assert.ok(Math.abs(variance[0]! - (1 - 0.3 / 2.8) * 0.3) < 1e-15);
  assert.equal(merged[2], 110, "feedback > 2: detection kept");
  assert.equal(variance[1], 0, "unchecked point leaves its variance alone");
  assert.equal(merged[4], 110, "status 0: detection kept");
});

test("Kalman merge: a zero prediction counts as 1 and the gain pulls toward the detection", () => {
  const zeros = new Int32Array(136).fill(200);
  const locNext = new Int32Array(136).fill(190);
  const flow = {
    forward: new Float32Array(136).fill(200),
    backward: new Float32Array(136).fill(200),
    forwardStatus: new Uint8Array(68).fill(1),
    backwardStatus: new Uint8Array(68).fill(1),
  };
  const merged = kalmanMerge(zeros, zeros, locNext, flow, new Float64Array(68));
  // detect = √200 ≈ 14.14, predict 0 → 1, K = 0.3 / 14.44 ≈ 0.0208 → 200 − 0.208 = 199.79 → trunc 199
  assert.equal(merged[0], 199);
});

test("LRNet text lines: (t − 200) / 200 with five decimals, and they parse back", () => {
  const track = new Int32Array(136);
  track[0] = 35;
  track[1] = 200;
  track[2] = 401;
  const line = formatLrnetLine(normaliseTrack(track));
  assert.ok(line.startsWith("-0.82500 0.00000 1.00500 -1.00000 "));
  assert.equal(line.split(" ").length, 136);
  const [row] = parseLrnetText(line + "\n", "mem.txt");
  assert.equal(row![0], -0.825);
  assert.throws(() => parseLrnetText("1 2 3\n", "bad.txt"), /bad\.txt:1: expected 136 values, found 3/);
});
