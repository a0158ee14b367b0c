import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { MANIFEST_FILE, manifestInconsistencies, validateManifest, type Manifest } from "../src/store/manifest.js";
import { DEFAULT_MAPPING } from "../src/sources/mesh-to-ibug.js";
import { resolveFfmpeg } from "../src/video/ffmpeg.js";
import { readBack } from "./helpers/build-tree.js";
import { NO_FIXTURES, lrnetFixtures } from "./helpers/paths.js";
import { cli } from "./helpers/cli.js";
import { makeNoiseClip } from "./helpers/synthetic-video.js";

const run = promisify(execFile);
const FRAMES = 45;


/** The first `FRAMES` frames of a fixture clip, re-encoded so the cut is exact. */
async function cut(source: string, target: string): Promise<void> {
  const ffmpeg = await resolveFfmpeg();
  await run(ffmpeg.path, [
    "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", source, "-map", "0:v:0", "-frames:v", String(FRAMES),
    "-c:v", "libx264", "-preset", "ultrafast", "-crf", "16", "-pix_fmt", "yuv420p", target,
  ]);
}

test("MediaPipe build on FF++ fixture clips: faces found and calibrated, values as lrnet-data extract gives them; a face-free clip is one failure", { skip: lrnetFixtures ? false : NO_FIXTURES }, async () => {
  const base = mkdtempSync(join(tmpdir(), "lrnet-build-mp-"));
  try {
    const root = join(base, "ffpp");
    const originals = join(root, "original_sequences/youtube/c23/videos");
    const fakes = join(root, "manipulated_sequences/Deepfakes/c23/videos");
    mkdirSync(originals, { recursive: true });
    mkdirSync(fakes, { recursive: true });
    await cut(join(lrnetFixtures!, "ff_real.mp4"), join(originals, "000.mp4"));
    await cut(join(lrnetFixtures!, "ff_fake.mp4"), join(fakes, "000_003.mp4"));
    await makeNoiseClip({ width: 160, height: 120, frames: 8, fps: 25, codec: "h264", dir: originals, name: "003" });
    const splits = join(base, "splits");
    mkdirSync(splits);
    writeFileSync(join(splits, "train.json"), JSON.stringify([["000", "003"]]));
    writeFileSync(join(splits, "val.json"), "[]");
    writeFileSync(join(splits, "test.json"), "[]");

    const out = join(base, "out");
    const result = await cli("build", "--layout", "ffpp", "--root", root, "--splits", splits, "-o", out, "--workers", "2", "--progress", "lines");
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /build: 2 ok, 1 failed/);
    assert.equal(result.stderr.split("\n").filter((l) => /glog|I0000|W0000|ffmpeg version/i.test(l)).length, 0, "no library noise");

    const manifest = JSON.parse(readFileSync(join(out, MANIFEST_FILE), "utf8")) as Manifest;
    assert.deepEqual(validateManifest(manifest).errors, []);
    assert.deepEqual(manifestInconsistencies(manifest), []);
    assert.equal(manifest.configuration.detector, "mediapipe-face-landmarker");
    assert.match(String(manifest.configuration.model_sha256), /^[0-9a-f]{64}$/);
    assert.equal(manifest.configuration["running_mode"], "image");
    assert.equal(manifest.configuration.mapping_version, DEFAULT_MAPPING.version);
    assert.deepEqual(manifest.failures.map((f) => [f.id, f.error.replace(/^.*\/ffpp\//, "")]), [
      ["youtube/c23/003", "original_sequences/youtube/c23/videos/003.mp4: no face found in any of its 8 frames"],
    ]);
    for (const video of manifest.videos) {
      assert.equal(video.frames, FRAMES);
      assert.ok(video.status_counts.detected >= FRAMES - 3, `${video.id}: ${JSON.stringify(video.status_counts)}`);
      assert.ok(video.mean_score! > 0.5 && video.mean_score! <= 1, `${video.id}: mean score ${video.mean_score}`);
      assert.ok(video.jitter.raw !== null && video.jitter.calibrated !== null);
    }
    const back = await readBack(out);
    assert.deepEqual(back.map((v) => [v.video_id, v.n]), [["Deepfakes/c23/000_003", FRAMES], ["youtube/c23/000", FRAMES]]);

    // The build runs the same stages as `extract`: the same calibrated values, frame for frame.
    const txt = join(base, "000.txt");
    const extracted = await cli("extract", "--video", join(originals, "000.mp4"), "--out", txt);
    assert.equal(extracted.code, 0, extracted.stderr);
    const expected = readFileSync(txt, "utf8").trimEnd().split("\n").map((l) => l.split(" ").map(Number));
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
    const db = await instance.connect();
    try {
      const reader = await db.runAndReadAll(
        `SELECT landmarks::DOUBLE[] AS landmarks FROM read_parquet('${out}/data/**/*.parquet') WHERE video_id = 'youtube/c23/000' AND landmarks IS NOT NULL ORDER BY frame`,
      );
      const rows = (reader.getRowObjectsJson() as unknown as { landmarks: number[] }[]).map((r) => r.landmarks);
      assert.equal(rows.length, expected.length);
      for (let i = 0; i < rows.length; i++) {
        for (let k = 0; k < 136; k++) assert.ok(Math.abs(rows[i]![k]! - expected[i]![k]!) < 1e-6, `frame ${i} value ${k}`);
      }
    } finally {
      db.closeSync();
      instance.closeSync();
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
