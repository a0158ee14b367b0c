import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { DatasetStore, findCommittedVideos } from "../src/store/store.js";
import { PartWriter, encodePart } from "../src/store/parquet-writer.js";
import { syntheticVideoRows } from "../src/store/synthetic.js";
import { MANIFEST_FILE, manifestInconsistencies, summarizeVideo, validateManifest, type BuildConfiguration, type ManifestSource, type VideoSummary } from "../src/store/manifest.js";
import { ConfigurationChangedError, StoreError } from "../src/store/errors.js";
import { configurationFingerprint } from "../src/store/fingerprint.js";
import type { VideoEntry } from "../src/store/types.js";
import { CONFIGURATION, SOURCE } from "./helpers/small-dataset.js";

const configuration: BuildConfiguration = CONFIGURATION;
const source: ManifestSource = SOURCE;
const tool = { name: "lrnet-data", version: "0.1.0" };

const entries: VideoEntry[] = ["000_001", "001_000", "002_003", "003_002", "004_005", "005_004", "006_007"].map((pair, i) => ({
  id: `Deepfakes/c23/${pair}`,
  path: `manipulated_sequences/Deepfakes/c23/videos/${pair}.mp4`,
  label: "fake",
  split: i < 5 ? "train" : "test",
  method: "Deepfakes",
  compression: "c23",
  identities: pair.split("_").map((p) => `youtube:${p}`),
}));

function rowsOf(entry: VideoEntry) {
  const seed = Number.parseInt(entry.id.slice(-7).replace("_", ""), 10) + 1;
  return syntheticVideoRows(entry, 90 + (seed % 7) * 10, seed);
}

function summaryOf(entry: VideoEntry): VideoSummary {
  return summarizeVideo(entry, rowsOf(entry), { bytes: 1234, sha256: "c".repeat(64) });
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "lrnet-store-"));
}

function parquetFilesOnDisk(out: string): string[] {
  const found: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(out, rel), { withFileTypes: true })) {
      if (e.isDirectory()) walk(`${rel}/${e.name}`);
      else found.push(`${rel}/${e.name}`);
    }
  };
  if (existsSync(join(out, "data"))) walk("data");
  return found.sort();
}

/**
 * What a build does with the store: skip committed videos, buffer the rest into parts, commit each part.
 * `crashAfterCommits` abandons the run right after that many commits (no flush, no close), like a SIGKILL.
 */
async function build(out: string, options: { crashAfterCommits?: number; config?: BuildConfiguration; rebuild?: boolean } = {}) {
  const { store, resume } = await DatasetStore.open(out, { configuration: options.config ?? configuration, source, tool, rebuild: options.rebuild });
  const writer = new PartWriter({ rowsPerPart: 250 });
  let commits = 0;
  const commit = async (parts: ReturnType<PartWriter["flush"]>): Promise<boolean> => {
    for (const part of parts) {
      await store.commitPart(part, part.videos.map((v) => summaryOf(entries.find((e) => e.id === v.id)!)));
      if (++commits === options.crashAfterCommits) return true;
    }
    return false;
  };
  const done: string[] = [];
  for (const entry of entries) {
    if (resume.committed.has(entry.id)) continue;
    done.push(entry.id);
    if (await commit(writer.add(rowsOf(entry)))) return { crashed: true, resume, done };
  }
  if (await commit(writer.flush())) return { crashed: true, resume, done };
  await store.complete();
  await store.close();
  return { crashed: false, resume, done };
}

