/**
 * `npm run bench -- lrnet lrnet-batch`: lrnet-data against LRNet's own calibrator, side by side in the same run, on the same
 * clips, each program in a fresh process, timed from spawn to exit (start-up included), medians of BENCH_RUNS
 * (default 3), runs interleaved so that both see the same load. Only ratios of figures from this one run are
 * printed: absolute figures from different runs or machines are never set against each other.
 *
 * The anchor needs LRNet's calibrator/LC.py (github frederickszk/LRNet; not part of lrnet-data) at the path in
 * LRNET_CALIBRATOR and a python with OpenCV and numpy (LRNET_PYTHON, else the first of python3 and
 * /usr/bin/python3 that imports cv2; Debian: apt-get install python3-opencv python3-numpy). Without them the
 * anchor is skipped, saying why, and only lrnet-data's own figures are printed.
 *
 * Cases (../shared/fixtures/lrnet):
 * - `lrnet`: `calibrate --parity` on 000_003 (640×480, 396 frames) and 000_003_big (2048×1536, 150 frames, INTER_AREA
 *   crops) against LC.py on the same pair; each run's outputs are compared with each other byte for byte;
 * - `lrnet-batch`: a batch of 8 mixed clips (4 × 000_003, 4 × ff_real 1280×720 757 frames with ff_real_mp.csv): `lrnet-data
 *   build --openface` with the default pool against LC.py run as 2 parallel processes of 4 clips each.
 * Also printed: lrnet-data's time from process start to its first decoded frame (bench/startup-probe.ts).
 */
