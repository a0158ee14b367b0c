/**
 * What 720p extraction costs, measured as ratios in one run (needs ../shared):
 *
 *   npm run bench -- extract-cpu
 *     CPU per frame of `lrnet-data build` with the default pool over four 720p clips (ff_real and ff_fake as
 *     given, yuv444p, and re-encoded as FaceForensics++ ships them, H.264 yuv420p CRF 23), against the two parts
 *     no extraction can avoid: H.264 decoding alone (`ffmpeg -f null`) and detection alone (the landmarker on
 *     every whole frame, CPU inside its calls). Issue 15's target: build ≤ 1.3 × (decoding + detection).
 *     Both anchors are timed twice. As the pool runs: in as many processes at once as the pool has workers (the
 *     clips shared out between them), decoding with one thread as the pipeline does (-threads 1, the cheapest
 *     way to decode). And each on its own: one process, ffmpeg's default threads. On a 2-core machine whose
 *     cores share caches (or are hyperthreads), the same work costs more CPU time when both run at once, so only
 *     the first is like with like; the second is printed too, and is the stricter where it is smaller.
 *     Then the floor, in the same run: what no build of these clips can skip, each part alone (ffmpeg's frames
 *     delivered into node through a pipe, detection, LRNet's calibration), its ratio to the anchors above, and
 *     the build's ratio to it (what the pipeline's own glue costs).
 *
 *   BENCH_BASELINE=/path/to/an/older/checkout npm run bench -- extract-baseline
 *     `lrnet-data extract` of ff_real (720p, a full-size face) here and in the other checkout (its dist/ built),
 *     interleaved: wall and CPU, and their ratios (issue 12: "no slower than today"), and whether both wrote the
 *     same bytes. BENCH_ARGS adds options on this checkout's side only (e.g. "--box lrnet", which an older
 *     checkout writes without being told).
 *
 * CPU is user + system of the whole process tree (workers, ffmpeg), from /proc/self/stat's cutime + cstime.
 * Medians of BENCH_RUNS runs (default 3); every figure of one table comes from the same run.
 */
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { StreamingCalibrator } from "../src/calibrate/calibrator.js";
import { stableFaceSize } from "../src/calibrate/face-box.js";
import { facesPerImage } from "../src/extract/settings.js";
import { readDataFile } from "../src/export/export-dataset.js";
import { SHAPE_VALUES, type Shape } from "../src/shape/shape.js";
import type { Manifest } from "../src/store/manifest.js";
import { createFaceLandmarker } from "../src/mediapipe-runtime/landmarker.js";
import { resolveModel } from "../src/model-bundle/resolve-model.js";
import { resolveFfmpeg } from "../src/video/ffmpeg.js";
import { decodeFrames } from "../src/video/decode.js";
import { probeVideo } from "../src/video/probe.js";
import { lrnetFixtures, repoRoot } from "../test/helpers/paths.js";
import { benchDir, childCpuSeconds, median, table } from "./harness.js";

const run = promisify(execFile);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface Timed {
  wallSeconds: number;
  cpuSeconds: number;
}

/** Runs a program to its end; wall seconds and the CPU seconds of its whole process tree. */
async function timed(program: string, args: string[]): Promise<Timed> {
  const cpu0 = childCpuSeconds();
  const t0 = performance.now();
  await run(program, args, { maxBuffer: 64 << 20 });
  return { wallSeconds: (performance.now() - t0) / 1000, cpuSeconds: childCpuSeconds() - cpu0 };
}

/** ff_real and ff_fake as given, and as FaceForensics++ encodes its videos (H.264 yuv420p, CRF 23). */
async function clips720p(): Promise<{ root: string; paths: string[] }> {
  const root = join(benchDir("extract-cost"), "clips");
  mkdirSync(root, { recursive: true });
  const ffmpeg = await resolveFfmpeg();
  const paths: string[] = [];
  for (const [name, label] of [["ff_real", "real"], ["ff_fake", "fake"]] as const) {
    // The folder layout takes each video's label from its first folder.
    mkdirSync(join(root, label), { recursive: true });
    const given = join(root, label, `${name}.mp4`);
    if (!existsSync(given)) copyFileSync(join(lrnetFixtures!, `${name}.mp4`), given);
    const yuv420 = join(root, label, `${name}_c23.mp4`);
    if (!existsSync(yuv420)) {
      await run(ffmpeg.path, ["-loglevel", "error", "-i", given, "-c:v", "libx264", "-crf", "23", "-preset", "veryfast", "-pix_fmt", "yuv420p", yuv420]);
    }
    paths.push(given, yuv420);
  }
  return { root, paths };
}

