import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { faceBox } from "../src/calibrate/face-box.js";
import { RegionPicker, regionsCoverPlan } from "../src/calibrate/face-region.js";
import { type FaceDetector, faceDetectorSource } from "../src/extract/mediapipe-source.js";
import type { GuardedFrame } from "../src/guard/guard.js";
import type { FaceResult } from "../src/mediapipe-runtime/landmarker.js";
import { COMMON_MAPPING, meshToIbug } from "../src/sources/mesh-to-ibug.js";
import { type PipelineFrame, runVideoPipeline } from "../src/sources/video-pipeline.js";
import type { Shape } from "../src/shape/shape.js";
import { probeVideo } from "../src/video/probe.js";
import { RegionSpool } from "../src/video/region-spool.js";
import { YuvConverter } from "../src/video/yuv-convert.js";
import { squareShape } from "./helpers/synthetic-shape.js";
import { makeMovingTextureClip } from "./helpers/synthetic-video.js";

function rgbaFrame(width: number, height: number, seed: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + seed * 7) & 255;
  return data;
}

function spoolFolders(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith("lrnet-data-spool-"));
}

test("a region spool gives back each frame's region as BGR24, with its time; a frame without a region is 0×0", () => {
  const dir = mkdtempSync(join(tmpdir(), "spool-test-"));
  const spool = new RegionSpool({ width: 7, height: 5 }, { dir });
  const frames = [rgbaFrame(7, 5, 1), rgbaFrame(7, 5, 2), rgbaFrame(7, 5, 3)];
  const regions = [{ x: 1, y: 2, width: 3, height: 2 }, null, { x: 0, y: 0, width: 7, height: 5 }];
  frames.forEach((data, i) => spool.add({ index: i, width: 7, height: 5, format: "rgba", data, timeS: i * 0.04 }, regions[i]!));
  assert.equal(spool.failure, null);
  assert.deepEqual(spool.regions(), regions);
  let count = 0;
  // Each frame's bytes are checked before the next is pulled (one buffer serves them all).
  for (const frame of spool.frames()) {
    const i = count++;
    const region = regions[i] ?? { x: 0, y: 0, width: 0, height: 0 };
    assert.equal(frame.index, i);
    assert.equal(frame.timeS, i * 0.04);
    assert.equal(frame.format, "bgr24");
    assert.deepEqual(frame.region, { ...region, pictureWidth: 7, pictureHeight: 5 });
    assert.equal(frame.data.length, region.width * region.height * 3);
    for (let y = 0; y < region.height; y++) {
      for (let x = 0; x < region.width; x++) {
        const src = ((region.y + y) * 7 + region.x + x) * 4;
        const dst = (y * region.width + x) * 3;
        assert.deepEqual([...frame.data.subarray(dst, dst + 3)], [frames[i]![src + 2], frames[i]![src + 1], frames[i]![src]], `frame ${i} (${x}, ${y})`);
      }
    }
  }
  assert.equal(count, 3);
  // The file was unlinked as soon as it was open (POSIX): a killed run leaves nothing behind.
  assert.deepEqual(spoolFolders(dir), [], "no name left in the temporary folder while the spool is open");
  spool.close();
  spool.close();
});

