/**
 * `--enhance auto`: dark images are brightened for the detector only; anything else reaches it unchanged
 * (the same bytes), which the fixture clips prove frame by frame. The measurements are `npm run bench -- dark`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { DARK_FRAMES, DarkFrameDetector, darkWeight, frameForDetection, gainTable, lumaStats, meanLumaReaches } from "../src/extract/dark-frames.js";
import { FACE_FINDER } from "../src/extract/finder/face-finder.js";
import { copyRegion, squareAround } from "../src/extract/finder/frame-region.js";
import type { FaceResult } from "../src/mediapipe-runtime/landmarker.js";
import { readOpenFaceCsv } from "../src/openface/parse-csv.js";
import { faceSize, shapeBounds } from "../src/shape/shape.js";
import { resolveFfmpeg } from "../src/video/ffmpeg.js";
import { probeVideo } from "../src/video/probe.js";
import { decodeFramesAhead } from "../src/video/read-ahead.js";
import { cli } from "./helpers/cli.js";
import { NO_FIXTURES, lrnetFixtures } from "./helpers/paths.js";
import { extractRows, openImageLandmarker } from "./helpers/run-extraction.js";

const run = promisify(execFile);

/** A width × height RGBA image whose pixel i has the colour `colour(i)`. */
function image(width: number, height: number, colour: (i: number) => [number, number, number]): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = colour(i);
    rgba.set([r, g, b, 200], 4 * i);
  }
  return rgba;
}

/** A dim gradient: grey levels 0 … top across the image, each column tinted (r > g > b). */
function dimGradient(top: number, width = 64, height = 48): Uint8Array {
  return image(width, height, (i) => {
    const level = Math.round(((i % width) / (width - 1)) * top);
    return [level, Math.round(level * 0.8), Math.round(level * 0.6)];
  });
}

test("luma statistics leave out black pixels (bars and padding), so a padded bright clip is not dark", () => {
  // Left half black padding, right half grey 20 and 30 alternating.
  const padded = image(100, 10, (i) => (i % 100 < 50 ? [0, 0, 0] : i % 2 ? [30, 30, 30] : [20, 20, 20]));
  const stats = lumaStats(padded, 100, 10);
  assert.equal(stats.count, 500);
  assert.equal(stats.mean, 25);
  assert.equal(stats.p1, 20);
  assert.equal(stats.p99, 30);
  const bright = image(100, 10, (i) => (i % 100 < 80 ? [0, 0, 0] : [150, 160, 170]));
  assert.equal(darkWeight(lumaStats(bright, 100, 10)), 0, "a small bright clip in black padding");
  assert.equal(darkWeight(lumaStats(image(8, 8, () => [0, 0, 0]), 8, 8)), 0, "an all-black image has nothing to brighten");
  // A large image is sampled on a grid, not every pixel.
  assert.ok(lumaStats(new Uint8Array(1920 * 1080 * 4).fill(90), 1920, 1080).count <= 65536 * 1.1);
});

test("the early bright-enough test never says yes where the full statistics say dark, and settles lit images", () => {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / (1 << 24);
  let settled = 0;
  for (let k = 0; k < 300; k++) {
    const [width, height] = [16 + Math.floor(random() * 400), 16 + Math.floor(random() * 300)];
    const base = random() * 120;
    // Blocks of black bars, dark and lit rows: the early sum must stay a lower bound whatever the order.
    const img = image(width, height, (i) => {
      const row = Math.floor(i / width);
      const v = row % 7 === 0 ? 0 : Math.min(255, base + (row % 5) * 10 * random());
      return [v, v * (0.5 + random()), v * random()];
    });
    const mean = lumaStats(img, width, height).mean;
    const early = meanLumaReaches(img, width, height, DARK_FRAMES.maxMeanLuma);
    if (early) {
      assert.ok(mean >= DARK_FRAMES.maxMeanLuma, `image ${k} (${width}×${height}): early yes at mean ${mean}`);
      settled++;
    }
  }
  assert.ok(settled > 100, `${settled} of 300 settled early`);
  assert.equal(meanLumaReaches(dimGradient(10), 64, 48, DARK_FRAMES.maxMeanLuma), false);
  const lit = image(1280, 720, () => [120, 120, 120]);
  assert.equal(meanLumaReaches(lit, 1280, 720, DARK_FRAMES.maxMeanLuma), true);
});

test("the weight rises from 0 at the threshold to 1 at half of it", () => {
  const at = (mean: number) => darkWeight({ count: 1, mean, p1: 0, p99: 2 * mean });
  assert.equal(at(DARK_FRAMES.maxMeanLuma), 0);
  assert.equal(at(DARK_FRAMES.maxMeanLuma + 30), 0);
  assert.equal(at(DARK_FRAMES.maxMeanLuma * 0.75), 0.5);
  assert.equal(at(DARK_FRAMES.maxMeanLuma / 2), 1);
  assert.equal(at(3), 1);
});