/** `node dist/bench/extract-cost.js --detect-alone CLIP…`: prints {frames, cpuSeconds} of the landmarker's calls. */
async function detectAlone(paths: string[]): Promise<void> {
  const landmarker = await createFaceLandmarker({ modelPath: (await resolveModel()).path, mode: "image", numFaces: facesPerImage("image") });
  let cpu = 0;
  let frames = 0;
  for (const path of paths) {
    const info = await probeVideo(path);
    // Plain decodeFrames: ffmpeg waits on a full pipe while a frame is detected, so it runs between the calls.
    for await (const frame of decodeFrames(path, { format: "rgba", info })) {
      const before = process.cpuUsage();
      landmarker.detect(frame.data, frame.width, frame.height);
      const used = process.cpuUsage(before);
      cpu += (used.user + used.system) / 1e6;
      frames++;
    }
  }
  landmarker.close();
  process.stdout.write(`${JSON.stringify({ frames, cpuSeconds: cpu })}\n`);
}

/**
 * `node dist/bench/extract-cost.js --delivered CLIP…`: the frames as the build's detection pass receives them
 * (ffmpeg's planar YUV through a pipe into node, read into frame buffers) and nothing done with them. Prints
 * {frames, cpuSeconds, format}: this process's CPU while reading, plus its ffmpeg's (probing excluded).
 */
async function deliveredAlone(paths: string[]): Promise<void> {
  let cpu = 0;
  let frames = 0;
  let format = "";
  for (const path of paths) {
    const info = await probeVideo(path);
    const self0 = process.cpuUsage();
    const children0 = childCpuSeconds();
    // As the build's detection pass asks for them: one decoder thread, each frame's pts (-debug_ts).
    for await (const frame of decodeFrames(path, { format: "rgba", info, planar: true, timestamps: true, threads: 1 })) {
      format ||= frame.format;
      frames++;
    }
    const self = process.cpuUsage(self0);
    cpu += (self.user + self.system) / 1e6 + childCpuSeconds() - children0;
  }
  process.stdout.write(`${JSON.stringify({ frames, cpuSeconds: cpu, format })}\n`);
}

/** Each video's raw 68-point shapes (frame pixels; null where nothing was detected), by frame, from a built dataset. */
async function rawShapesOf(dataset: string, manifest: Manifest): Promise<Map<string, (Shape | null)[]>> {
  const shapes = new Map<string, (Shape | null)[]>();
  for (const [index, file] of manifest.data_files.entries()) {
    const { rows, videoId, frame, raw } = await readDataFile(dataset, file, ["video_id", "frame", "raw"], index);
    for (let row = 0; row < rows; row++) {
      const id = videoId!.values[videoId!.codes[row]!]!;
      const list = shapes.get(id) ?? [];
      list[frame![row]!] = raw!.present[row] ? Float64Array.from(raw!.values.subarray(row * SHAPE_VALUES, (row + 1) * SHAPE_VALUES)) : null;
      shapes.set(id, list);
    }
  }
  return shapes;
}

/**
 * `node dist/bench/extract-cost.js --calibrate-alone DATASET CLIP…`: LRNet's calibration (crop, LK both ways,
 * Kalman) of each clip with the raw shapes the build of the same run found, on BGR24 frames ffmpeg converts.
 * Prints {frames, cpuSeconds} of the calibrator's calls only.
 */
async function calibrateAlone(dataset: string, paths: string[]): Promise<void> {
  const manifest = JSON.parse(readFileSync(join(dataset, "manifest.json"), "utf8")) as Manifest;
  const shapes = await rawShapesOf(dataset, manifest);
  let cpu = 0;
  let frames = 0;
  for (const path of paths) {
    const video = manifest.videos.find((v) => path.endsWith(`/${v.source.path}`));
    const perFrame = video === undefined ? undefined : shapes.get(video.id);
    if (perFrame === undefined) throw new Error(`${path}: not in the dataset ${dataset}`);
    const present = perFrame.filter((s): s is Shape => s !== null && s !== undefined);
    const info = await probeVideo(path);
    const calibrator = new StreamingCalibrator({ frameWidth: info.width, frameHeight: info.height, stableSize: stableFaceSize(present) });
    for await (const frame of decodeFrames(path, { format: "bgr24", info })) {
      const shape = perFrame[frame.index];
      if (!shape) continue;
      const before = process.cpuUsage();
      calibrator.push(frame.data, shape);
      const used = process.cpuUsage(before);
      cpu += (used.user + used.system) / 1e6;
      frames++;
    }
    calibrator.close();
  }
  process.stdout.write(`${JSON.stringify({ frames, cpuSeconds: cpu })}\n`);
}

