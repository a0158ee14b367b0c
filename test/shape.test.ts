import { test } from "node:test";
import assert from "node:assert/strict";
import { rint } from "../src/shape/numeric.js";
import { faceSize, shapeFromPoints } from "../src/shape/shape.js";

test("rint rounds halves to even like numpy", () => {
  assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6].map(rint), [0, 2, 2, -0, -2, -2, 2, -3]);
});

test("faceSize is the larger side of the bounding box", () => {
  const xs = Array.from({ length: 68 }, (_, i) => 10 + (i % 7) * 5);
  const ys = Array.from({ length: 68 }, (_, i) => 100 + (i % 3) * 20);
  assert.equal(faceSize(shapeFromPoints(xs, ys)), 40);
});
