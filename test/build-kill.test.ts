import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MANIFEST_FILE, manifestInconsistencies, validateManifest, type Manifest } from "../src/store/manifest.js";
import { mulberry32 } from "../src/store/synthetic.js";
import { ffppVideos, makeBuildTree, readBack } from "./helpers/build-tree.js";
import { repoRoot } from "./helpers/paths.js";

const bin = join(repoRoot, "bin", "lrnet-data.js");
const base = mkdtempSync(join(tmpdir(), "lrnet-build-kill-"));
process.once("exit", () => rmSync(base, { recursive: true, force: true }));
// 12 videos of 12–16 frames; a Parquet file per 16 rows, so commits happen all along the build.
const { videos, splits } = ffppVideos(4, (i) => 12 + ((i * 3) % 5));
const tree = await makeBuildTree(videos, splits, base);
const argsFor = (out: string): string[] => [
  bin, "build", "--layout", "ffpp", "--root", tree.root, "--splits", tree.splits, "--no-validate", "-o", out,
  "--openface", tree.openface, "--workers", "2", "--rows-per-part", "16", "--progress", "lines",
];

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs a build; `interrupt(child)` may signal it while it runs. */
function build(out: string, interrupt?: (child: ReturnType<typeof spawn>) => Promise<void>): Promise<Run> {
  const child = spawn(process.execPath, argsFor(out), { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<Run>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stderr })));
  if (interrupt) void interrupt(child);
  return done;
}

function committedVideos(out: string): number {
  try {
    return (JSON.parse(readFileSync(join(out, MANIFEST_FILE), "utf8")) as Manifest).videos.length;
  } catch {
    return 0;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the build");
    await sleep(10);
  }
}

function parquetFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

/** What must be equal between two builds: per video, the manifest summary (minus where its rows sit) and the values. */
async function contentOf(out: string): Promise<{ summaries: unknown[]; values: unknown[] }> {
  const manifest = JSON.parse(readFileSync(join(out, MANIFEST_FILE), "utf8")) as Manifest;
  assert.deepEqual(validateManifest(manifest).errors, []);
  assert.deepEqual(manifestInconsistencies(manifest), []);
  assert.equal(manifest.state, "complete");
  const listed = manifest.data_files.map((f) => join(out, f.path)).sort();
  assert.deepEqual(parquetFiles(join(out, "data")).sort(), listed, "no file on disk that the manifest does not list");
  return {
    summaries: manifest.videos.map(({ data, ...summary }) => summary),
    values: await readBack(out),
  };
}

const reference = join(base, "reference");
let referenceSeconds = 0;

test("an uninterrupted build (the reference)", async () => {
  const started = performance.now();
  const result = await build(reference);
  referenceSeconds = (performance.now() - started) / 1000;
  assert.equal(result.code, 0, result.stderr);
  assert.equal(committedVideos(reference), videos.length);
});

test("SIGKILL at several random moments, then a rerun: the same videos and values as the uninterrupted build", async () => {
  const out = join(base, "killed");
  const random = mulberry32(Number(process.env.KILL_SEED ?? Date.now() % 100_000));
  const moments: string[] = [];
  const committedAtStart: number[] = [];
  // Kill 1: at a random instant of the first 60 % of an uninterrupted run (often before the first commit).
  // Kills 2 and 3: a random instant after at least one more video was committed, so that resuming is exercised.
  for (let k = 0; k < 3; k++) {
    const before = committedVideos(out);
    committedAtStart.push(before);
    const result = await build(out, async (child) => {
      if (k > 0) await until(() => committedVideos(out) > before || child.exitCode !== null);
      const delay = Math.floor(random() * (k === 0 ? referenceSeconds * 600 : 300));
      await sleep(delay);
      moments.push(`kill ${k + 1}: ${delay} ms after ${k === 0 ? "start" : "a new commit"}, ${committedVideos(out)} committed`);
      child.kill("SIGKILL");
    });
    if (result.code === 0) moments.push(`run ${k + 1} finished before its kill`);
    else assert.equal(result.signal, "SIGKILL", result.stderr);
    if (committedVideos(out) === videos.length) break;
  }
  const final = await build(out);
  assert.equal(final.code, 0, `${moments.join("; ")}\n${final.stderr}`);
  const resumed = /(\d+) already committed/.exec(final.stderr);
  assert.ok(resumed, final.stderr);
  assert.ok(committedAtStart.slice(1).some((n) => n > 0) || Number(resumed[1]) > 0, `resume was exercised (${moments.join("; ")})`);

  const [expected, actual] = await Promise.all([contentOf(reference), contentOf(out)]);
  assert.deepEqual(actual.summaries, expected.summaries, moments.join("; "));
  assert.deepEqual(actual.values, expected.values, moments.join("; "));
});

test("Ctrl-C (SIGINT): no new video starts, running ones finish and are committed, the lock is released; a rerun completes", async () => {
  const out = join(base, "interrupted");
  const result = await build(out, async (child) => {
    await until(() => committedVideos(out) > 0 || child.exitCode !== null);
    child.kill("SIGINT");
  });
  assert.equal(result.code, 130, result.stderr);
  assert.match(result.stderr, /build: interrupted: no new video starts; waiting for the \d+ running/);
  assert.match(result.stderr, /interrupted \(\d+ abandoned, \d+ not started\)/);
  const manifest = JSON.parse(readFileSync(join(out, MANIFEST_FILE), "utf8")) as Manifest;
  assert.equal(manifest.state, "building", "an interrupted build is not complete");
  assert.deepEqual(manifestInconsistencies(manifest), []);
  assert.ok(manifest.videos.length > 0 && manifest.videos.length < videos.length, `${manifest.videos.length} committed`);
  const ok = Number(/build: (\d+) ok/.exec(result.stderr)![1]);
  assert.equal(manifest.videos.length, ok, "every video that finished was committed (flushed at the interrupt)");
  assert.equal(existsSync(join(out, ".lrnet-data.lock")), false, "the lock is released");

  const rerun = await build(out);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.match(rerun.stderr, new RegExp(`${ok} already committed, ${videos.length - ok} to do`));
  const [expected, actual] = await Promise.all([contentOf(reference), contentOf(out)]);
  assert.deepEqual(actual.values, expected.values);
});