/** Per video: row count and sums of its values, read back with DuckDB. */
async function valuesPerVideo(out: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const db = await instance.connect();
  try {
    const reader = await db.runAndReadAll(
      `SELECT video_id, count(*)::INTEGER AS n, sum(frame)::BIGINT AS frames, sum(list_sum(landmarks))::DOUBLE AS lm, sum(list_sum(raw))::DOUBLE AS raw
       FROM read_parquet('${out}/data/**/*.parquet', hive_partitioning = true) GROUP BY video_id ORDER BY video_id`,
    );
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

test("a build commits parts and a manifest that validates; findCommittedVideos verifies every file", async () => {
  const out = tempDir();
  try {
    const run = await build(out);
    assert.equal(run.crashed, false);
    const manifest = JSON.parse(readFileSync(join(out, MANIFEST_FILE), "utf8"));
    assert.deepEqual(validateManifest(manifest).errors, []);
    assert.deepEqual(manifestInconsistencies(manifest), []);
    assert.equal(manifest.state, "complete");
    assert.deepEqual(parquetFilesOnDisk(out), manifest.data_files.map((f: { path: string }) => f.path));
    const state = await findCommittedVideos(out, configuration);
    assert.deepEqual([...state.committed].sort(), entries.map((e) => e.id).sort());
    assert.deepEqual([state.configurationMatches, state.brokenFiles, state.orphanFiles, state.tempFiles], [true, [], [], []]);
    assert.equal(existsSync(join(out, ".lrnet-data.lock")), false, "close releases the lock");
    const again = await build(out);
    assert.deepEqual(again.done, [], "a rerun of a finished build does nothing");
    assert.equal((await valuesPerVideo(out)).length, entries.length);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("crash after some commits: the rerun skips exactly the committed videos and ends equal to an uninterrupted build", async () => {
  const reference = tempDir();
  const out = tempDir();
  try {
    await build(reference);
    const expected = await valuesPerVideo(reference);
    const first = await build(out, { crashAfterCommits: 1 });
    assert.equal(first.crashed, true);
    const committed = (await findCommittedVideos(out, configuration)).committed;
    assert.ok(committed.size > 0 && committed.size < entries.length, `some but not all committed (${committed.size})`);
    const second = await build(out);
    assert.deepEqual([...second.resume.committed].sort(), [...committed].sort());
    assert.deepEqual(second.done, entries.map((e) => e.id).filter((id) => !committed.has(id)), "exactly the rest is redone");
    assert.deepEqual(await valuesPerVideo(out), expected);
  } finally {
    rmSync(reference, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
});

test("crash between the data file's rename and the manifest update: the orphan is deleted, its videos redone once", async () => {
  const out = tempDir();
  try {
    await build(out, { crashAfterCommits: 1 });
    const before = JSON.parse(readFileSync(join(out, MANIFEST_FILE), "utf8"));
    // The next part made it to its final name, but the manifest was never replaced.
    const pending = entries.filter((e) => !before.videos.some((v: { id: string }) => v.id === e.id) && e.split === "train").slice(0, 1);
    const orphan = encodePart({ split: "train", method: "Deepfakes", compression: "c23" }, pending.map(rowsOf));
    mkdirSync(dirname(join(out, orphan.path)), { recursive: true });
    writeFileSync(join(out, orphan.path), orphan.bytes);

    const state = await findCommittedVideos(out, configuration);
    assert.deepEqual(state.orphanFiles, [orphan.path]);
    assert.equal(state.committed.has(pending[0]!.id), false, "an orphan's videos are not committed");

    const rerun = await build(out);
    assert.ok(rerun.done.includes(pending[0]!.id));
    const after = JSON.parse(readFileSync(join(out, MANIFEST_FILE), "utf8"));
    assert.deepEqual(parquetFilesOnDisk(out), after.data_files.map((f: { path: string }) => f.path), "only listed files remain");
    const values = await valuesPerVideo(out);
    assert.deepEqual(values.map((v) => v["video_id"]), entries.map((e) => e.id).sort(), "each video once");
    assert.deepEqual(manifestInconsistencies(after), []);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("temporary files left by a crash (data and manifest) are removed at start", async () => {
  const out = tempDir();
  try {
    await build(out, { crashAfterCommits: 1 });
    const partDir = join(out, "data/train/Deepfakes/c23");
    const dataTemp = join(partDir, ".part-0123456789abcdef.parquet.tmp-4242-0a1b2c3d");
    const manifestTemp = join(out, ".manifest.json.tmp-4242-deadbeef");
    writeFileSync(dataTemp, "half a file");
    writeFileSync(manifestTemp, "{ half");
    const { store, resume } = await DatasetStore.open(out, { configuration, source, tool });
    await store.close();
    assert.deepEqual(resume.removedTempFiles.sort(), [".manifest.json.tmp-4242-deadbeef", "data/train/Deepfakes/c23/.part-0123456789abcdef.parquet.tmp-4242-0a1b2c3d"]);
    assert.equal(existsSync(dataTemp) || existsSync(manifestTemp), false);
    assert.ok(resume.committed.size > 0, "committed videos survive");
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("a listed data file that is corrupt or missing is dropped with its videos, which are redone", async () => {
  const out = tempDir();
  try {
    await build(out);
    const manifest = JSON.parse(readFileSync(join(out, MANIFEST_FILE), "utf8"));
    const [flipped, deleted] = manifest.data_files as { path: string; videos: string[] }[];
    const bytes = readFileSync(join(out, flipped!.path));
    bytes[100] = bytes[100]! ^ 0xff;
    writeFileSync(join(out, flipped!.path), bytes);
    rmSync(join(out, deleted!.path));

    const state = await findCommittedVideos(out, configuration);
    assert.deepEqual(
      state.brokenFiles.map((f) => [f.path, f.reason.split(" ")[0]]),
      [[flipped!.path, "sha256"], [deleted!.path, "missing"]].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );
    const lost = new Set([...flipped!.videos, ...deleted!.videos]);
    assert.deepEqual([...state.committed].sort(), entries.map((e) => e.id).filter((id) => !lost.has(id)).sort());

    const rerun = await build(out);
    assert.deepEqual(rerun.done.sort(), [...lost].sort());
    assert.equal(rerun.resume.droppedFiles.length, 2);
    const after = JSON.parse(readFileSync(join(out, MANIFEST_FILE), "utf8"));
    assert.deepEqual(manifestInconsistencies(after), []);
    assert.equal(after.videos.length, entries.length);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("a changed configuration or layout is refused without rebuild, and rebuilt with it", async () => {
  const out = tempDir();
  try {
    await build(out);
    const changed: BuildConfiguration = { ...configuration, mode: "fixed", guard: { min_score: 0.6 } };
    const state = await findCommittedVideos(out, changed);
    assert.equal(state.configurationMatches, false);
    assert.equal(state.committed.size, 0, "nothing counts as done for another configuration");
    await assert.rejects(DatasetStore.open(out, { configuration: changed, source, tool }), (e: Error) => {
      assert.ok(e instanceof ConfigurationChangedError);
      assert.equal(e.message, `${out} was built with another configuration (changed: guard, mode); rebuild it (--rebuild) or choose another output directory`);
      return true;
    });
    await assert.rejects(DatasetStore.open(out, { configuration, source: { ...source, layout: "dfo" }, tool }), /was built from layout ffpp, not dfo/);
    assert.equal(existsSync(join(out, ".lrnet-data.lock")), false, "a refused open releases the lock");

    const rebuilt = await build(out, { config: changed, rebuild: true });
    assert.equal(rebuilt.resume.rebuilt, true);
    assert.equal(rebuilt.done.length, entries.length);
    const manifest = JSON.parse(readFileSync(join(out, MANIFEST_FILE), "utf8"));
    assert.equal(manifest.configuration_fingerprint, configurationFingerprint(changed));
    assert.deepEqual(parquetFilesOnDisk(out), manifest.data_files.map((f: { path: string }) => f.path));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("failures are recorded and retried; an unreadable manifest and a live lock holder are refused", async () => {
  const out = tempDir();
  try {
    const { store } = await DatasetStore.open(out, { configuration, source, tool });
    await store.recordFailure({ id: entries[0]!.id, path: entries[0]!.path, error: "no face in any frame" });
    assert.deepEqual(store.manifest.failures.map((f) => [f.id, f.error]), [[entries[0]!.id, "no face in any frame"]]);
    // Concurrent commits are serialised: every one lands in the manifest.
    await Promise.all(entries.slice(0, 3).map((e) => store.commitPart(encodePart(e, [rowsOf(e)]), [summaryOf(e)])));
    assert.deepEqual(store.manifest.videos.map((v) => v.id), entries.slice(0, 3).map((e) => e.id).sort());
    assert.deepEqual(store.manifest.failures, [], "the committed retry cleared the failure");
    await assert.rejects(store.commitPart(encodePart(entries[0]!, [rowsOf(entries[0]!)]), [summaryOf(entries[0]!)]), /already committed/);
    await store.close();

    // A live process holds the lock (a child that sleeps).
    const holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 20000)"], { stdio: "ignore" });
    try {
      writeFileSync(join(out, ".lrnet-data.lock"), `${holder.pid}\n`);
      await assert.rejects(DatasetStore.open(out, { configuration, source, tool }), (e: Error) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.message, `${out} is being written by another build (process ${holder.pid}); wait for it or stop it`);
        return true;
      });
    } finally {
      holder.kill();
    }
    await new Promise((resolve) => holder.once("exit", resolve));
    const { store: taken } = await DatasetStore.open(out, { configuration, source, tool });
    await taken.close();

    writeFileSync(join(out, MANIFEST_FILE), "{ not json");
    await assert.rejects(DatasetStore.open(out, { configuration, source, tool }), new RegExp(`^StoreError: ${out}/manifest.json: manifest is not valid JSON`));
    writeFileSync(join(out, MANIFEST_FILE), JSON.stringify({ format: "lrnet-data/landmarks" }));
    await assert.rejects(DatasetStore.open(out, { configuration, source, tool }), /manifest\.json: manifest does not match its schema: \(top level\): must have required property/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

/** A child process that builds 40 synthetic videos into `out` with the store, printing a line per commit. */
const CHILD_BUILD = `
import { DatasetStore } from ${JSON.stringify(new URL("../src/store/store.js", import.meta.url).href)};
import { PartWriter } from ${JSON.stringify(new URL("../src/store/parquet-writer.js", import.meta.url).href)};
import { summarizeVideo } from ${JSON.stringify(new URL("../src/store/manifest.js", import.meta.url).href)};
import { syntheticVideoRows } from ${JSON.stringify(new URL("../src/store/synthetic.js", import.meta.url).href)};
const [out, config, src] = [process.argv[1], JSON.parse(process.argv[2]), JSON.parse(process.argv[3])];
const entries = Array.from({ length: 40 }, (_, i) => ({
  id: "v" + String(i).padStart(3, "0"), path: "clips/v" + i + ".mp4", label: i % 2 ? "fake" : "real",
  split: ["train", "val", "test"][i % 3], method: i % 2 ? "Deepfakes" : "youtube", compression: "c23", identities: [],
}));
const { store, resume } = await DatasetStore.open(out, { configuration: config, source: src, tool: { name: "t", version: "1" } });
const writer = new PartWriter({ rowsPerPart: 200 });
const summaries = new Map();
const commit = async (parts) => {
  for (const part of parts) {
    await store.commitPart(part, part.videos.map((v) => summaries.get(v.id)));
    process.stdout.write("commit\\n");
  }
};
for (const entry of entries) {
  if (resume.committed.has(entry.id)) continue;
  const rows = syntheticVideoRows(entry, 60 + (entry.id.charCodeAt(3) % 5) * 20, entry.id.charCodeAt(3) + 7);
  summaries.set(entry.id, summarizeVideo(entry, rows, { bytes: 1, sha256: "0".repeat(64) }));
  await commit(writer.add(rows));
}
await commit(writer.flush());
await store.complete();
await store.close();
process.stdout.write("done\\n");
`;

function runChild(out: string, killAfterMs?: number): Promise<{ killed: boolean; commits: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--input-type=module", "-e", CHILD_BUILD, out, JSON.stringify(configuration), JSON.stringify(source)],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (timer) clearTimeout(timer);
      const commits = stdout.split("\n").filter((l) => l === "commit").length;
      if (signal === "SIGKILL") resolve({ killed: true, commits });
      else if (code === 0 && stdout.includes("done")) resolve({ killed: false, commits });
      else reject(new Error(`child build failed (${code ?? signal}): ${stderr.trim().split("\n").slice(-3).join(" | ")}`));
    });
  });
}

test("SIGKILL at random moments, then a rerun: the same videos and values as an uninterrupted build", async (t) => {
  const reference = tempDir();
  const out = tempDir();
  try {
    const started = performance.now();
    await runChild(reference);
    const fullRunMs = performance.now() - started;
    const expected = await valuesPerVideo(reference);
    assert.equal(expected.length, 40);
    for (let attempt = 0; attempt < 3; attempt++) {
      const delay = Math.round(250 + Math.random() * Math.max(fullRunMs - 250, 100));
      const result = await runChild(out, delay);
      t.diagnostic(`kill ${attempt + 1}: after ${delay} ms (full run ${Math.round(fullRunMs)} ms): ${result.killed ? "killed" : "finished first"} after ${result.commits} commits`);
    }
    const final = await runChild(out);
    assert.equal(final.killed, false);
    assert.deepEqual(await valuesPerVideo(out), expected);
    const manifest = JSON.parse(readFileSync(join(out, MANIFEST_FILE), "utf8"));
    assert.deepEqual(validateManifest(manifest).errors, []);
    assert.deepEqual(manifestInconsistencies(manifest), []);
    assert.equal(manifest.videos.length, 40);
    assert.deepEqual(parquetFilesOnDisk(out), manifest.data_files.map((f: { path: string }) => f.path), "no orphan or temporary file left");
  } finally {
    rmSync(reference, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
});