test("a dark image is brightened on a copy: R, G and B by the same gain, alpha kept; the 99th percentile near targetHigh", () => {
  const dark = dimGradient(24);
  const before = Uint8Array.from(dark);
  const out = frameForDetection(dark, 64, 48);
  assert.notEqual(out, dark);
  assert.deepEqual(dark, before, "the input is not modified");
  const stats = lumaStats(dark, 64, 48);
  assert.ok(stats.mean < DARK_FRAMES.maxMeanLuma / 2, "fully dark");
  const table = gainTable(stats)!;
  const gain = Math.min(DARK_FRAMES.maxGain, DARK_FRAMES.targetHigh / (stats.p99 - stats.p1));
  assert.ok(Math.abs(table[stats.p99]! - Math.min(255, (stats.p99 - stats.p1) * gain)) <= 0.5);
  for (let i = 0; i < dark.length; i += 4) {
    for (let c = 0; c < 3; c++) assert.equal(out[i + c], table[dark[i + c]!], `pixel ${i / 4} channel ${c}`);
    assert.equal(out[i + 3], 200);
    assert.ok(out[i]! >= out[i + 1]! && out[i + 1]! >= out[i + 2]!, "the tint's order stays");
  }
  assert.ok(lumaStats(out, 64, 48).mean > 3 * stats.mean);
});

test("an image that is not dark is passed on as it is: the same array, untouched", () => {
  const lit = dimGradient(160);
  const before = Uint8Array.from(lit);
  assert.ok(lumaStats(lit, 64, 48).mean >= DARK_FRAMES.maxMeanLuma);
  assert.equal(frameForDetection(lit, 64, 48), lit);
  assert.equal(gainTable(lumaStats(lit, 64, 48)), null);
  assert.deepEqual(lit, before);
});

test("no jump at the threshold: the change grows from nothing as the mean luma falls below it", () => {
  const largestChange = (mean: number): number => {
    const table = gainTable({ count: 1000, mean, p1: 0, p99: 60 });
    if (table === null) return 0;
    let most = 0;
    for (let v = 0; v < 256; v++) most = Math.max(most, Math.abs(table[v]! - v));
    return most;
  };
  const threshold = DARK_FRAMES.maxMeanLuma;
  assert.equal(largestChange(threshold), 0);
  assert.ok(largestChange(threshold - 0.05) <= 2, `just below: ${largestChange(threshold - 0.05)}`);
  const changes = [0.05, 1, 5, 10, 20].map((below) => largestChange(threshold - below));
  assert.deepEqual([...changes].sort((a, b) => a - b), changes, `grows: ${changes.join(", ")}`);
  assert.ok(changes[4]! > 100, "full strength at half the threshold");
});

test("DarkFrameDetector hands the detector the frame itself when lit, a brightened copy when dark, and counts them", () => {
  const seen: Uint8Array[] = [];
  const detector = new DarkFrameDetector({
    detect(rgba: Uint8Array): FaceResult[] {
      seen.push(Uint8Array.from(rgba));
      return [];
    },
  });
  const lit = dimGradient(160);
  const dark = dimGradient(24);
  const darkBefore = Uint8Array.from(dark);
  detector.detect(lit, 64, 48);
  detector.detect(dark, 64, 48);
  detector.detect(dark, 64, 48);
  assert.deepEqual(seen[0], lit);
  assert.deepEqual(seen[1], frameForDetection(darkBefore, 64, 48));
  assert.deepEqual(seen[2], seen[1], "the reused buffer gives the same image again");
  assert.deepEqual(dark, darkBefore);
  assert.deepEqual([detector.images, detector.brightened], [3, 2]);
});

const skip = lrnetFixtures ? false : NO_FIXTURES;

