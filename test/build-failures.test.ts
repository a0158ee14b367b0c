import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { runBuild } from "../src/batch/run-build.js";
import { matchOpenFaceCsvs } from "../src/batch/openface-match.js";
import { BuildError } from "../src/batch/errors.js";
import { RowsAssembler } from "../src/batch/rows-assembler.js";
import { VideoPool } from "../src/batch/pool.js";
import { MANIFEST_FILE, manifestInconsistencies, validateManifest, type Manifest } from "../src/store/manifest.js";
import type { VideoEntry } from "../src/store/types.js";
import { ffppVideos, makeBuildTree, readBack, type TreeVideo } from "./helpers/build-tree.js";
import { repoRoot } from "./helpers/paths.js";
import { truncatedCopy } from "./helpers/synthetic-video.js";

const run = promisify(execFile);
const bin = join(repoRoot, "bin", "lrnet-data.js");
const base = mkdtempSync(join(tmpdir(), "lrnet-build-fail-"));
process.once("exit", () => rmSync(base, { recursive: true, force: true }));

// Pair 0 (000, 001, 000_001) and pair 1 (002, 003, 002_003) are good. Pair 3 holds the bad inputs:
// 006 a truncated clip (its CSV covers only frames that survive, so the error is the decoder's), 007 a CSV without one successful row, 006_007 no CSV at all, and 008 a file that exists
// but cannot be read (a link to /proc/self/mem, which fails with EIO even for root).
const { videos: good, splits } = ffppVideos(2, (i) => 8 + (i % 3));
const bad: TreeVideo[] = [
  { path: "original_sequences/youtube/c23/videos/006.mp4", id: "youtube/c23/006", frames: 30, seed: 11, csvFrames: 4 },
  { path: "original_sequences/youtube/c23/videos/007.mp4", id: "youtube/c23/007", frames: 8, seed: 12, csv: "failed" },
  { path: "manipulated_sequences/Deepfakes/c23/videos/006_007.mp4", id: "Deepfakes/c23/006_007", frames: 8, seed: 13, csv: "none" },
];
splits.val.push(["006", "007"], ["008", "009"]);
const tree = await makeBuildTree([...good, ...bad], splits, base);
const corrupt = join(tree.root, bad[0]!.path);
const truncated = await truncatedCopy(corrupt, 0.5, base);
copyFileSync(truncated, corrupt);
const unreadable = join(tree.root, "original_sequences/youtube/c23/videos/008.mp4");
symlinkSync("/proc/self/mem", unreadable);
mkdirSync(join(tree.openface, "youtube/c23"), { recursive: true });
copyFileSync(join(tree.openface, "youtube/c23/000.csv"), join(tree.openface, "youtube/c23/008.csv"));

function manifestOf(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, MANIFEST_FILE), "utf8")) as Manifest;
}

test("bad inputs: each is one failure entry with a readable error, the others complete, exit code 3", { skip: process.platform !== "linux" ? "uses /proc/self/mem as an unreadable file" : false }, async () => {
  const out = join(base, "out");
  const result = await run(process.execPath, [
    // --no-validate: these clips are too short for a training block, and a failed validation (exit 4) would
    // take precedence over failed videos (exit 3; test/safety.test.ts checks that order).
    bin, "build", "--layout", "ffpp", "--root", tree.root, "--splits", tree.splits, "-o", out, "--openface", tree.openface, "--workers", "2", "--no-validate",
  ]).catch((error) => error as { code: number; stderr: string });
  assert.equal((result as { code?: number }).code, 3, result.stderr);
  const manifest = manifestOf(out);
  assert.deepEqual(validateManifest(manifest).errors, []);
  assert.deepEqual(manifestInconsistencies(manifest), []);
  assert.equal(manifest.state, "complete", "a build whose list went through is complete, failures included");
  assert.deepEqual(manifest.videos.map((v) => v.id), good.map((v) => v.id).sort());
  const failures = Object.fromEntries(manifest.failures.map((f) => [f.id, f]));
  assert.deepEqual(Object.keys(failures).sort(), ["Deepfakes/c23/006_007", "youtube/c23/006", "youtube/c23/007", "youtube/c23/008"]);
  assert.match(failures["youtube/c23/006"]!.error, /006\.mp4: (decoding stopped|.*(invalid|truncat|moov|End of file))/i);
  assert.match(failures["youtube/c23/007"]!.error, /007\.csv: no frame has a successful detection/);
  assert.match(failures["Deepfakes/c23/006_007"]!.error, /006_007\.mp4: no OpenFace CSV for it in the --openface directory/);
  assert.match(failures["youtube/c23/008"]!.error, /008\.mp4: cannot read the video \(EIO\)/);
  for (const f of manifest.failures) {
    assert.equal(f.error.includes("\n"), false);
    assert.equal(f.path, [...bad, { path: "original_sequences/youtube/c23/videos/008.mp4", id: "youtube/c23/008" }].find((v) => v.id === f.id)!.path);
  }
  // The summary lists them.
  assert.match(result.stderr, /build: 6 ok, 4 failed, 0 skipped as already committed/);
  for (const id of Object.keys(failures)) assert.ok(result.stderr.includes(`  ${id}: `), `${id} listed`);
  assert.equal((await readBack(out)).length, good.length);
});

