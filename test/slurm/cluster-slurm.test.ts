/**
 * `npm run test:slurm`: the job files of `lrnet-data cluster slurm` run on a real Slurm (a private single-node
 * cluster started here, see local-slurm.ts), for an OpenFace and a MediaPipe dataset, two array tasks each:
 * - OpenFace: task 2 is requeued with `scontrol requeue` while it builds (Slurm kills it and runs it again); the
 *   merge job, waiting on the array (afterok), runs once the rerun finished;
 * - MediaPipe: task 1's build process is killed (SIGKILL) while it builds, so the task fails and the merge job
 *   can never start; the test then does what docs/build.md says: requeue the task, cancel the merge job, submit
 *   OUT/slurm/merge.sbatch again with --dependency=afterok on the requeued task.
 * Each rerun must resume (its log says videos were already committed), and each merged dataset must equal the
 * unsharded build of the same videos, video by video, read back with DuckDB.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { runBuild } from "../../src/batch/run-build.js";
import { MANIFEST_FILE, type Manifest } from "../../src/store/manifest.js";
import { resolveFfmpeg } from "../../src/video/ffmpeg.js";
import { ffppVideos, makeBuildTree, readBack, type BuildTree } from "../helpers/build-tree.js";
import { cli } from "../helpers/cli.js";
import { lrnetFixtures } from "../helpers/paths.js";
import { makeNoiseClip } from "../helpers/synthetic-video.js";
import { installSlurmIfMissing, slurmSkipReason, startLocalSlurm, type LocalSlurm } from "./local-slurm.js";

const execFileAsync = promisify(execFile);
const skip = slurmSkipReason();
const FACE_FRAMES = 32;

interface Scenario {
  name: string;
  tree: BuildTree;
  out: string;
  /** The array task to interrupt, and how. */
  task: number;
  how: "requeue" | "kill";
  /** Build options besides the tree (layout, paths). */
  extra: string[];
  reference: string;
}

function manifestOf(dir: string): Manifest | null {
  try {
    return JSON.parse(readFileSync(join(dir, MANIFEST_FILE), "utf8")) as Manifest;
  } catch {
    return null;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** FF++-shaped tree for MediaPipe: 32-frame cuts of the fixture clips (faces), one noise clip (no face: a failure). */
async function mediaPipeTree(base: string): Promise<BuildTree> {
  const { videos, splits } = ffppVideos(3, () => FACE_FRAMES);
  const root = join(base, "ffpp");
  const splitsDir = join(base, "splits");
  mkdirSync(splitsDir, { recursive: true });
  for (const [split, pairs] of Object.entries(splits)) writeFileSync(join(splitsDir, `${split}.json`), JSON.stringify(pairs));
  const ffmpeg = await resolveFfmpeg();
  for (const [i, video] of videos.entries()) {
    const path = join(root, video.path);
    mkdirSync(join(path, ".."), { recursive: true });
    const name = video.path.split("/").pop()!.replace(/\.mp4$/, "");
    if (lrnetFixtures === null || i === 1) {
      await makeNoiseClip({ width: 160, height: 120, frames: 8, fps: 25, codec: "h264", dir: join(path, ".."), name });
      continue;
    }
    const source = join(lrnetFixtures, video.id.startsWith("youtube/") ? "ff_real.mp4" : "ff_fake.mp4");
    await execFileAsync(ffmpeg.path, [
      "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-ss", String((i * 45) / 30), "-i", source, "-map", "0:v:0",
      "-frames:v", String(FACE_FRAMES), "-vf", "scale=640:360", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "16", "-pix_fmt", "yuv420p", path,
    ]);
  }
  return { root, splits: splitsDir, openface: "", videos };
}

/** The pid of the build process of array task `task` of `arrayJob`, found by its Slurm variables. */
function buildPid(arrayJob: string, task: number): number | null {
  const wanted = [`SLURM_ARRAY_JOB_ID=${arrayJob}\0`, `SLURM_ARRAY_TASK_ID=${task}\0`].map((s) => Buffer.from(s));
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
      if (!cmdline.some((w) => w.endsWith("lrnet-data.js")) || !cmdline.includes("build")) continue;
      const environ = readFileSync(`/proc/${name}/environ`);
      if (wanted.every((w) => environ.includes(w))) return Number(name);
    } catch {
      // gone
    }
  }
  return null;
}

