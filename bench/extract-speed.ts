/**
 * Extraction speed, single worker, per stage (decode, detect, calibrate) and peak RSS, for 480p, 720p and 1080p
 * clips with a face: 000_003 (640×480), ff_real (1280×720) and ff_real scaled to 1920×1080. Needs ../shared.
 *   npm run bench -- extract        (BENCH_MODES=image,video; BENCH_RUNS, default 3)
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { resolveFfmpeg } from "../src/video/ffmpeg.js";
import { lrnetFixtures, repoRoot } from "../test/helpers/paths.js";
import { benchDir, median, table } from "./harness.js";

const run = promisify(execFile);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface StageFigures {
  frames: number;
  h264CpuMsPerFrame: number;
  rgbaCpuMsPerFrame: number;
  bgrCpuMsPerFrame: number;
  decodeRgbaFps: number;
  decodeBgrFps: number;
  detectMsPerFrame: number;
  detectPassFps: number;
  calibrateMsPerFrame: number;
  calibratePassFps: number;
  endToEndFps: number;
  maxRssMB: number;
}

async function measureExtract(video: string, mode: string): Promise<StageFigures> {
  const { stderr } = await run(process.execPath, [join(repoRoot, "dist", "bench", "measure-extract.js"), video, mode], { maxBuffer: 16 << 20 });
  return JSON.parse(stderr.trimEnd().split("\n").pop()!) as StageFigures;
}

export async function benchExtractSpeed(): Promise<void> {
  if (!lrnetFixtures) {
    console.log("extract: ../shared/fixtures/lrnet absent, skipped (it needs clips with faces)");
    return;
  }
  const dir = benchDir("extract");
  const hd = join(dir, "ff_real_1080p.mp4");
  if (!existsSync(hd)) {
    const ffmpeg = await resolveFfmpeg();
    await run(ffmpeg.path, ["-loglevel", "error", "-i", join(lrnetFixtures, "ff_real.mp4"), "-vf", "scale=1920:1080", "-c:v", "libx264", "-crf", "18", "-preset", "veryfast", hd]);
  }
  const clips = [
    { name: "480p 000_003", path: join(lrnetFixtures, "000_003.mp4") },
    { name: "720p ff_real", path: join(lrnetFixtures, "ff_real.mp4") },
    { name: "1080p ff_real scaled", path: hd },
  ];
  const modes = (process.env.BENCH_MODES ?? "image").split(",");
  const rows: string[][] = [];
  for (const mode of modes) {
    for (const clip of clips) {
      const runs: StageFigures[] = [];
      for (let r = 0; r < RUNS; r++) runs.push(await measureExtract(clip.path, mode));
      const m = (key: keyof StageFigures) => median(runs.map((x) => x[key]));
      rows.push([
        clip.name,
        mode,
        m("h264CpuMsPerFrame").toFixed(1),
        m("rgbaCpuMsPerFrame").toFixed(1),
        m("bgrCpuMsPerFrame").toFixed(1),
        m("decodeRgbaFps").toFixed(0),
        m("decodeBgrFps").toFixed(0),
        m("detectMsPerFrame").toFixed(1),
        (1000 / m("detectMsPerFrame")).toFixed(0),
        m("calibrateMsPerFrame").toFixed(1),
        m("endToEndFps").toFixed(1),
        m("maxRssMB").toFixed(0),
      ]);
    }
  }
  console.log(`\nextraction, one worker, median of ${RUNS} runs (detect fps = 1000 / detect ms, the landmarker alone;`);
  console.log("ffmpeg's CPU ms per frame: decoding alone (-f null), and decoding + conversion to RGBA / BGR24 written to /dev/null)");
  console.log(
    table(["clip", "mode", "H.264 alone CPU ms/f", "+RGBA CPU ms/f", "+BGR24 CPU ms/f", "decode RGBA fps", "decode BGR fps", "detect ms/f", "detect fps", "calibrate ms/f", "end-to-end fps", "peak RSS MB"], rows),
  );
}