test("never on the fixture clips: no frame of 000_003, 000_003_big, ff_real, ff_fake, nor a crop of 2–4 face sizes around its face, is dark", { skip }, async (t) => {
  const clips = [
    { name: "000_003", csv: "000_003.csv" },
    { name: "000_003_big", csv: "000_003_big.csv" },
    { name: "ff_real", csv: "ff_real_mp.csv" },
    // ff_fake is ff_real's manipulation: the face is where it is in ff_real.
    { name: "ff_fake", csv: "ff_real_mp.csv" },
  ];
  for (const clip of clips) {
    const path = join(lrnetFixtures!, `${clip.name}.mp4`);
    const faces = (await readOpenFaceCsv(join(lrnetFixtures!, clip.csv))).rows;
    const info = await probeVideo(path);
    let least = Infinity;
    let frames = 0;
    let crops = 0;
    for await (const frame of decodeFramesAhead(path, { format: "rgba", info })) {
      frames++;
      const whole = lumaStats(frame.data, frame.width, frame.height);
      least = Math.min(least, whole.mean);
      assert.equal(frameForDetection(frame.data, frame.width, frame.height), frame.data, `${clip.name} frame ${frame.index}`);
      const face = faces[frame.index];
      if (!face?.success) continue;
      const b = shapeBounds(face.shape);
      for (const scale of [2, FACE_FINDER.cropScale, 4]) {
        const region = squareAround((b.xMin + b.xMax) / 2, (b.yMin + b.yMax) / 2, scale * faceSize(face.shape), frame.width, frame.height);
        const crop = copyRegion(frame.data, frame.width, region);
        const stats = lumaStats(crop, region.width, region.height);
        least = Math.min(least, stats.mean);
        assert.equal(darkWeight(stats), 0, `${clip.name} frame ${frame.index}, crop of ${scale} face sizes: mean luma ${stats.mean}`);
        crops++;
      }
    }
    assert.equal(frames, info.frameCount);
    assert.ok(crops >= 3 * (frames - 5), `${clip.name}: ${crops} crops`);
    t.diagnostic(`${clip.name}: ${frames} frames, ${crops} crops, least mean luma ${least.toFixed(1)} (threshold ${DARK_FRAMES.maxMeanLuma})`);
  }
});

test("extraction of fixture clips is bit-identical with --enhance auto and off; a darkened clip is brightened", { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "lrnet-dark-"));
  const landmarker = await openImageLandmarker();
  try {
    const ffmpeg = await resolveFfmpeg();
    for (const name of ["000_003", "ff_real"]) {
      const head = join(dir, `${name}.mkv`);
      await run(ffmpeg.path, ["-loglevel", "error", "-y", "-i", join(lrnetFixtures!, `${name}.mp4`), "-frames:v", "20", "-c:v", "ffv1", head]);
      const off = await extractRows(head, landmarker, { darkFrames: false });
      const counter = new DarkFrameDetector(landmarker);
      const auto = await extractRows(head, counter, { darkFrames: false });
      assert.equal(counter.brightened, 0);
      assert.deepEqual(auto, off, name);
    }
    // The same clip at a tenth of its exposure (mean luma about 6): every image the detector gets is brightened.
    const dark = join(dir, "dark.mkv");
    await run(ffmpeg.path, ["-loglevel", "error", "-y", "-i", join(dir, "ff_real.mkv"), "-vf", "lutrgb=r=val*0.1:g=val*0.1:b=val*0.1,format=yuv420p", "-c:v", "ffv1", dark]);
    const counter = new DarkFrameDetector(landmarker);
    const rows = await extractRows(dark, counter, { darkFrames: false });
    assert.equal(counter.brightened, counter.images);
    assert.ok(rows.filter((r) => r.status === "detected").length >= 18);
  } finally {
    landmarker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("extract and build: --enhance takes auto or off (exit 2 otherwise, and beside another landmark source); the record names it", { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "lrnet-dark-cli-"));
  try {
    const video = join(dir, "clip.mkv");
    const ffmpeg = await resolveFfmpeg();
    await run(ffmpeg.path, ["-loglevel", "error", "-y", "-i", join(lrnetFixtures!, "000_003.mp4"), "-frames:v", "6", "-c:v", "ffv1", video]);
    for (const args of [
      ["extract", "--video", video, "--out", join(dir, "x.txt"), "--enhance", "on"],
      ["extract", "--video", video, "--out", join(dir, "x.txt"), "--enhance", "off", "--landmarks", join(lrnetFixtures!, "000_003.csv")],
      ["build", "--layout", "folder", "--root", dir, "-o", join(dir, "out"), "--enhance", "always"],
      ["build", "--layout", "folder", "--root", dir, "-o", join(dir, "out"), "--enhance", "auto", "--openface", dir],
    ]) {
      const result = await cli(...args);
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
      assert.match(result.stderr, /--enhance/);
    }
    for (const [flag, expected] of [[[], DARK_FRAMES], [["--enhance", "off"], null]] as const) {
      const out = join(dir, `clip${flag.length}.txt`);
      const result = await cli("extract", "--video", video, "--out", out, ...flag);
      assert.equal(result.code, 0, result.stderr);
      const record = JSON.parse(readFileSync(`${out}.json`, "utf8")) as { dark_frames: unknown };
      assert.deepEqual(record.dark_frames, expected);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