import { execFile, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { lrnetFixtures, repoRoot } from "../test/helpers/paths.js";
import { benchDir, median, table } from "./harness.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const run = promisify(execFile);
const CLI = join(repoRoot, "bin", "lrnet-data.js");
const PROBE = join(repoRoot, "dist", "bench", "startup-probe.js");
const ANCHOR = join(repoRoot, "bench", "lrnet-anchor.py");

interface Timed {
  seconds: number;
  /** ms from process start to the first decoded frame (lrnet-data only). */
  firstFrameMs: number | null;
}

/** Runs a command to completion and returns its wall time; throws with its stderr tail when it fails. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"], env });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const seconds = (performance.now() - started) / 1000;
      if (code === 0) resolve(seconds);
      else reject(new Error(`${command} ${args.slice(0, 3).join(" ")} … failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
    });
  });
}

async function ours(args: string[], probeOut: string): Promise<Timed> {
  rmSync(probeOut, { force: true });
  const seconds = await timed(process.execPath, ["--import", PROBE, CLI, ...args], { ...process.env, LRNET_BENCH_PROBE_OUT: probeOut });
  const { firstFrameMs } = JSON.parse(readFileSync(probeOut, "utf8")) as { firstFrameMs: number | null };
  return { seconds, firstFrameMs };
}

interface Anchor {
  python: string;
  calibrator: string;
}

/** LRNet's calibrator and a python that runs it, or why the anchor is skipped. */
async function findAnchor(): Promise<Anchor | string> {
  const calibrator = process.env.LRNET_CALIBRATOR;
  if (!calibrator) return "LRNET_CALIBRATOR is not set (the path of LRNet's calibrator/LC.py)";
  if (!existsSync(calibrator)) return `LRNET_CALIBRATOR=${calibrator} does not exist`;
  const candidates = process.env.LRNET_PYTHON ? [process.env.LRNET_PYTHON] : ["python3", "/usr/bin/python3"];
  for (const python of candidates) {
    try {
      await run(python, ["-c", "import cv2, numpy"]);
      return { python, calibrator };
    } catch {
      // try the next one
    }
  }
  return `no python with cv2 and numpy among ${candidates.join(", ")} (Debian: apt-get install python3-opencv python3-numpy, or set LRNET_PYTHON)`;
}

function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}`;
}

interface Clip {
  name: string;
  video: string;
  csv: string;
}

async function clipCase(clip: Clip, anchor: Anchor | null, dir: string): Promise<string[]> {
  const oursOut = join(dir, `${clip.name}.ours.txt`);
  const lrnetOut = join(dir, `${clip.name}.lrnet.txt`);
  const probe = join(dir, `${clip.name}.probe.json`);
  const mine: Timed[] = [];
  const theirs: number[] = [];
  let identical = true;
  for (let r = 0; r < RUNS; r++) {
    // Alternate who goes first, so that a load change during the run does not favour one side.
    const runOurs = async () => mine.push(await ours(["calibrate", "--parity", "--video", clip.video, "--openface", clip.csv, "--out", oursOut], probe));
    const runTheirs = async () => {
      if (anchor) theirs.push(await timed(anchor.python, [ANCHOR, anchor.calibrator, clip.video, clip.csv, lrnetOut]));
    };
    if (r % 2 === 0) {
      await runOurs();
      await runTheirs();
    } else {
      await runTheirs();
      await runOurs();
    }
    if (anchor) identical &&= readFileSync(oursOut).equals(readFileSync(lrnetOut));
  }
  const ourSeconds = median(mine.map((m) => m.seconds));
  const firstFrame = median(mine.map((m) => m.firstFrameMs ?? Number.NaN));
  const theirSeconds = anchor ? median(theirs) : Number.NaN;
  return [
    `calibrate --parity ${clip.name}`,
    ourSeconds.toFixed(2),
    anchor ? theirSeconds.toFixed(2) : "skipped",
    anchor ? ratio(ourSeconds, theirSeconds) : "-",
    `${firstFrame.toFixed(0)} ms`,
    anchor ? (identical ? "identical" : "DIFFERENT") : "-",
  ];
}

/** The 8 clips of the batch in bench/out/lrnet/batch (copies, so that the build sees 8 distinct videos). */
function prepareBatch(dir: string): { root: string; csvRoot: string; clips: Clip[] } {
  const root = join(dir, "batch", "videos");
  const csvRoot = join(dir, "batch", "openface");
  mkdirSync(join(root, "fake"), { recursive: true });
  mkdirSync(join(csvRoot, "fake"), { recursive: true });
  const clips: Clip[] = [];
  for (let i = 0; i < 4; i++) {
    for (const [clip, csv] of [["000_003", "000_003"], ["ff_real", "ff_real_mp"]] as const) {
      const name = `${clip}_${i}`;
      const video = join(root, "fake", `${name}.mp4`);
      const table = join(csvRoot, "fake", `${name}.csv`);
      if (!existsSync(video)) copyFileSync(join(lrnetFixtures!, `${clip}.mp4`), video);
      if (!existsSync(table)) copyFileSync(join(lrnetFixtures!, `${csv}.csv`), table);
      clips.push({ name, video, csv: table });
    }
  }
  return { root, csvRoot, clips };
}

async function batchCase(dir: string, anchor: Anchor | null): Promise<string[]> {
  const { root, csvRoot, clips } = prepareBatch(dir);
  const out = join(dir, "batch", "out");
  const txt = join(dir, "batch", "lrnet-out");
  mkdirSync(txt, { recursive: true });
  const mine: number[] = [];
  const theirs: number[] = [];
  // Two processes of 4 clips each, one 000_003 and one ff_real after another: the same work on each core.
  const halves = [clips.filter((_, i) => i % 4 < 2), clips.filter((_, i) => i % 4 >= 2)];
  const runOurs = async () => {
    rmSync(out, { recursive: true, force: true });
    mine.push(await timed(process.execPath, [CLI, "build", "--layout", "folder", "--root", root, "--openface", csvRoot, "-o", out, "--no-validate"]));
    rmSync(out, { recursive: true, force: true });
  };
  const runTheirs = async () => {
    if (!anchor) return;
    const started = performance.now();
    await Promise.all(
      halves.map((half) => timed(anchor.python, [ANCHOR, anchor.calibrator, ...half.flatMap((c) => [c.video, c.csv, join(txt, `${c.name}.txt`)])])),
    );
    theirs.push((performance.now() - started) / 1000);
  };
  for (let r = 0; r < RUNS; r++) {
    if (r % 2 === 0) {
      await runOurs();
      await runTheirs();
    } else {
      await runTheirs();
      await runOurs();
    }
  }
  const ourSeconds = median(mine);
  const theirSeconds = anchor ? median(theirs) : Number.NaN;
  return [
    "batch of 8 (4 × 000_003 + 4 × ff_real), build --openface, default pool vs LC.py × 2 processes",
    ourSeconds.toFixed(2),
    anchor ? theirSeconds.toFixed(2) : "skipped",
    anchor ? ratio(ourSeconds, theirSeconds) : "-",
    "-",
    "-",
  ];
}

export function benchVsLrnet(): Promise<void> {
  return compare("lrnet", async (anchor, dir) => {
    const f = (name: string) => join(lrnetFixtures!, name);
    return [
      await clipCase({ name: "000_003", video: f("000_003.mp4"), csv: f("000_003.csv") }, anchor, dir),
      await clipCase({ name: "000_003_big", video: f("000_003_big.mp4"), csv: f("000_003_big.csv") }, anchor, dir),
    ];
  });
}

export function benchVsLrnetBatch(): Promise<void> {
  return compare("lrnet-batch", async (anchor, dir) => [await batchCase(dir, anchor)]);
}

async function compare(name: string, cases: (anchor: Anchor | null, dir: string) => Promise<string[][]>): Promise<void> {
  if (!lrnetFixtures) {
    console.log(`${name}: ../shared/fixtures/lrnet absent, skipped (it needs LRNet's clips and CSVs)`);
    return;
  }
  const found = await findAnchor();
  const anchor = typeof found === "string" ? null : found;
  if (typeof found === "string") console.log(`\n${name}: LRNet's calibrator skipped: ${found}; lrnet-data's own times only`);
  const rows = await cases(anchor, benchDir("lrnet"));
  console.log(`\nlrnet-data vs LRNet's calibrator${anchor ? ` (${anchor.calibrator}, ${anchor.python})` : ""}: same run, wall seconds from spawn to exit, median of ${RUNS}`);
  console.log("ratio = lrnet-data / LRNet (target ≤ 0.5); first frame = lrnet-data, process start to its first decoded frame\n");
  console.log(table(["job", "lrnet-data s", "LRNet s", "ratio", "first frame", "outputs"], rows));
}
