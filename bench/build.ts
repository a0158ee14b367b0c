/**
 * `npm run bench -- build`: throughput of `lrnet-data build` with 1, 2 and 3 workers on the same batch.
 *
 * Batch: with ../shared/fixtures/lrnet, six 120-frame 1280×720 pieces of ff_real and ff_fake through MediaPipe
 * (the default source); without it, eight generated 320×240 150-frame clips through the OpenFace path.
 *
 * Each build runs in a fresh process (`node dist/bench/build.js --measure OPTIONS`), which reports:
 * - wall seconds of runBuild (pool start, every video, commits);
 * - CPU seconds of the process (all threads: main and workers) from process.resourceUsage(), and CPU seconds of
 *   its child processes (the ffmpeg probes and decoders) from /proc/self/stat's cutime + cstime, which count every
 *   child the process has waited for; both as differences over runBuild;
 * - peak RSS of the process (maxRSS: threads share one address space, so this is main thread and workers
 *   together) and, per worker thread, the peak of its isolate's V8 heap + external memory (ArrayBuffers and
 *   wasm memories: the landmarker and OpenCV runtimes), which is what each worker adds.
 * "Busy" is (process + children CPU) / wall / cores. "Run-queue wait" is the time the process's threads were ready
 * but had no CPU (/proc/self/task/TID/schedstat): on a machine shared with other work, it shows how much of a
 * shortfall in "busy" is the other work rather than the build. Timings are medians of BENCH_RUNS runs (default 1 here:
 * a run takes about a minute on two cores).
 */
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { runBuild, type BuildOptions } from "../src/batch/run-build.js";
import { resolveFfmpeg } from "../src/video/ffmpeg.js";
import { makeOpenFaceCsv } from "../test/helpers/openface-csv.js";
import { squareShape } from "../test/helpers/synthetic-shape.js";
import { makeMovingTextureClip } from "../test/helpers/synthetic-video.js";
import { lrnetFixtures } from "../test/helpers/paths.js";
import { benchDir, childCpuSeconds, median, table } from "./harness.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const WORKER_COUNTS = [1, 2, 3];
const run = promisify(execFile);

interface BuildMeasurement {
  workers: number;
  videos: number;
  failed: number;
  frames: number;
  wallSeconds: number;
  cpuSeconds: number;
  childCpuSeconds: number;
  maxRssMB: number;
  /** Per worker thread: peak V8 heap + external, MB. */
  workerMB: number[];
  /** Time this process's threads were ready to run but waited for a CPU (other load on the machine), seconds. */
  runQueueWaitSeconds: number;
}

interface Batch {
  name: string;
  options: Omit<BuildOptions, "out" | "workers">;
}

/**
 * Issue 6's calibration batch: 8 clips, mixed 480p/720p (000_003 with its OpenFace CSV and ff_real with
 * ff_real_mp.csv, four of each), through the OpenFace path. The comparison with LRNet's calibrator on the
 * same batch, in the same run, is `npm run bench -- lrnet`.
 */
async function prepareCalibrateBatch(): Promise<Batch> {
  if (!lrnetFixtures) throw new Error("the calibrate batch needs ../shared/fixtures/lrnet");
  const dir = benchDir("calibrate-batch");
  const root = join(dir, "videos", "fake");
  const csvDir = join(dir, "openface", "fake");
  mkdirSync(root, { recursive: true });
  mkdirSync(csvDir, { recursive: true });
  for (let i = 0; i < 4; i++) {
    for (const [clip, csv] of [["000_003", "000_003"], ["ff_real", "ff_real_mp"]] as const) {
      const video = join(root, `${clip}_${i}.mp4`);
      if (!existsSync(video)) copyFileSync(join(lrnetFixtures, `${clip}.mp4`), video);
      const table = join(csvDir, `${clip}_${i}.csv`);
      if (!existsSync(table)) copyFileSync(join(lrnetFixtures, `${csv}.csv`), table);
    }
  }
  return {
    name: "OpenFace path, 8 clips: 4 × 000_003 (640×480, 396 f) + 4 × ff_real (1280×720, 757 f)",
    options: { layout: "folder", root: join(dir, "videos"), openfaceDir: join(dir, "openface") },
  };
}

async function prepareBatch(): Promise<Batch> {
  const dir = benchDir("build");
  const root = join(dir, lrnetFixtures ? "fixtures" : "generated");
  if (lrnetFixtures) {
    const ffmpeg = await resolveFfmpeg();
    for (const [label, clip] of [["real", "ff_real"], ["fake", "ff_fake"]] as const) {
      mkdirSync(join(root, label), { recursive: true });
      for (let piece = 0; piece < 3; piece++) {
        const target = join(root, label, `${clip}_${piece}.mp4`);
        if (existsSync(target)) continue;
        await run(ffmpeg.path, [
          "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", join(lrnetFixtures, `${clip}.mp4`),
          "-vf", `select=between(n\\,${piece * 120}\\,${piece * 120 + 119}),setpts=N/30/TB`, "-frames:v", "120",
          "-c:v", "libx264", "-preset", "ultrafast", "-crf", "16", "-pix_fmt", "yuv420p", target,
        ]);
      }
    }
    return { name: "MediaPipe, 6 × 120 frames 1280×720 (pieces of ff_real / ff_fake)", options: { layout: "folder", root } };
  }
  const csvDir = join(dir, "generated-csv");
  for (let i = 0; i < 8; i++) {
    const label = i % 2 === 0 ? "real" : "fake";
    mkdirSync(join(root, label), { recursive: true });
    mkdirSync(join(csvDir, label), { recursive: true });
    const name = `clip${i}`;
    if (!existsSync(join(root, label, `${name}.mp4`))) {
      await makeMovingTextureClip({ width: 320, height: 240, frames: 150, fps: 25, offsets: (f) => [f % 40, 0], codec: "h264", seed: i + 1, dir: join(root, label), name });
    }
    const rows = Array.from({ length: 150 }, (_, f) => ({ frame: f + 1, shape: squareShape(140 + (f % 40), 120, 110) }));
    writeFileSync(join(csvDir, label, `${name}.csv`), makeOpenFaceCsv(rows));
  }
  return { name: "OpenFace CSVs, 8 generated 320×240 clips × 150 frames", options: { layout: "folder", root, openfaceDir: csvDir } };
}