test("a killed process leaves no spool behind", async () => {
  const dir = mkdtempSync(join(tmpdir(), "spool-test-"));
  const script = `import { RegionSpool } from ${JSON.stringify(new URL("../src/video/region-spool.js", import.meta.url).href)};
const spool = new RegionSpool({ width: 64, height: 64 }, { dir: ${JSON.stringify(dir)} });
spool.add({ index: 0, width: 64, height: 64, format: "rgba", data: new Uint8Array(64 * 64 * 4) }, { x: 0, y: 0, width: 64, height: 64 });
process.stdout.write("kept\\n");
setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const kept = await Promise.race([new Promise<boolean>((resolve) => child.stdout.once("data", () => resolve(true))), exited.then(() => false)]);
  assert.ok(kept, "the child kept a frame before it was killed");
  child.kill("SIGKILL");
  await exited;
  assert.deepEqual(readdirSync(dir), []);
});

test("a planar YUV frame is kept as the BGR of its RGBA conversion", () => {
  const [width, height] = [10, 6];
  const yuv = new Uint8Array(width * height * 3 / 2);
  for (let i = 0; i < yuv.length; i++) yuv[i] = (i * 53 + 17) & 255;
  const rgba = new Uint8Array(width * height * 4);
  new YuvConverter().toRgba(yuv, width, height, "yuv420p", rgba, "bt709");
  const dir = mkdtempSync(join(tmpdir(), "spool-test-"));
  const spool = new RegionSpool({ width, height }, { dir });
  const region = { x: 3, y: 1, width: 5, height: 4 };
  spool.add({ index: 0, width, height, format: "yuv420p", matrix: "bt709", data: yuv }, region);
  spool.add({ index: 1, width, height, format: "rgba", data: rgba }, region);
  const kept: Buffer[] = [];
  for (const f of spool.frames()) kept.push(Buffer.from(f.data)); // copied before the next frame reuses the buffer
  const [fromYuv, fromRgba] = kept;
  assert.ok(fromYuv!.equals(fromRgba!));
  assert.equal(fromYuv!.length, 5 * 4 * 3);
  spool.close();
});

test("a spool over its byte limit gives up and cannot be read", () => {
  const dir = mkdtempSync(join(tmpdir(), "spool-test-"));
  const spool = new RegionSpool({ width: 8, height: 8 }, { dir, maxBytes: 60 });
  const frame = (seed: number) => ({ index: seed - 1, width: 8, height: 8, format: "rgba" as const, data: rgbaFrame(8, 8, seed) });
  spool.add(frame(1), { x: 0, y: 0, width: 4, height: 4 });
  assert.equal(spool.failure, null);
  spool.add(frame(2), { x: 0, y: 0, width: 4, height: 4 });
  assert.match(spool.failure ?? "", /the kept regions would pass/);
  assert.throws(() => [...spool.frames()], /cannot be read/);
  spool.close();
  assert.deepEqual(readdirSync(dir), []);
});

test("the picked regions cover the calibrator's boxes of a steady face, a held frame and a small jump", () => {
  const shapes: (Shape | null)[] = [squareShape(200, 150, 80), squareShape(204, 151, 82), null, squareShape(210, 149, 78), squareShape(260, 150, 80)];
  const picker = new RegionPicker(640, 480);
  const regions = shapes.map((s) => picker.next(s));
  // Frame 2 has no detection: the guard holds frame 1's face there, and its region is frame 1's square.
  const plan: GuardedFrame[] = shapes.map((shape, i) => (shape === null ? { status: "held", shape: shapes[i - 1]! } : { status: "detected", shape }));
  // Frame 4 jumped 50 px: were it rejected and held on frame 3's face, the joined region still covers it.
  const rejected: GuardedFrame[] = [...plan.slice(0, 4), { status: "rejected", shape: shapes[3]! }];
  const stable = 80;
  assert.ok(regionsCoverPlan(plan, stable, 640, 480, regions));
  assert.ok(regionsCoverPlan(rejected, stable, 640, 480, regions));
  const box = faceBox(shapes[0]!, stable, null, 640, 480).box;
  assert.ok(regions[0]!.width < 2 * box.size, `a region ${regions[0]!.width} px wide for a ${box.size} px box`);
  // A face whose mean size ends far above what the first frames saw is not covered: the caller decodes again.
  assert.equal(regionsCoverPlan(plan, 200, 640, 480, regions), false);
  assert.equal(regionsCoverPlan(plan, stable, 640, 480, [regions[0]!, null, null, null, null]), false);
});

/** Answers with a scripted face per frame: one 478-point mesh whose common-v1 points are the shape's. */
class ScriptedDetector implements FaceDetector {
  private frame = 0;
  constructor(private readonly shapeAt: (frame: number) => Shape | null) {}
  detect(): FaceResult[] {
    const shape = this.shapeAt(this.frame++);
    if (shape === null) return [];
    const points = new Float32Array(478 * 3);
    COMMON_MAPPING.points.forEach((p, i) => {
      points[p.mesh[0]! * 3] = shape[2 * i]!;
      points[p.mesh[0]! * 3 + 1] = shape[2 * i + 1]!;
    });
    return [{ points, score: 0.9 }];
  }
}

const toIbug = (points: Float64Array): Shape => meshToIbug(points, COMMON_MAPPING, 2);

async function calibrate(path: string, shapeAt: (frame: number) => Shape | null, spool: boolean): Promise<{ input: string; frames: PipelineFrame[] }> {
  const outcome = await runVideoPipeline(await probeVideo(path), faceDetectorSource(new ScriptedDetector(shapeAt)), { toIbug, spool });
  assert.equal(outcome.kind, "frames");
  if (outcome.kind !== "frames") throw new Error("no face");
  const frames: PipelineFrame[] = [];
  for await (const f of outcome.frames) frames.push({ ...f, frame: { ...f.frame, data: new Uint8Array(0) } });
  return { input: outcome.calibrationInput, frames };
}

function summary(frames: PipelineFrame[]): unknown[] {
  return frames.map((f) => [f.index, f.timeS, f.status, f.calibrated && [...f.calibrated], f.track && [...f.track], f.box]);
}

test("calibrating from the kept regions gives exactly what a second decode gives, and falls back to one when they miss a box", async (t) => {
  const clip = await makeMovingTextureClip({ width: 320, height: 240, frames: 12, fps: 25, offsets: (i) => [2 * i, i % 3], codec: "h264" });
  // The spools of this test go to a folder of its own, to see that none is left behind.
  const spools = mkdtempSync(join(tmpdir(), "spool-pipeline-"));
  const systemTmp = process.env.TMPDIR;
  process.env.TMPDIR = spools;
  t.after(() => (systemTmp === undefined ? delete process.env.TMPDIR : (process.env.TMPDIR = systemTmp)));
  const steady = (f: number): Shape | null => (f === 5 ? null : squareShape(150 + 2 * f, 120 + (f % 3), 70));
  const kept = await calibrate(clip.path, steady, true);
  const decoded = await calibrate(clip.path, steady, false);
  assert.equal(kept.input, "kept-regions");
  assert.equal(decoded.input, "second-decode");
  assert.deepEqual(summary(kept.frames), summary(decoded.frames));
  assert.equal(kept.frames.filter((f) => f.calibrated !== null).length, 12, "frame 5 is held, every frame calibrated");

  // The face grows from 30 to 140 px: the first frames' regions are too small for the video's mean box.
  const growing = (f: number): Shape => squareShape(160, 120, 30 + 10 * f);
  const fallback = await calibrate(clip.path, growing, true);
  assert.equal(fallback.input, "second-decode");
  assert.deepEqual(summary(fallback.frames), summary((await calibrate(clip.path, growing, false)).frames));
  assert.deepEqual(readdirSync(spools), [], "every spool was removed");
});