/** Runs this file with `mode` once per group of clips, all at once; the sum of their CPU seconds, and the first's output. */
async function aloneIn(mode: string, groups: string[][], before: string[] = []): Promise<{ cpuSeconds: number; first: Record<string, unknown> }> {
  const outputs = await Promise.all(groups.map((group) => run(process.execPath, [fileURLToPath(import.meta.url), mode, ...before, ...group], { maxBuffer: 1 << 20 })));
  const parsed = outputs.map(({ stdout }) => JSON.parse(stdout) as { cpuSeconds: number } & Record<string, unknown>);
  return { cpuSeconds: parsed.reduce((sum, p) => sum + p.cpuSeconds, 0), first: parsed[0]! };
}

/** CPU seconds of detection alone over `groups` of clips, one process per group, all at once. */
async function detectAloneIn(groups: string[][]): Promise<number> {
  return (await aloneIn("--detect-alone", groups)).cpuSeconds;
}

export async function benchExtractCpu(): Promise<void> {
  if (!lrnetFixtures) {
    console.log("extract-cpu: ../shared/fixtures/lrnet absent, skipped (it needs 720p clips with faces)");
    return;
  }
  const { root, paths } = await clips720p();
  const ffmpeg = await resolveFfmpeg();
  const cli = join(repoRoot, "bin", "lrnet-data.js");
  const out = join(benchDir("extract-cost"), "build");
  const frames = (await Promise.all(paths.map(probeVideo))).reduce((n, info) => n + info.frameCount, 0);
  const workers = availableParallelism();
  const decode: number[] = [];
  const decodeSerial: number[] = [];
  const detect: number[] = [];
  const detectSerial: number[] = [];
  const delivered: number[] = [];
  const calibrate: number[] = [];
  const build: number[] = [];
  const buildWall: number[] = [];
  let deliveredFormat = "";
  const groups = paths.map((_, i) => paths.filter((__, j) => j % workers === i)).filter((g) => g.length > 0);
  const decodeArgs = (path: string, threads: string[]) => ["-nostdin", "-loglevel", "error", ...threads, "-i", path, "-map", "0:V:0", "-vsync", "passthrough", "-f", "null", "-"];
  for (let r = 0; r < RUNS; r++) {
    let h264 = 0;
    for (const path of paths) h264 += (await timed(ffmpeg.path, decodeArgs(path, []))).cpuSeconds;
    decodeSerial.push(h264);
    const cpu0 = childCpuSeconds();
    await Promise.all(groups.map(async (group) => {
      for (const path of group) await run(ffmpeg.path, decodeArgs(path, ["-threads", "1"]));
    }));
    decode.push(childCpuSeconds() - cpu0);
    const reading = await aloneIn("--delivered", groups);
    delivered.push(reading.cpuSeconds);
    deliveredFormat = String(reading.first["format"]);
    detectSerial.push(await detectAloneIn([paths]));
    detect.push(await detectAloneIn(groups));
    rmSync(out, { recursive: true, force: true });
    const b = await timed(process.execPath, [cli, "build", "--layout", "folder", "--root", root, "-o", out]);
    build.push(b.cpuSeconds);
    buildWall.push(b.wallSeconds);
    calibrate.push((await aloneIn("--calibrate-alone", groups, [out])).cpuSeconds);
    const ratio = b.cpuSeconds / (decode[r]! + detect[r]!);
    const floor = delivered[r]! + detect[r]! + calibrate[r]!;
    console.error(
      `run ${r + 1}: decode ${decode[r]!.toFixed(1)} s (${workers} at once, one thread each; ${h264.toFixed(1)} s one at a time, default threads), ` +
        `detect ${detect[r]!.toFixed(1)} s (${workers} at once; ${detectSerial[r]!.toFixed(1)} s in one process), ` +
        `build ${b.cpuSeconds.toFixed(1)} s CPU (${b.wallSeconds.toFixed(1)} s wall): ratio ${ratio.toFixed(2)}; ` +
        `decoding delivered to node ${delivered[r]!.toFixed(1)} s, calibration ${calibrate[r]!.toFixed(1)} s: floor ${floor.toFixed(1)} s, ` +
        `${(floor / (decode[r]! + detect[r]!)).toFixed(2)} × the anchors, build ÷ floor ${(b.cpuSeconds / floor).toFixed(2)}`,
    );
  }
  const perFrame = (s: number) => ((1000 * s) / frames).toFixed(2);
  const ratios = build.map((b, i) => b / (decode[i]! + detect[i]!));
  const serialRatios = build.map((b, i) => b / (decodeSerial[i]! + detectSerial[i]!));
  console.log(`\n720p extraction, ${paths.length} clips, ${frames} frames; CPU ms per frame, median of ${RUNS} runs (ratio: median of the per-run ratios)`);
  console.log(
    table(
      ["anchors timed", "H.264 decoding alone", "detection alone", "sum", "build, default pool", "build wall fps", "build ÷ sum"],
      [
        [`${workers} processes at once (as the pool), decoding with -threads 1`, perFrame(median(decode)), perFrame(median(detect)), perFrame(median(decode.map((d, i) => d + detect[i]!))), perFrame(median(build)), (frames / median(buildWall)).toFixed(1), median(ratios).toFixed(2)],
        ["one process, ffmpeg's default threads", perFrame(median(decodeSerial)), perFrame(median(detectSerial)), perFrame(median(decodeSerial.map((d, i) => d + detectSerial[i]!))), perFrame(median(build)), (frames / median(buildWall)).toFixed(1), median(serialRatios).toFixed(2)],
      ],
    ),
  );
  const floors = delivered.map((d, i) => d + detect[i]! + calibrate[i]!);
  console.log(
    `\nThe floor: the work every build of these clips does, each part alone, ${workers} processes at once. Decoding delivered to node: ` +
      `ffmpeg's frames (${deliveredFormat} for the first clip) through a pipe into frame buffers, nothing done with them; calibration: LRNet's ` +
      `(crop, LK both ways, Kalman) with the shapes this run's build found, CPU inside the calibrator's calls. CPU ms per frame, medians.`,
  );
  console.log(
    table(
      ["decoding delivered to node", "detection alone", "calibration alone", "floor (sum)", "floor ÷ (decoding + detection)", "build ÷ floor"],
      [[
        perFrame(median(delivered)), perFrame(median(detect)), perFrame(median(calibrate)), perFrame(median(floors)),
        median(floors.map((f, i) => f / (decode[i]! + detect[i]!))).toFixed(2), median(build.map((b, i) => b / floors[i]!)).toFixed(2),
      ]],
    ),
  );
}