function ownCpuSeconds(): number {
  const usage = process.resourceUsage();
  return (usage.userCPUTime + usage.systemCPUTime) / 1e6;
}

/**
 * Sums, over this process's threads, the time they were runnable but not running (the second field of
 * /proc/self/task/TID/schedstat, in ns), sampling often enough to catch worker threads before they exit.
 */
class RunQueueWait {
  private readonly last = new Map<string, number>();
  private readonly first = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  start(intervalMs = 200): void {
    this.sample();
    for (const [tid, wait] of this.last) this.first.set(tid, wait);
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    let total = 0;
    for (const [tid, wait] of this.last) total += wait - (this.first.get(tid) ?? 0);
    return total / 1e9;
  }

  private sample(): void {
    let tids: string[] = [];
    try {
      tids = readdirSync("/proc/self/task");
    } catch {
      return;
    }
    for (const tid of tids) {
      try {
        const wait = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ")[1]);
        if (Number.isFinite(wait)) this.last.set(tid, wait);
      } catch {
        // the thread exited between readdir and read
      }
    }
  }
}

/** Child side: one build, measured. */
async function measureOne(options: BuildOptions): Promise<void> {
  const cpu0 = ownCpuSeconds();
  const child0 = childCpuSeconds();
  const waits = new RunQueueWait();
  waits.start();
  const started = performance.now();
  const summary = await runBuild(options);
  const wallSeconds = (performance.now() - started) / 1000;
  const runQueueWaitSeconds = waits.stop();
  const result: BuildMeasurement = {
    workers: options.workers ?? 0,
    videos: summary.ok,
    failed: summary.failures.length,
    frames: summary.frames,
    wallSeconds,
    cpuSeconds: ownCpuSeconds() - cpu0,
    childCpuSeconds: childCpuSeconds() - child0,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    workerMB: [...summary.workerMemory.values()].map((m) => (m.heapTotal + m.external) / 2 ** 20),
    runQueueWaitSeconds,
  };
  process.stderr.write(`${JSON.stringify(result)}\n`);
}

export async function benchBuild(): Promise<void> {
  await benchBatch(await prepareBatch(), WORKER_COUNTS);
}

export async function benchCalibrateBatch(): Promise<void> {
  if (!lrnetFixtures) {
    console.log("calibrate-batch: ../shared/fixtures/lrnet absent, skipped");
    return;
  }
  await benchBatch(await prepareCalibrateBatch(), [availableParallelism()]);
}

async function benchBatch(batch: Batch, workerCounts: number[]): Promise<void> {
  if (process.platform !== "linux") {
    console.log("build bench: needs /proc for the decoders' CPU time; skipped");
    return;
  }
  const cores = availableParallelism();
  const script = fileURLToPath(import.meta.url);
  const rows: string[][] = [];
  for (const workers of workerCounts) {
    const runs: BuildMeasurement[] = [];
    for (let r = 0; r < RUNS; r++) {
      const out = join(benchDir("build"), `out-${workers}`);
      rmSync(out, { recursive: true, force: true });
      const options: BuildOptions = { ...batch.options, out, workers };
      const { stderr } = await run(process.execPath, [script, "--measure", JSON.stringify(options)], { maxBuffer: 16 << 20 });
      runs.push(JSON.parse(stderr.trimEnd().split("\n").pop()!) as BuildMeasurement);
      rmSync(out, { recursive: true, force: true });
    }
    const wall = median(runs.map((m) => m.wallSeconds));
    const m = runs.find((x) => x.wallSeconds === wall) ?? runs[0]!;
    const busy = (m.cpuSeconds + m.childCpuSeconds) / m.wallSeconds / cores;
    rows.push([
      String(workers) + (workers === cores ? " (default)" : ""),
      `${m.videos}${m.failed ? ` (+${m.failed} failed)` : ""}`,
      String(m.frames),
      m.wallSeconds.toFixed(1),
      ((m.videos / m.wallSeconds) * 60).toFixed(1),
      (m.frames / m.wallSeconds).toFixed(1),
      m.cpuSeconds.toFixed(1),
      m.childCpuSeconds.toFixed(1),
      ((m.cpuSeconds + m.childCpuSeconds) / m.wallSeconds).toFixed(2),
      `${(busy * 100).toFixed(0)} %`,
      m.runQueueWaitSeconds.toFixed(1),
      m.maxRssMB.toFixed(0),
      m.workerMB.map((v) => v.toFixed(0)).join(" / "),
    ]);
  }
  console.log(`\nbuild: ${batch.name}; ${cores} cores; median of ${RUNS} run(s)\n`);
  console.log(
    table(
      ["workers", "videos", "frames", "wall s", "videos/min", "fps", "CPU s node", "CPU s ffmpeg", "CPU/wall", "busy", "run-queue wait s", "peak RSS MB (process)", "per worker MB (heap+external)"],
      rows,
    ),
  );
}

if (process.argv[2] === "--measure") {
  await measureOne(JSON.parse(process.argv[3]!) as BuildOptions);
}
