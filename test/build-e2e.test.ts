import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MANIFEST_FILE, manifestInconsistencies, validateManifest, type Manifest } from "../src/store/manifest.js";
import { configurationFingerprint } from "../src/store/fingerprint.js";
import { makeBuildTree, ffppVideos, readBack } from "./helpers/build-tree.js";
import { cli } from "./helpers/cli.js";




const base = mkdtempSync(join(tmpdir(), "lrnet-build-e2e-"));
process.once("exit", () => rmSync(base, { recursive: true, force: true }));
// Long enough (more than 30 frames with landmarks) for LRNet's training blocks, so the final validation holds.
const { videos, splits } = ffppVideos(3, (i) => 31 + (i % 6));
const tree = await makeBuildTree(videos, splits, base);
const out = join(base, "out");
const buildArgs = ["build", "--layout", "ffpp", "--root", tree.root, "--splits", tree.splits, "-o", out, "--openface", tree.openface, "--workers", "2"];

function readManifestFile(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, MANIFEST_FILE), "utf8")) as Manifest;
}

function filesUnder(dir: string, rel = ""): string[] {
  if (!existsSync(join(dir, rel))) return [];
  return readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(dir, `${rel}${e.name}/`) : [`${rel}${e.name}`],
  );
}

test("build: an FF++ tree with split files becomes a valid, partitioned dataset that DuckDB reads back", async () => {
  const result = await cli(...buildArgs, "--rows-per-part", "1");
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "", "nothing on standard output");
  assert.match(result.stderr, /^build: 9 videos: 0 already committed, 9 to do with 2 workers \(openface\)/);
  assert.match(result.stderr, /build: 9 ok, 0 failed, 0 skipped as already committed; \d+ frames in /);
  assert.match(result.stderr, /lrnet-data validate .*: HOLDS \(0 errors/, "the finished build is validated");

  const manifest = readManifestFile(out);
  assert.deepEqual(validateManifest(manifest).errors, []);
  assert.deepEqual(manifestInconsistencies(manifest), []);
  assert.equal(manifest.state, "complete");
  assert.equal(manifest.configuration.detector, "openface");
  assert.equal(manifest.configuration.output_box, "lrnet", "OpenFace CSVs keep LRNet's box");
  assert.equal(manifest.configuration_fingerprint, configurationFingerprint(manifest.configuration));
  assert.equal(manifest.source.layout, "ffpp");
  assert.equal(manifest.source.root, tree.root);
  assert.deepEqual(manifest.failures, []);

  // Splits as the pairs rule says: pair 0 (000, 001, 000_001) train, pair 1 test, pair 2 val.
  assert.deepEqual(manifest.splits["train"]!.videos, ["Deepfakes/c23/000_001", "youtube/c23/000", "youtube/c23/001"]);
  assert.deepEqual(manifest.splits["test"]!.videos, ["Deepfakes/c23/002_003", "youtube/c23/002", "youtube/c23/003"]);
  assert.deepEqual(manifest.splits["val"]!.videos, ["Deepfakes/c23/004_005", "youtube/c23/004", "youtube/c23/005"]);

  // Every file on disk is listed, under the partition directory of its videos.
  const onDisk = filesUnder(out, "data/").sort();
  assert.deepEqual(onDisk, manifest.data_files.map((f) => f.path).sort());
  for (const file of manifest.data_files) {
    const { split, method, compression } = file.partition;
    assert.ok(file.path.startsWith(`data/${split}/${method}/${compression}/part-`), file.path);
  }
  assert.equal(manifest.data_files.length, 9, "--rows-per-part 1: one file per video");

  const byId = new Map(videos.map((v) => [v.id, v]));
  for (const video of manifest.videos) {
    const made = byId.get(video.id)!;
    assert.equal(video.frames, made.frames, `${video.id}: frames decoded`);
    assert.equal(video.rows, made.frames, `${video.id}: one row per frame`);
    assert.deepEqual(video.status_counts, { detected: made.frames, held: 0, rejected: 0, skipped: 0, lost: 0 });
    assert.equal(video.source.path, made.path);
    assert.equal(video.source.bytes, readFileSync(join(tree.root, made.path)).length);
    assert.ok(Math.abs(video.mean_score! - (0.9 + (made.seed % 9) / 100)) < 1e-6, `${video.id}: mean score from the CSV`);
    assert.equal(video.label, video.method === "youtube" ? "real" : "fake");
  }

  const back = await readBack(out);
  assert.deepEqual(back.map((v) => v.video_id), [...byId.keys()].sort());
  for (const v of back) {
    const made = byId.get(v.video_id)!;
    const listed = manifest.videos.find((m) => m.id === v.video_id)!;
    assert.equal(v.n, made.frames, `${v.video_id}: DuckDB row count`);
    assert.equal(v.frames, Array.from({ length: made.frames }, (_, i) => i).join(","));
    assert.deepEqual([v.split, v.method, v.compression, v.label], [listed.split, listed.method, listed.compression, listed.label]);
    assert.equal(v.statuses, Array(made.frames).fill("detected").join(","));
  }
});