export async function benchExtractBaseline(): Promise<void> {
  const baseline = process.env.BENCH_BASELINE;
  if (!lrnetFixtures || !baseline) {
    console.log(`extract-baseline: skipped (${!lrnetFixtures ? "../shared/fixtures/lrnet absent" : "set BENCH_BASELINE to an older checkout with dist/ built"})`);
    return;
  }
  const video = join(lrnetFixtures, "ff_real.mp4");
  const dir = benchDir("extract-cost");
  const extraArgs = (process.env.BENCH_ARGS ?? "").split(" ").filter(Boolean);
  const sides = [
    { name: `this checkout${extraArgs.length ? ` ${extraArgs.join(" ")}` : ""}`, cli: join(repoRoot, "bin", "lrnet-data.js"), args: extraArgs },
    { name: baseline, cli: join(baseline, "bin", "lrnet-data.js"), args: [] },
  ];
  const results = sides.map(() => [] as Timed[]);
  for (let r = 0; r < RUNS; r++) {
    for (const [i, side] of sides.entries()) {
      const t = await timed(process.execPath, [side.cli, "extract", "--video", video, "--out", join(dir, `baseline-${i}.txt`), ...side.args]);
      results[i]!.push(t);
      console.error(`run ${r + 1}, ${side.name}: ${t.wallSeconds.toFixed(1)} s wall, ${t.cpuSeconds.toFixed(1)} s CPU`);
    }
  }
  const wall = results.map((x) => median(x.map((t) => t.wallSeconds)));
  const cpu = results.map((x) => median(x.map((t) => t.cpuSeconds)));
  const same = readFileSync(join(dir, "baseline-0.txt")).equals(readFileSync(join(dir, "baseline-1.txt")));
  console.log(`\nextract ff_real.mp4 (1280×720, 757 frames, face 17 % of the width), median of ${RUNS}, interleaved; outputs ${same ? "byte-identical" : "differ"}`);
  console.log(
    table(
      ["checkout", "wall s", "CPU s", "wall ÷ baseline", "CPU ÷ baseline"],
      sides.map((side, i) => [side.name, wall[i]!.toFixed(2), cpu[i]!.toFixed(2), (wall[i]! / wall[1]!).toFixed(2), (cpu[i]! / cpu[1]!).toFixed(2)]),
    ),
  );
}

if (process.argv[2] === "--detect-alone") await detectAlone(process.argv.slice(3));
if (process.argv[2] === "--delivered") await deliveredAlone(process.argv.slice(3));
if (process.argv[2] === "--calibrate-alone") await calibrateAlone(process.argv[3]!, process.argv.slice(4));
