import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { runBuild } from "../src/batch/run-build.js";
import { mergeShards } from "../src/batch/merge.js";
import { parseShard, selectShard, shardOf } from "../src/batch/shard.js";
import { MergeError } from "../src/batch/errors.js";
import { MANIFEST_FILE, manifestInconsistencies, validateManifest, type Manifest } from "../src/store/manifest.js";
import { ffppVideos, makeBuildTree, readBack } from "./helpers/build-tree.js";
import { repoRoot } from "./helpers/paths.js";

const run = promisify(execFile);
const bin = join(repoRoot, "bin", "lrnet-data.js");

test("shardOf: first 8 bytes of sha256(id) as big-endian uint64, mod N, plus 1; parseShard checks K/N", () => {
  for (const id of ["youtube/c23/000", "Deepfakes/c23/000_003", "é/ünïcode"]) {
    const digest = createHash("sha256").update(id, "utf8").digest("hex");
    for (const n of [1, 2, 3, 7, 1000]) {
      assert.equal(shardOf(id, n), Number(BigInt(`0x${digest.slice(0, 16)}`) % BigInt(n)) + 1, `${id} of ${n}`);
    }
  }
  // Pinned values (computed independently with Python's hashlib): a change of the hash would reshuffle users' shards.
  assert.equal(shardOf("youtube/c23/000", 4), 3);
  assert.equal(shardOf("Deepfakes/c23/000_001", 4), 2);

  const ids = Array.from({ length: 400 }, (_, i) => ({ id: `video/${i}` }));
  const parts = [1, 2, 3].map((k) => selectShard(ids, { index: k, count: 3 }));
  assert.equal(parts.reduce((n, p) => n + p.length, 0), ids.length, "the shards partition the videos");
  for (const part of parts) assert.ok(part.length > 100 && part.length < 170, `balanced (${part.length})`);
  assert.deepEqual(selectShard(ids, null), ids);

  assert.deepEqual(parseShard("2/5"), { index: 2, count: 5 });
  for (const bad of ["0/3", "4/3", "1/0", "a/b", "1", "1/2/3", "-1/2"]) assert.throws(() => parseShard(bad), /--shard takes K\/N/, bad);
});

const base = mkdtempSync(join(tmpdir(), "lrnet-build-shard-"));
process.once("exit", () => rmSync(base, { recursive: true, force: true }));
const { videos, splits } = ffppVideos(3, (i) => 8 + (i % 4));
const tree = await makeBuildTree(videos, splits, base);
const common = { layout: "ffpp", root: tree.root, splitsDir: tree.splits, openfaceDir: tree.openface, workers: 2, rowsPerPart: 20 };
const whole = join(base, "whole");
const shardDirs = [1, 2, 3].map((k) => join(base, `shard-${k}`));

function manifestOf(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, MANIFEST_FILE), "utf8")) as Manifest;
}