test("a sharded build on a real Slurm (array jobs, a requeued and a killed task, merge after the array) equals the unsharded build", { skip: skip ?? false, timeout: 600_000 }, async (t) => {
  const timings: [string, number][] = [];
  const timed = async <T>(label: string, step: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const value = await step();
    timings.push([label, (performance.now() - started) / 1000]);
    return value;
  };
  const started = performance.now();
  await timed("install slurm-wlm and munge (when missing)", () => installSlurmIfMissing((line) => t.diagnostic(line)));
  if (lrnetFixtures === null) t.diagnostic("../shared/fixtures/lrnet is absent: the MediaPipe dataset is made of generated clips without faces (every video a recorded failure)");

  const base = mkdtempSync(join(tmpdir(), "lrnet-test-slurm-"));
  let cluster: LocalSlurm | null = null;
  try {
    const scenarios = await timed("make the datasets and their unsharded builds", async () => {
      const of = ffppVideos(4, (i) => 36 + (i % 4));
      const openfaceTree = await makeBuildTree(of.videos, of.splits, join(base, "openface-data"));
      const mpTree = await mediaPipeTree(join(base, "mediapipe-data"));
      const list: Scenario[] = [
        { name: "openface", tree: openfaceTree, out: join(base, "openface-out"), task: 2, how: "requeue", extra: ["--openface", openfaceTree.openface], reference: join(base, "openface-whole") },
        { name: "mediapipe", tree: mpTree, out: join(base, "mediapipe-out"), task: 1, how: "kill", extra: [], reference: join(base, "mediapipe-whole") },
      ];
      for (const s of list) {
        await runBuild({ layout: "ffpp", root: s.tree.root, splitsDir: s.tree.splits, out: s.reference, workers: 2, ...(s.extra.length > 0 ? { openfaceDir: s.tree.openface } : {}) });
      }
      return list;
    });
    cluster = await timed("start munged, slurmctld and slurmd", () => startLocalSlurm());
    const slurm = cluster;

    await timed("submit, interrupt one task each, requeue, wait for the merges", async () => {
      await Promise.all(scenarios.map(async (s) => {
        const generated = await cli(
          "cluster", "slurm", "--shards", "2", "--workers", "1", "--layout", "ffpp", "--root", s.tree.root, "--splits", s.tree.splits,
          ...s.extra, "--rows-per-part", "1", "-o", s.out,
        );
        assert.equal(generated.code, 0, generated.stderr);
        const script = join(base, `${s.name}-submit.sh`);
        writeFileSync(script, generated.stdout);
        const submitted = (await execFileAsync("bash", [script], { cwd: base, env: slurm.env })).stdout;
        const ids = /submitted build array job (\d+) \(2 tasks\) and merge job (\d+)/.exec(submitted);
        assert.ok(ids, submitted);
        const [arrayJob, firstMerge] = [ids[1]!, ids[2]!];
        const shardDir = join(s.out, `shard-${s.task}-of-2`);
        const deadline = Date.now() + 240_000;
        const waitFor = async (what: string, probe: () => Promise<boolean> | boolean, intervalMs = 100): Promise<void> => {
          while (!(await probe())) {
            if (Date.now() > deadline) throw new Error(`${s.name}: timed out waiting for ${what}\n${slurm.logs()}\n${logsOf(s.out)}`);
            await sleep(intervalMs);
          }
        };

        // Midway: once the task has committed a video (or a failure) and is still building.
        await waitFor(`task ${s.task} to commit its first video`, () => {
          const m = manifestOf(shardDir);
          if (m?.state === "complete") throw new Error(`${s.name}: task ${s.task} finished before it could be interrupted midway`);
          return m !== null && m.videos.length + m.failures.length > 0;
        }, 50);
        const task = `${arrayJob}_${s.task}`;
        let merge = firstMerge;
        if (s.how === "kill") {
          const pid = buildPid(arrayJob, s.task);
          assert.ok(pid !== null, `${s.name}: the build process of task ${task}`);
          process.kill(pid, "SIGKILL");
          await waitFor(`task ${task} to fail`, async () => (await slurm.job(task))["JobState"] === "FAILED");
          await waitFor(`merge job ${merge} to wait forever`, async () => (await slurm.job(merge))["Reason"] === "DependencyNeverSatisfied");
        }
        const requeuedAt = Date.now();
        await slurm.command("scontrol", ["requeue", task]);
        // A requeued job waits about two minutes before it may start again (BeginTime); not in a test. But not at
        // once either: slurmd revoked the first run's credential at the requeue and refuses a launch whose new
        // credential bears the same second ("Job credential revoked": the task fails, the merge never runs).
        await waitFor(`task ${task} to be pending again`, async () => (await slurm.job(task))["JobState"] === "PENDING");
        await sleep(Math.max(0, requeuedAt + 2_000 - Date.now()));
        await slurm.command("scontrol", ["update", `JobId=${task}`, "StartTime=now"]);
        if (s.how === "kill") {
          await slurm.command("scancel", [merge]);
          // Slurm keeps the array's failed exit code, so afterok on the whole array would never hold again: the
          // new merge job waits for the requeued task itself (the other one had already succeeded).
          merge = (await slurm.command("sbatch", ["--parsable", `--dependency=afterok:${task}`, join(s.out, "slurm", "merge.sbatch")])).trim().split(";")[0]!;
        }
        await waitFor(`merge job ${merge} to complete`, async () => {
          const state = (await slurm.job(merge))["JobState"];
          if (state === "FAILED" || state === "CANCELLED") throw new Error(`${s.name}: merge job ${merge} ${state}\n${logsOf(s.out)}`);
          return state === "COMPLETED";
        }, 250);
        const taskLog = readFileSync(join(s.out, "logs", `build-${arrayJob}_${s.task}.log`), "utf8");
        const runs = [...taskLog.matchAll(/^build: (\d+) videos, shard (\d)\/2 \(\d+ of \d+ videos\): (\d+) already committed/gm)];
        assert.equal(runs.length, 2, `${s.name}: task ${s.task} ran twice (--open-mode=append keeps both runs):\n${taskLog}`);
        assert.equal(runs[0]![3], "0");
        assert.ok(Number(runs[1]![3]) >= 1, `${s.name}: the rerun resumed: ${runs[1]![0]}`);
        if (s.how === "requeue") assert.match(taskLog, /CANCELLED AT \S+ DUE TO JOB REQUEUE/);
        t.diagnostic(`${s.name}: task ${s.task} ${s.how === "requeue" ? "requeued" : "killed (SIGKILL) and requeued"} midway; its rerun found ${runs[1]![3]} of ${runs[1]![1]} videos already committed`);
      }));
    });

    await timed("compare with the unsharded builds (DuckDB)", async () => {
      for (const s of scenarios) {
        const merged = manifestOf(join(s.out, "merged"));
        const reference = manifestOf(s.reference);
        assert.ok(merged && reference, `${s.name}: both manifests`);
        assert.equal(merged.configuration_fingerprint, reference.configuration_fingerprint);
        const summaries = (m: Manifest) => m.videos.map(({ data, ...rest }) => rest).sort((a, b) => (a.id < b.id ? -1 : 1));
        assert.deepEqual(summaries(merged), summaries(reference), `${s.name}: video summaries`);
        const failures = (m: Manifest) => m.failures.map((f) => [f.id, f.error]).sort();
        assert.deepEqual(failures(merged), failures(reference), `${s.name}: failures`);
        assert.equal(merged.videos.length + merged.failures.length, s.tree.videos.length);
        if (reference.videos.length > 0) assert.deepEqual(await readBack(join(s.out, "merged")), await readBack(s.reference), `${s.name}: video by video`);
        t.diagnostic(`${s.name}: merged ${merged.videos.length} videos and ${merged.failures.length} failures, equal to the unsharded build`);
      }
    });
  } finally {
    if (cluster) await timed("stop the daemons and clean up", () => cluster!.stop());
    rmSync(base, { recursive: true, force: true });
    timings.push(["total", (performance.now() - started) / 1000]);
    for (const [label, seconds] of timings) t.diagnostic(`time: ${label}: ${seconds.toFixed(1)} s`);
  }
});

function logsOf(out: string): string {
  const dir = join(out, "logs");
  if (!existsSync(dir)) return "(no logs)";
  return readdirSync(dir)
    .map((f) => `== ${f}\n${readFileSync(join(dir, f), "utf8").trimEnd().split("\n").slice(-12).join("\n")}`)
    .join("\n");
}
