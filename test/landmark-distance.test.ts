import { test } from "node:test";
import assert from "node:assert/strict";
import { compareLandmarkRows } from "../src/metrics/landmark-distance.js";
import { squareShape } from "./helpers/synthetic-shape.js";

test("mean distance, per-region means and NME against the reference's eye-centre distance", () => {
  const reference = squareShape(0, 0, 1);
  const ours = Float64Array.from(reference);
  for (let p = 0; p < 17; p++) ours[2 * p]! += 0.03; // jaw shifted 0.03 to the right
  const d = compareLandmarkRows([ours, ours], [reference, reference], { jaw: [0, 17], rest: [17, 68] });
  assert.equal(d.frames, 2);
  assert.ok(Math.abs(d.mean - (0.03 * 17) / 68) < 1e-12);
  assert.ok(Math.abs(d.regions.jaw! - 0.03) < 1e-12);
  assert.equal(d.regions.rest, 0);
  // squareShape's points 36–41 and 42–47: compute the eye centres the same way the metric documents
  const centre = (from: number) => {
    let x = 0;
    let y = 0;
    for (let p = from; p < from + 6; p++) {
      x += reference[2 * p]!;
      y += reference[2 * p + 1]!;
    }
    return [x / 6, y / 6] as const;
  };
  const [lx, ly] = centre(36);
  const [rx, ry] = centre(42);
  assert.ok(Math.abs(d.nme - d.mean / Math.hypot(lx - rx, ly - ry)) < 1e-12);
  assert.throws(() => compareLandmarkRows([], [], {}), /no frame to compare/);
});