test("N shards built separately and merged equal the unsharded build", async () => {
  await runBuild({ ...common, out: whole });
  const perShard: string[][] = [];
  for (const [i, out] of shardDirs.entries()) {
    const summary = await runBuild({ ...common, out, shard: { index: i + 1, count: 3 } });
    perShard.push(summary.manifest.videos.map((v) => v.id));
    assert.deepEqual(summary.manifest.source.shard, { index: i + 1, count: 3 });
    for (const id of perShard[i]!) assert.equal(shardOf(id, 3), i + 1);
  }
  assert.deepEqual(perShard.flat().sort(), videos.map((v) => v.id).sort(), "each video in exactly one shard");

  const merged = join(base, "merged");
  const result = await run(process.execPath, [bin, "merge", ...shardDirs, "-o", merged]);
  assert.match(result.stderr, /^merge: 3 shards → .*merged: 9 videos, 0 failures, \d+ files \(\d+ linked, 0 copied/);
  const manifest = manifestOf(merged);
  assert.deepEqual(validateManifest(manifest).errors, []);
  assert.deepEqual(manifestInconsistencies(manifest), []);
  assert.equal(manifest.state, "complete");
  assert.equal(manifest.source.shard, null);
  const reference = manifestOf(whole);
  assert.equal(manifest.configuration_fingerprint, reference.configuration_fingerprint);
  assert.deepEqual(manifest.splits, reference.splits);
  const summaries = (m: Manifest) => m.videos.map(({ data, ...s }) => s);
  assert.deepEqual(summaries(manifest), summaries(reference));
  assert.deepEqual(await readBack(merged), await readBack(whole));
  // Hard links: the merged file is the shard's file.
  const first = manifest.data_files[0]!;
  const shardWithIt = shardDirs.find((d) => existsSync(join(d, first.path)))!;
  assert.equal(statSync(join(merged, first.path)).ino, statSync(join(shardWithIt, first.path)).ino);
});

test("merge refuses overlapping, inconsistent, incomplete or altered shards with one line, and writes nothing", async () => {
  const refuse = async (shards: string[], pattern: RegExp, extra: Partial<Parameters<typeof mergeShards>[0]> = {}) => {
    const out = join(base, `refused-${Math.random().toString(16).slice(2)}`);
    await assert.rejects(mergeShards({ shards, out, ...extra }), (error: Error) => {
      assert.ok(error instanceof MergeError, String(error));
      assert.match(error.message, pattern);
      assert.equal(error.message.includes("\n"), false);
      return true;
    });
    assert.equal(existsSync(join(out, MANIFEST_FILE)), false);
  };
  await refuse([shardDirs[0]!, shardDirs[0]!], /is given twice/);
  await refuse([shardDirs[0]!, shardDirs[1]!], /shard 3 of 3 not given; add them, or pass --allow-missing-shards/);
  await refuse([whole, shardDirs[0]!], /is not a shard \(built without --shard\)/);

  // The same shard built twice (two directories): overlapping.
  const twin = join(base, "shard-1-twin");
  cpSync(shardDirs[0]!, twin, { recursive: true });
  await refuse([shardDirs[0]!, twin, shardDirs[1]!, shardDirs[2]!], /are both shard 1\/3: shards overlap/);
  // Unsharded outputs that share a video overlap too.
  const copy = join(base, "whole-copy");
  cpSync(whole, copy, { recursive: true });
  await refuse([whole, copy], /video \S+ is in both .*whole and .*whole-copy: shards overlap/);

  // Another configuration.
  const other = join(base, "shard-2-other");
  cpSync(shardDirs[1]!, other, { recursive: true });
  const m = manifestOf(other);
  m.configuration = { ...m.configuration, mode: "other" };
  m.configuration_fingerprint = "f".repeat(64);
  writeFileSync(join(other, MANIFEST_FILE), JSON.stringify(m));
  await refuse([shardDirs[0]!, other, shardDirs[2]!], /shard-2-other was built with another configuration than .*shard-1 \(fingerprint ffffffffffff… vs /);

  // An unfinished shard.
  const building = join(base, "shard-3-building");
  cpSync(shardDirs[2]!, building, { recursive: true });
  writeFileSync(join(building, MANIFEST_FILE), JSON.stringify({ ...manifestOf(building), state: "building" }));
  await refuse([shardDirs[0]!, shardDirs[1]!, building], /its build has not finished/);

  // A missing data file, and an altered one (same size, other bytes).
  const missing = join(base, "shard-3-missing");
  cpSync(shardDirs[2]!, missing, { recursive: true });
  rmSync(join(missing, manifestOf(missing).data_files[0]!.path));
  await refuse([shardDirs[0]!, shardDirs[1]!, missing], /part-[0-9a-f]+\.parquet: missing, though .*manifest\.json lists it/);
  const altered = join(base, "shard-3-altered");
  cpSync(shardDirs[2]!, altered, { recursive: true });
  const victim = join(altered, manifestOf(altered).data_files[0]!.path);
  const bytes = readFileSync(victim);
  bytes[100] = bytes[100]! ^ 0xff;
  writeFileSync(victim, bytes);
  await refuse([shardDirs[0]!, shardDirs[1]!, altered], /sha256 .* says .*; the shard's file was altered/);

  // A non-empty output.
  await refuse(shardDirs, /is not empty \(it holds a dataset\)/, { out: whole });
});

test("merge CLI: one-line errors, exit 1; --allow-missing-shards merges a part", async () => {
  const failed = await run(process.execPath, [bin, "merge", shardDirs[0]!, shardDirs[1]!, "-o", join(base, "part")]).catch((e) => e as { code: number; stderr: string });
  assert.equal((failed as { code: number }).code, 1);
  assert.equal((failed as { stderr: string }).stderr.trimEnd().split("\n").length, 1);
  const part = join(base, "part2");
  const ok = await run(process.execPath, [bin, "merge", shardDirs[0]!, shardDirs[1]!, "-o", part, "--allow-missing-shards", "--copy"]);
  assert.match(ok.stderr, /note: shards 3 of 3 are missing/);
  assert.match(ok.stderr, /\(0 linked, \d+ copied/);
  const manifest = manifestOf(part);
  assert.deepEqual(manifestInconsistencies(manifest), []);
  assert.equal(manifest.videos.length, manifestOf(shardDirs[0]!).videos.length + manifestOf(shardDirs[1]!).videos.length);
});

test("a build refuses to resume an output that holds another shard", async () => {
  await assert.rejects(runBuild({ ...common, out: shardDirs[0]!, shard: { index: 2, count: 3 } }), /holds shard 1\/3, but this run is shard 2\/3; give each shard its own output directory/);
});