test("build: the Parquet landmarks are exactly what lrnet-data calibrate writes for the same video and CSV", async () => {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const db = await instance.connect();
  try {
    for (const made of [videos[0]!, videos[5]!]) {
      const csv = join(tree.openface, `${made.id}.csv`);
      const txt = join(base, `${made.id.replaceAll("/", "_")}.txt`);
      const calibrated = await cli("calibrate", "--video", join(tree.root, made.path), "--openface", csv, "--out", txt);
      assert.equal(calibrated.code, 0, calibrated.stderr);
      const expected = readFileSync(txt, "utf8").trimEnd().split("\n").map((line) => line.split(" ").map(Number));
      const reader = await db.runAndReadAll(
        `SELECT frame, landmarks::DOUBLE[] AS landmarks FROM read_parquet('${out}/data/**/*.parquet') WHERE video_id = '${made.id}' ORDER BY frame`,
      );
      const rows = reader.getRowObjectsJson() as unknown as { frame: number; landmarks: number[] }[];
      assert.equal(rows.length, expected.length, `${made.id}: rows`);
      for (let i = 0; i < rows.length; i++) {
        const got = rows[i]!.landmarks;
        assert.equal(got.length, 136);
        for (let k = 0; k < 136; k++) {
          assert.ok(Math.abs(got[k]! - expected[i]![k]!) < 1e-6, `${made.id} frame ${i} value ${k}: ${got[k]} vs ${expected[i]![k]}`);
        }
      }
    }
  } finally {
    db.closeSync();
    instance.closeSync();
  }
});

test("build: a rerun skips every committed video; another configuration is refused without --rebuild", async () => {
  const before = readManifestFile(out);
  const again = await cli(...buildArgs);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /9 already committed, 0 to do/);
  const after = readManifestFile(out);
  assert.deepEqual(after.data_files, before.data_files, "nothing rewritten");

  // MediaPipe instead of OpenFace: another detector, another fingerprint.
  const other = await cli("build", "--layout", "ffpp", "--root", tree.root, "--splits", tree.splits, "-o", out, "--workers", "1");
  assert.equal(other.code, 1);
  const lines = other.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, other.stderr);
  assert.match(lines[0]!, /^lrnet-data: .*out was built with another configuration \(changed: .*detector.*\); rebuild it \(--rebuild\)/);
  assert.deepEqual(readManifestFile(out).data_files, before.data_files, "the refused build changed nothing");
  assert.equal(existsSync(join(out, ".lrnet-data.lock")), false, "and released the lock");

  // The exact output box gives other values: another fingerprint too.
  const exact = await cli(...buildArgs, "--box", "exact");
  assert.equal(exact.code, 1);
  assert.match(exact.stderr, /changed: output_box\)/);
});

test("build: --rebuild starts over when the configuration changed", async () => {
  // The decoder is part of the configuration: a manifest claiming another decoder version must be rebuilt.
  const manifest = readManifestFile(out);
  const altered = { ...manifest, configuration: { ...manifest.configuration, decoder: "ffmpeg 0.0-other" } };
  altered.configuration_fingerprint = configurationFingerprint(altered.configuration);
  const { writeFileSync } = await import("node:fs");
  writeFileSync(join(out, MANIFEST_FILE), JSON.stringify(altered));
  const refused = await cli(...buildArgs);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /changed: decoder\)/);
  const rebuilt = await cli(...buildArgs, "--rebuild");
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  assert.match(rebuilt.stderr, /0 already committed, 9 to do/);
  assert.match(rebuilt.stderr, /removed the \d+ file\(s\) lrnet-data had written there \(--rebuild\)/);
  assert.equal(readManifestFile(out).configuration.decoder, manifest.configuration.decoder);
});

test("build: usage mistakes are one line and exit 2; --help teaches every option with an example per layout", async () => {
  const help = await cli("build", "--help");
  assert.equal(help.code, 0);
  for (const option of ["--layout", "--root", "--splits", "--out", "--methods", "--compression", "--splits-only", "--pattern", "--list", "--openface", "--mode", "--model", "--workers", "--shard", "--rebuild"]) {
    assert.ok(help.stdout.includes(option), `help mentions ${option}`);
  }
  for (const layout of ["--layout ffpp", "--layout dfo", "--layout folder"]) assert.ok(help.stdout.includes(layout), `an example with ${layout}`);

  for (const [args, pattern] of [
    [["build", "--root", tree.root, "-o", out], /--layout is required/],
    [[...buildArgs, "--shard", "3/2"], /--shard takes K\/N/],
    [[...buildArgs, "--workers", "0"], /--workers takes a whole number >= 1/],
    [[...buildArgs, "--mode", "video"], /cannot be combined with --openface/],
  ] as const) {
    const result = await cli(...args);
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
    assert.match(result.stderr, pattern);
  }
  const unknownLayout = await cli("build", "--layout", "nope", "--root", tree.root, "-o", join(base, "x"));
  assert.equal(unknownLayout.code, 1);
  assert.equal(unknownLayout.stderr.trimEnd().split("\n").length, 1, unknownLayout.stderr);
  const noVideo = await cli("build", "--layout", "ffpp", "--root", tree.openface, "--splits", tree.splits, "-o", join(base, "y"), "--openface", tree.openface);
  assert.equal(noVideo.code, 1);
  assert.match(noVideo.stderr, /^lrnet-data: .*openface: layout ffpp found no video/);
});

test("build: a dataset that does not pass validation (videos too short for a training block) exits 4 and says why", async () => {
  const short = ffppVideos(1, () => 8);
  const shortTree = await makeBuildTree(short.videos, short.splits, join(base, "short"));
  const shortOut = join(base, "short-out");
  const args = ["build", "--layout", "ffpp", "--root", shortTree.root, "--splits", shortTree.splits, "-o", shortOut, "--openface", shortTree.openface, "--workers", "1"];
  const result = await cli(...args);
  assert.equal(result.code, 4, result.stderr);
  assert.match(result.stderr, /: FAILS \(3 errors/);
  assert.match(result.stderr, /video youtube\/c23\/000: 8 frames with landmarks, too few for one training block of 30/);
  const skipped = await cli(...args, "--no-validate");
  assert.equal(skipped.code, 0, skipped.stderr);
  assert.doesNotMatch(skipped.stderr, /lrnet-data validate/);
});