test("a worker that crashes (exits, or hits a wasm abort) fails that one video; a replacement takes over and the build goes on", async () => {
  const { videos, splits: s } = ffppVideos(2, () => 6);
  const crashTree = await makeBuildTree(videos, s, join(base, "crash"));
  const out = join(base, "crash-out");
  const options = { layout: "ffpp", root: crashTree.root, splitsDir: crashTree.splits, out, openfaceDir: crashTree.openface, workers: 2 };
  const summary = await runBuild({ ...options, faults: { "youtube/c23/001": "exit", "youtube/c23/002": "wasm-abort" } });
  assert.equal(summary.ok, 4);
  const errors = Object.fromEntries(summary.failures.map((f) => [f.id, f.error]));
  assert.deepEqual(Object.keys(errors).sort(), ["youtube/c23/001", "youtube/c23/002"]);
  assert.match(errors["youtube/c23/001"]!, /001\.mp4: the build worker processing it crashed \(worker exited with code: 1\); a replacement worker took over/);
  assert.match(errors["youtube/c23/002"]!, /002\.mp4: the build worker processing it crashed \(RuntimeError: Aborted\(simulated by the build's test hook\)\)/);
  assert.ok(summary.workerMemory.size >= 2, "videos ran on several threads, replacements included");
  assert.deepEqual(manifestOf(out).failures.map((f) => f.id), ["youtube/c23/001", "youtube/c23/002"]);

  // A rerun retries exactly the failed videos; their failures leave the manifest.
  const rerun = await runBuild(options);
  assert.deepEqual([rerun.plan.committed, rerun.plan.todo, rerun.ok, rerun.failures.length], [4, 2, 2, 0]);
  const manifest = manifestOf(out);
  assert.deepEqual(manifest.failures, []);
  assert.equal(manifest.videos.length, 6);
});

test("workers that cannot even start make the pool report a fatal error instead of failing every video", async () => {
  const broken = join(base, "broken-worker.mjs");
  writeFileSync(broken, 'throw new Error("broken install");\n');
  const pool = new VideoPool({ workers: 2, setup: { source: { name: "openface" }, face: { rule: "largest" }, outputBox: "lrnet", progressIntervalMs: 250 }, workerFile: broken });
  const task = (i: number) => ({
    entry: { id: `v${i}`, path: `v${i}.mp4`, label: "real" as const, split: "train", method: "m", compression: "c", identities: [] },
    videoPath: `/nowhere/v${i}.mp4`,
    landmarkFile: null,
  });
  try {
    const kinds: string[] = [];
    for (let i = 0; i < 8 && kinds.at(-1) !== "fatal"; i++) {
      const outcome = await pool.run(task(i));
      kinds.push(outcome.kind);
      if (outcome.kind === "failed") assert.match(outcome.error, /v\d\.mp4: the build worker processing it crashed \(broken install\)/);
      if (outcome.kind === "fatal") assert.match(outcome.error, /the build workers crashed on 5 videos in a row \(last: broken install\); stopping/);
    }
    assert.deepEqual(kinds, ["failed", "failed", "failed", "failed", "fatal"]);
  } finally {
    await pool.destroy();
  }
});

test("OpenFace CSVs: tree mirror, then id, then flat stem; a stem shared by two videos is refused", async () => {
  const dir = join(base, "csvs");
  mkdirSync(join(dir, "manipulated_sequences/Deepfakes/c23/videos"), { recursive: true });
  mkdirSync(join(dir, "Face2Face/c23"), { recursive: true });
  const touch = (p: string) => copyFileSync(join(tree.openface, "youtube/c23/000.csv"), join(dir, p));
  touch("manipulated_sequences/Deepfakes/c23/videos/000_001.csv");
  touch("Face2Face/c23/000_001.csv");
  touch("000_001.csv");
  touch("002.csv");
  const entry = (id: string, path: string): VideoEntry => ({ id, path, label: "fake", split: "train", method: id.split("/")[0]!, compression: "c23", identities: [] });
  const deepfakes = entry("Deepfakes/c23/000_001", "manipulated_sequences/Deepfakes/c23/videos/000_001.mp4");
  const face2face = entry("Face2Face/c23/000_001", "manipulated_sequences/Face2Face/c23/videos/000_001.mp4");
  const original = entry("youtube/c23/002", "original_sequences/youtube/c23/videos/002.mp4");
  const none = entry("youtube/c23/004", "original_sequences/youtube/c23/videos/004.mp4");
  const matches = await matchOpenFaceCsvs(dir, [deepfakes, face2face, original, none]);
  assert.deepEqual(Object.fromEntries(matches), {
    "Deepfakes/c23/000_001": join(dir, "manipulated_sequences/Deepfakes/c23/videos/000_001.csv"),
    "Face2Face/c23/000_001": join(dir, "Face2Face/c23/000_001.csv"),
    "youtube/c23/002": join(dir, "002.csv"),
    "youtube/c23/004": null,
  });
  const faceSwap = entry("FaceSwap/c23/000_001", "manipulated_sequences/FaceSwap/c23/videos/000_001.mp4");
  const neural = entry("NeuralTextures/c23/000_001", "manipulated_sequences/NeuralTextures/c23/videos/000_001.mp4");
  await assert.rejects(matchOpenFaceCsvs(dir, [faceSwap, neural]), (error: Error) =>
    error instanceof BuildError && /000_001\.csv would serve 2 videos \(FaceSwap\/c23\/000_001, NeuralTextures\/c23\/000_001\)/.test(error.message),
  );
  await assert.rejects(matchOpenFaceCsvs(join(base, "absent"), [original]), /--openface .*absent: directory not found/);
  assert.equal(existsSync(dir), true);
});

test("RowsAssembler: float32 rows in frame order, nulls where nothing is present, trimmed when fewer frames arrive", () => {
  const video = { id: "v", label: "real" as const, split: "train", method: "m", compression: "c" };
  const assembler = new RowsAssembler(video, 4);
  const shape = Array.from({ length: 136 }, (_, k) => k + 0.1);
  assembler.push({ index: 0, timeS: 0, status: "skipped", raw: null, score: 0, calibrated: null });
  assembler.push({ index: 1, timeS: 0.04, status: "detected", raw: shape, score: 0.75, calibrated: shape.map((v) => v / 1000) });
  assert.throws(() => assembler.push({ index: 3, timeS: 0.12, status: "held", raw: null, score: 0, calibrated: null }), /frame 3 arrived where frame 2 was expected/);
  const rows = assembler.finish();
  assert.equal(rows.frame.length, 2);
  assert.deepEqual([...rows.status], [3, 0]);
  assert.deepEqual([...rows.rawPresent], [0, 1]);
  assert.deepEqual([...rows.landmarksPresent], [0, 1]);
  assert.equal(rows.raw[136 + 5], Math.fround(5.1));
  assert.equal(rows.landmarks[136 + 5], Math.fround(0.0051));
  assert.equal(rows.score[1], Math.fround(0.75));
  assert.equal(rows.raw.length, 2 * 136);
});
