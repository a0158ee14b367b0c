/**
 * `npm run bench -- yuv`: milliseconds per 1280×720 frame to turn planar YUV into RGBA with the wasm
 * YuvConverter (frame copied into wasm memory and the RGBA copied out, as callers use it), with the
 * TypeScript reference, and what ffmpeg's own `-pix_fmt rgba` costs: the CPU time of decoding to rgba
 * rawvideo minus that of decoding to `-f null` (no conversion), in the same pass.
 * Frames: ff_real.mp4 (yuv444p) and a yuv420p re-encode of it, or testsrc2 clips when ../shared is absent.
 * Medians of BENCH_RUNS passes (default 3).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { resolveFfmpeg } from "../src/video/ffmpeg.js";
import { type YuvLayout, YuvConverter, planeSizes, yuvToRgbaReference } from "../src/video/yuv-convert.js";
import { lrnetFixtures } from "../test/helpers/paths.js";
import { benchDir, childCpuSeconds, median, table } from "./harness.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const WIDTH = 1280;
const HEIGHT = 720;
/** Frames decoded for the ffmpeg figure, and converted per pass by the wasm converter. */
const FRAMES = 300;
/** The TypeScript reference is slow: fewer frames per pass. */
const TS_FRAMES = 10;

const run = promisify(execFile);

async function ffmpegRun(ffmpeg: string, args: string[]): Promise<Buffer> {
  const { stdout } = await run(ffmpeg, ["-v", "error", "-nostdin", ...args], { encoding: "buffer", maxBuffer: 1 << 30 });
  return stdout;
}

/** The two clips: the 4:4:4 fixture (or a testsrc2 stand-in) and a 4:2:0 re-encode of it. */
async function clips(ffmpeg: string): Promise<Array<{ layout: YuvLayout; path: string }>> {
  const dir = benchDir("yuv");
  let source = lrnetFixtures ? join(lrnetFixtures, "ff_real.mp4") : join(dir, "testsrc2_444.mp4");
  if (!existsSync(source)) {
    const pattern = `testsrc2=s=${WIDTH}x${HEIGHT}:r=30`;
    await ffmpegRun(ffmpeg, ["-f", "lavfi", "-i", pattern, "-frames:v", String(FRAMES), "-c:v", "libx264", "-pix_fmt", "yuv444p", "-crf", "23", "-preset", "veryfast", "-y", source]);
  }
  const reencoded = join(dir, `${lrnetFixtures ? "ff_real" : "testsrc2"}_420.mp4`);
  if (!existsSync(reencoded)) {
    await ffmpegRun(ffmpeg, ["-i", source, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "23", "-preset", "veryfast", "-frames:v", String(FRAMES), "-y", reencoded]);
  }
  return [
    { layout: "yuv444p", path: source },
    { layout: "yuv420p", path: reencoded },
  ];
}

/** ms of child CPU per frame for one ffmpeg command over FRAMES frames. */
async function ffmpegCpuMs(ffmpeg: string, args: string[]): Promise<number> {
  const before = childCpuSeconds();
  await run(ffmpeg, ["-v", "error", "-nostdin", ...args], { maxBuffer: 1 << 20 });
  return ((childCpuSeconds() - before) * 1000) / FRAMES;
}

function msPerFrame(frames: Uint8Array[], count: number, convert: (frame: Uint8Array) => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) convert(frames[i % frames.length]!);
  return Number(process.hrtime.bigint() - start) / 1e6 / count;
}

export async function benchYuv(): Promise<void> {
  const ffmpeg = (await resolveFfmpeg()).path;
  const converter = new YuvConverter();
  const rows: string[][] = [];
  for (const { layout, path } of await clips(ffmpeg)) {
    const frameBytes = planeSizes(WIDTH, HEIGHT, layout).frameBytes;
    const raw = await ffmpegRun(ffmpeg, ["-i", path, "-frames:v", "30", "-f", "rawvideo", "-pix_fmt", layout, "-"]);
    const frames = Array.from({ length: raw.length / frameBytes }, (_, i) => new Uint8Array(raw.buffer, raw.byteOffset + i * frameBytes, frameBytes));
    const out = new Uint8Array(WIDTH * HEIGHT * 4);
    const decode = ["-threads", "1", "-i", path, "-frames:v", String(FRAMES)];
    const wasm: number[] = [];
    const ts: number[] = [];
    const ff: number[] = [];
    for (let pass = 0; pass < RUNS; pass++) {
      wasm.push(msPerFrame(frames, FRAMES, (f) => converter.toRgba(f, WIDTH, HEIGHT, layout, out)));
      ts.push(msPerFrame(frames, TS_FRAMES, (f) => yuvToRgbaReference(f, WIDTH, HEIGHT, layout, out)));
      const rgba = await ffmpegCpuMs(ffmpeg, [...decode, "-pix_fmt", "rgba", "-f", "rawvideo", "-y", "/dev/null"]);
      const none = await ffmpegCpuMs(ffmpeg, [...decode, "-f", "null", "-"]);
      ff.push(rgba - none);
    }
    rows.push([layout, median(wasm).toFixed(3), median(ts).toFixed(2), median(ff).toFixed(2)]);
  }
  console.log(`\nyuv: planar YUV → RGBA, ms per ${WIDTH}×${HEIGHT} frame, medians of ${RUNS} (engine ${converter.engine})`);
  console.log(table(["layout", "wasm", "TypeScript", "ffmpeg -pix_fmt rgba (CPU, rgba − null)"], rows));
}
