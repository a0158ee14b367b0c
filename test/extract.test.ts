import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type FaceDetector, faceDetectorSource } from "../src/extract/mediapipe-source.js";
import { detectVideo, runVideoPipeline } from "../src/sources/video-pipeline.js";
import type { FaceResult } from "../src/mediapipe-runtime/landmarker.js";
import { COMMON_MAPPING, meshToIbug } from "../src/sources/mesh-to-ibug.js";
import { CALIBRATED_COLOUR, drawPoints } from "../src/video/overlay.js";
import type { Shape } from "../src/shape/shape.js";
import { probeVideo } from "../src/video/probe.js";
import { makeMovingTextureClip, makeNoiseClip } from "./helpers/synthetic-video.js";
import { squareShape } from "./helpers/synthetic-shape.js";
import { repoRoot } from "./helpers/paths.js";

const run = promisify(execFile);

/** A 478-point mesh whose common-v1 mapping is exactly `shape`. */
function meshFor(shape: Shape): Float32Array {
  const mesh = new Float32Array(478 * 3);
  COMMON_MAPPING.points.forEach((p, i) => {
    mesh[p.mesh[0]! * 3] = shape[2 * i]!;
    mesh[p.mesh[0]! * 3 + 1] = shape[2 * i + 1]!;
  });
  return mesh;
}

/** A stand-in detector that reports scripted faces per frame, in place of MediaPipe. */
class ScriptedDetector implements FaceDetector {
  readonly timestamps: number[] = [];
  constructor(private readonly script: (frame: number) => FaceResult[]) {}
  detect(_rgba: Uint8Array, _w: number, _h: number, timestampMs?: number): FaceResult[] {
    this.timestamps.push(timestampMs ?? -1);
    return this.script(this.timestamps.length - 1);
  }
}

/** The common-v1 mapping instead of the default, so that meshFor's points come back exactly. */
const toIbug = (points: Float64Array): Shape => meshToIbug(points, COMMON_MAPPING, 2);

test("meshToIbug takes each iBUG point from its mesh point", () => {
  const shape = squareShape(100, 80, 40);
  const mapped = meshToIbug(meshFor(shape), COMMON_MAPPING);
  for (let i = 0; i < shape.length; i++) assert.equal(mapped[i], Math.fround(shape[i]!), `value ${i}`);
});

test("the detection pass follows the largest face, then the nearest, and timestamps follow the frame rate", async () => {
  const clip = await makeMovingTextureClip({ width: 64, height: 48, frames: 4, fps: 20, offsets: () => [0, 0], codec: "ffv1" });
  const big = (x: number) => ({ points: meshFor(squareShape(x, 24, 30)), score: 0.9 });
  const small = (x: number) => ({ points: meshFor(squareShape(x, 24, 10)), score: 0.95 });
  // Frame 0: the big face is chosen. Frame 2: the small face sits nearer to where the big one was? No: the
  // big face moved 2 px, the small one is 20 px away, so the big one stays followed. Frame 3: only the small one.
  const detector = new ScriptedDetector((f) => [[small(50), big(20)], [big(21), small(50)], [small(45), big(23)], [small(48)]][f]!);
  const detections = await detectVideo(await probeVideo(clip.path), faceDetectorSource(detector), { toIbug });
  assert.deepEqual(detector.timestamps, [0, 50, 100, 150]);
  assert.deepEqual(
    detections.map((d) => d.shape && Math.round(d.shape[2 * 8]!)),
    [35, 36, 38, 53],
    "x of the top-right point of the followed face",
  );
  assert.equal(detections[0]!.score, 0.9);
});

test("extraction guards detections and calibrates the kept frames; no face at all is a result, not an error", async () => {
  const clip = await makeMovingTextureClip({ width: 160, height: 120, frames: 6, fps: 25, offsets: (i) => [i, 0], codec: "ffv1" });
  const info = await probeVideo(clip.path);
  const face = (x: number, size = 50) => [{ points: meshFor(squareShape(x, 60, size)), score: 0.9 }];
  // frame 0: nothing; 1–2: a face; 3: too small (jump); 4: nothing; 5: the face again
  const detector = new ScriptedDetector((f) => [[], face(80), face(81), face(81, 20), [], face(82)][f]!);
  const outcome = await runVideoPipeline(info, faceDetectorSource(detector), { toIbug });
  assert.equal(outcome.kind, "frames");
  if (outcome.kind !== "frames") return;
  const frames = [];
  for await (const f of outcome.frames) frames.push(f);
  assert.deepEqual(
    frames.map((f) => [f.index, f.status, f.calibrated === null, f.raw === null]),
    [
      [0, "skipped", true, true],
      [1, "detected", false, false],
      [2, "detected", false, false],
      [3, "rejected", false, false],
      [4, "held", false, true],
      [5, "detected", false, false],
    ],
  );
  assert.equal(frames[3]!.timeS, 3 / 25);
  for (const f of frames.slice(1)) assert.equal(f.calibrated!.length, 136);

  const empty = await runVideoPipeline(info, faceDetectorSource(new ScriptedDetector(() => [])), { toIbug });
  assert.equal(empty.kind, "no-face");
});

test("drawPoints paints clipped squares in BGR", () => {
  const frame = new Uint8Array(5 * 4 * 3);
  drawPoints(frame, 5, 4, [0, 0, 4.4, 3.2, 99, 99], CALIBRATED_COLOUR, 1);
  const px = (x: number, y: number) => Array.from(frame.subarray((y * 5 + x) * 3, (y * 5 + x) * 3 + 3));
  assert.deepEqual(px(0, 0), [...CALIBRATED_COLOUR]);
  assert.deepEqual(px(1, 1), [...CALIBRATED_COLOUR]);
  assert.deepEqual(px(2, 2), [0, 0, 0]);
  assert.deepEqual(px(4, 3), [...CALIBRATED_COLOUR]);
  assert.deepEqual(px(3, 2), [...CALIBRATED_COLOUR]);
});

test("lrnet-data extract on a clip without a face exits 3 and writes nothing (real MediaPipe, offline model)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lrnet-extract-"));
  const clip = await makeNoiseClip({ width: 160, height: 120, frames: 5, fps: 25, codec: "ffv1", dir });
  const out = join(dir, "noise.txt");
  const result = await run(process.execPath, [join(repoRoot, "bin", "lrnet-data.js"), "extract", "--video", clip.path, "--out", out], {
    env: { ...process.env, LRNET_DATA_CACHE: join(dir, "cache") },
  }).then(
    () => ({ code: 0, stderr: "" }),
    (e: { code: number; stderr: string }) => e,
  );
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, /no face found in any of its 5 frames; nothing written/);
  assert.throws(() => readFileSync(out), /ENOENT/);
});
