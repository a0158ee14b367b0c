import { test } from "node:test";
import assert from "node:assert/strict";
import { calibrateFrames, stableSizeOf } from "../src/calibrate/calibrate-frames.js";
import { faceBox } from "../src/calibrate/face-box.js";
import type { GuardedFrame } from "../src/guard/guard.js";
import { POINT_COUNT, type Shape } from "../src/shape/shape.js";
import { decodeFrames } from "../src/video/decode.js";
import { makeMovingTextureClip } from "./helpers/synthetic-video.js";
import { squareShape } from "./helpers/synthetic-shape.js";

/** Deterministic noise in [−1, 1). */
function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

/**
 * squareShape's points on the bounding box stay put, so the face box does not move; "interior" points of its
 * left half move with the texture and stay inside the box for the whole clip.
 */
const interior = Array.from({ length: POINT_COUNT }, (_, p) => p).filter((p) => {
  const u = p % 9;
  const v = Math.floor(p / 9);
  return u > 0 && u <= 4 && v > 0 && v < 7;
});

test("tracked points follow the texture's known motion and smooth noisy detections", async (t) => {
  const frames = 24;
  const shiftPerFrame = 1; // px to the right per frame, in the video
  const clip = await makeMovingTextureClip({
    width: 320,
    height: 240,
    frames,
    fps: 25,
    offsets: (i) => [i * shiftPerFrame, 0],
    codec: "ffv1",
  });
  const rand = noise(42);
  const truth: Shape[] = [];
  const plan: GuardedFrame[] = [];
  for (let i = 0; i < frames; i++) {
    const tShape = squareShape(150, 120, 100);
    const d = squareShape(150, 120, 100);
    for (const p of interior) {
      tShape[2 * p]! += i * shiftPerFrame;
      d[2 * p] = tShape[2 * p]! + 2.5 * rand();
      d[2 * p + 1] = tShape[2 * p + 1]! + 2.5 * rand();
    }
    truth.push(tShape);
    plan.push({ status: "detected", shape: d });
  }
  const stable = stableSizeOf(plan);
  assert.equal(stable, 100);
  const { box } = faceBox(plan[0]!.shape!, stable, null, 320, 240);
  const scale = 400 / box.size;
  const toCrop = (v: number, corner: number) => (v - corner) * scale;

  let rawError = 0;
  let calibratedError = 0;
  let samples = 0;
  let first: Int32Array | null = null;
  let last: Int32Array | null = null;
  for await (const out of calibrateFrames(decodeFrames(clip.path, { format: "bgr24" }), plan, stable)) {
    assert.ok(out.track, `frame ${out.index} has a track`);
    first ??= out.track;
    last = out.track;
    if (out.index < 4) continue; // let the filter settle
    const tr = truth[out.index]!;
    const d = plan[out.index]!.shape!;
    for (const p of interior) {
      const tx = toCrop(tr[2 * p]!, box.x1);
      const ty = toCrop(tr[2 * p + 1]!, box.y1);
      rawError += Math.hypot(Math.round(toCrop(d[2 * p]!, box.x1)) - tx, Math.round(toCrop(d[2 * p + 1]!, box.y1)) - ty);
      calibratedError += Math.hypot(out.track[2 * p]! - tx, out.track[2 * p + 1]! - ty);
      samples++;
    }
  }
  t.diagnostic(`raw ${(rawError / samples).toFixed(2)} px, calibrated ${(calibratedError / samples).toFixed(2)} px`);
  rawError /= samples;
  calibratedError /= samples;
  // The calibrated points are much closer to the true motion than the noisy detections they came from.
  assert.ok(calibratedError < 0.7 * rawError, `calibrated ${calibratedError.toFixed(2)} px vs raw ${rawError.toFixed(2)} px`);
  // Over the clip the interior points moved right by (frames − 1) × 1 px × 400 / 120 ≈ 76.7 crop px, and not down.
  let dx = 0;
  let dy = 0;
  for (const p of interior) {
    dx += last![2 * p]! - first![2 * p]!;
    dy += last![2 * p + 1]! - first![2 * p + 1]!;
  }
  dx /= interior.length;
  dy /= interior.length;
  const expected = (frames - 1) * shiftPerFrame * scale;
  assert.ok(Math.abs(dx - expected) < 0.1 * expected, `moved ${dx.toFixed(1)} px, expected ${expected.toFixed(1)}`);
  assert.ok(Math.abs(dy) < 2, `vertical drift ${dy.toFixed(2)} px`);
});

test("a static face on a static texture gives the same row for every frame", async () => {
  const clip = await makeMovingTextureClip({ width: 160, height: 120, frames: 6, fps: 25, offsets: () => [0, 0], codec: "ffv1" });
  const shape = squareShape(80, 60, 50);
  const plan: GuardedFrame[] = Array.from({ length: 6 }, () => ({ status: "detected", shape }));
  const rows: Int32Array[] = [];
  for await (const out of calibrateFrames(decodeFrames(clip.path, { format: "bgr24" }), plan, stableSizeOf(plan))) rows.push(out.track!);
  assert.equal(rows.length, 6);
  for (const row of rows) assert.deepEqual(row, rows[0]);
});

test("skipped frames produce no track, held frames reuse the shape, and the stable size ignores skipped frames", async () => {
  const clip = await makeMovingTextureClip({ width: 160, height: 120, frames: 5, fps: 25, offsets: (i) => [i, 0], codec: "ffv1" });
  const a = squareShape(80, 60, 40);
  const plan: GuardedFrame[] = [
    { status: "skipped", shape: null },
    { status: "skipped", shape: null },
    { status: "detected", shape: a },
    { status: "held", shape: a },
    { status: "detected", shape: squareShape(81, 60, 40) },
  ];
  assert.equal(stableSizeOf(plan), 40);
  const outs = [];
  for await (const out of calibrateFrames(decodeFrames(clip.path, { format: "bgr24" }), plan, 40)) outs.push(out);
  assert.deepEqual(
    outs.map((o) => [o.index, o.status, o.track === null]),
    [
      [0, "skipped", true],
      [1, "skipped", true],
      [2, "detected", false],
      [3, "held", false],
      [4, "detected", false],
    ],
  );
});

test("a plan shorter than the video is an error naming the frame", async () => {
  const clip = await makeMovingTextureClip({ width: 64, height: 48, frames: 3, fps: 25, offsets: () => [0, 0], codec: "ffv1" });
  const shape = squareShape(32, 24, 20);
  await assert.rejects(async () => {
    for await (const _ of calibrateFrames(decodeFrames(clip.path, { format: "bgr24" }), [{ status: "detected", shape }], 20)) {
      // consume
    }
  }, /frame 1 has no landmark entry \(the plan covers 1 frames\)/);
});
