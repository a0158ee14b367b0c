import { test } from "node:test";
import assert from "node:assert/strict";
import { type Detection, LRNET_JUMP_LIMITS, countStatuses, guardSequence } from "../src/guard/guard.js";
import { squareShape } from "./helpers/synthetic-shape.js";

const settings = { minScore: 0.5, ...LRNET_JUMP_LIMITS };
const face = (cx: number, size = 100, score = 0.9): Detection => ({ shape: squareShape(cx, 200, size), score });
const none: Detection = { shape: null, score: 0 };

test("leading failures are skipped, later failures hold the previous shape", () => {
  const detections = [none, face(100, 100, 0.2), face(100), none, face(103), face(104, 100, 0.49)];
  const out = guardSequence(detections, settings);
  assert.deepEqual(
    out.map((f) => f.status),
    ["skipped", "skipped", "detected", "held", "detected", "held"],
  );
  assert.equal(out[0]!.shape, null);
  assert.equal(out[1]!.shape, null);
  assert.equal(out[3]!.shape, detections[2]!.shape, "held frame reuses the previous final shape");
  assert.equal(out[5]!.shape, detections[4]!.shape);
});

test("a face that jumps more than half its size is rejected and the previous shape kept", () => {
  const out = guardSequence([face(100), face(149), face(210), face(152)], settings);
  // 149 − 100 = 49 ≤ 50: kept. 210 − 149 = 61 > 50: rejected. 152 − 149 = 3: kept.
  assert.deepEqual(
    out.map((f) => f.status),
    ["detected", "detected", "rejected", "detected"],
  );
  assert.equal(out[2]!.shape, out[1]!.shape);
});

test("a face that shrinks below 70 % or grows above 130 % is rejected", () => {
  const out = guardSequence([face(100, 100), face(100, 71), face(100, 69), face(100, 92), face(100, 120), face(100, 131)], settings);
  // sizes compare with the previous final shape: 71/100 ok, 69/71 ok (0.97), 92/69 > 1.3 rejected, 120/69 rejected, 131/69 rejected
  assert.deepEqual(
    out.map((f) => f.status),
    ["detected", "detected", "detected", "rejected", "rejected", "rejected"],
  );
});

test("a score of exactly the threshold counts as a detection; NaN counts as a failure", () => {
  const out = guardSequence([face(100, 100, 0.5), face(100, 100, Number.NaN)], settings);
  assert.deepEqual(
    out.map((f) => f.status),
    ["detected", "held"],
  );
});

test("a sequence without any detection is all skipped, and the counts say so", () => {
  const out = guardSequence([none, none, face(1, 10, 0.1)], settings);
  assert.deepEqual(countStatuses(out), { detected: 0, held: 0, rejected: 0, skipped: 3, lost: 0 });
});

test("a face missing for more than maxHeld frames is lost: no shape, then the next detection starts afresh", () => {
  const held = Array.from({ length: settings.maxHeld }, () => none);
  const out = guardSequence([none, face(100), ...held, none, none, face(400), face(401), none, face(402)], settings);
  assert.deepEqual(
    out.map((f) => f.status),
    ["skipped", "detected", ...held.map(() => "held"), "lost", "lost", "detected", "detected", "held", "detected"],
  );
  const lost = out.filter((f) => f.status === "lost");
  assert.ok(lost.every((f) => f.shape === null), "lost frames have no shape");
  assert.equal(out[settings.maxHeld + 3]!.shape, null);
  // 400 is far from 100 (a jump), but after a lost face it is a new start, not a rejection.
  assert.equal(out[settings.maxHeld + 4]!.status, "detected");
});

test("rejections count towards the held limit: a face that keeps jumping is lost too", () => {
  const jumps = Array.from({ length: settings.maxHeld + 2 }, (_, i) => face(300 + i));
  const out = guardSequence([face(100), ...jumps], settings);
  assert.deepEqual(
    out.map((f) => f.status),
    ["detected", ...jumps.slice(0, settings.maxHeld).map(() => "rejected"), "lost", "detected"],
  );
  assert.equal(settings.maxHeld, 5);
  assert.equal(countStatuses(out).lost, 1);
});
