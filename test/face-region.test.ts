import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { type Center, faceBox } from "../src/calibrate/face-box.js";
import { calibrationRegion } from "../src/calibrate/face-region.js";
import type { GuardedFrame } from "../src/guard/guard.js";
import { decodeFrames } from "../src/video/decode.js";
import { probeVideo } from "../src/video/probe.js";
import type { CropRegion, Frame } from "../src/video/types.js";
import { squareShape } from "./helpers/synthetic-shape.js";
import { makeMovingTextureClip } from "./helpers/synthetic-video.js";
import { NO_FIXTURES, lrnetFixtures } from "./helpers/paths.js";

function plan(centres: Array<[number, number]>, side: number): GuardedFrame[] {
  return centres.map(([x, y]) => ({ status: "detected", shape: squareShape(x, y, side) }));
}

test("the calibration region holds every face box the calibrator cuts, with aligned corners and an even size", () => {
  const frames = plan([[300, 200], [310, 204], [320, 180], [290, 230], [305, 207]], 90);
  frames.splice(2, 0, { status: "skipped", shape: null });
  const region = calibrationRegion(frames, 90, 1280, 720);
  assert.ok(region);
  assert.equal(region.x % 16, 0);
  assert.equal(region.y % 16, 0);
  assert.equal(region.width % 2, 0);
  assert.equal(region.height % 2, 0);
  let prev: Center | null = null;
  for (const step of frames) {
    if (!step.shape) continue;
    const { box, center } = faceBox(step.shape, 90, prev, 1280, 720);
    prev = center;
    assert.ok(box.x1 >= region.x && box.y1 >= region.y, `box at (${box.x1}, ${box.y1})`);
    assert.ok(box.x1 + box.size <= region.x + region.width && box.y1 + box.size <= region.y + region.height, `box ${box.size} at (${box.x1}, ${box.y1})`);
  }
  assert.ok(region.width < 300 && region.height < 300, JSON.stringify(region));
});

test("no region when the boxes cover (nearly) the whole frame, or when there is no box", () => {
  assert.equal(calibrationRegion(plan([[80, 80]], 150), 150, 160, 160), null);
  assert.equal(calibrationRegion([{ status: "skipped", shape: null }], 50, 640, 480), null);
});

async function frames(path: string, crop?: CropRegion): Promise<Frame[]> {
  const out: Frame[] = [];
  for await (const frame of decodeFrames(path, crop ? { format: "bgr24", crop } : { format: "bgr24" })) out.push(frame);
  return out;
}

function assertSameRegion(whole: Frame[], cropped: Frame[], crop: CropRegion): void {
  assert.equal(cropped.length, whole.length);
  for (const [i, frame] of cropped.entries()) {
    assert.equal(frame.width, crop.width);
    assert.equal(frame.height, crop.height);
    assert.deepEqual(frame.region, { ...crop, pictureWidth: whole[i]!.width, pictureHeight: whole[i]!.height });
    const source = whole[i]!;
    for (let y = 0; y < crop.height; y++) {
      const start = ((crop.y + y) * source.width + crop.x) * 3;
      const row = frame.data.subarray(y * crop.width * 3, (y + 1) * crop.width * 3);
      assert.ok(Buffer.from(row).equals(source.data.subarray(start, start + crop.width * 3)), `frame ${i}, row ${y} of ${JSON.stringify(crop)}`);
    }
  }
}

test("decoding a region gives exactly those bytes of the whole frames (H.264, 4:2:0)", async () => {
  const clip = await makeMovingTextureClip({ width: 320, height: 240, frames: 12, fps: 25, offsets: (i) => [3 * i, i], codec: "h264" });
  const whole = await frames(clip.path);
  for (const crop of [{ x: 16, y: 32, width: 102, height: 66 }, { x: 0, y: 0, width: 320, height: 120 }, { x: 208, y: 144, width: 112, height: 96 }]) {
    assertSameRegion(whole, await frames(clip.path, crop), crop);
  }
  await assert.rejects(frames(clip.path, { x: 3, y: 0, width: 100, height: 100 }), /even corners/);
});

test("decoding 000_003_big's calibration region gives exactly those bytes of the whole frames", { skip: lrnetFixtures ? false : NO_FIXTURES }, async () => {
  const path = join(lrnetFixtures!, "000_003_big.mp4");
  const info = await probeVideo(path);
  const crop = { x: 800, y: 352, width: 462, height: 466 };
  assert.equal(info.width, 2048);
  assertSameRegion(await frames(path), await frames(path, crop), crop);
});
