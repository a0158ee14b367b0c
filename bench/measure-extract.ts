/**
 * One extraction in its own process, timed stage by stage:
 *   node dist/bench/measure-extract.js VIDEO [image|video]
 * Prints one JSON line on stderr: frames, ffmpeg's CPU ms per frame for H.264 decoding alone (-f null) and with
 * the RGBA / BGR24 conversion (rawvideo to /dev/null; Linux clock ticks), decode RGBA / decode BGR fps alone, detect ms per frame (inside the
 * landmarker), calibrate ms per frame (second pass minus its decode), end-to-end seconds and peak RSS.
 */
import { execFileSync } from "node:child_process";
import { calibrateFrames, stableSizeOf } from "../src/calibrate/calibrate-frames.js";
import { type FaceDetector, faceDetectorSource } from "../src/extract/mediapipe-source.js";
import { createFaceLandmarker, type RunningMode } from "../src/mediapipe-runtime/landmarker.js";
import { resolveModel } from "../src/model-bundle/resolve-model.js";
import { MEDIAPIPE_GUARD } from "../src/extract/settings.js";
import { detectVideo } from "../src/sources/video-pipeline.js";
import { guardSequence } from "../src/guard/guard.js";
import { decodeFrames } from "../src/video/decode.js";
import { probeVideo } from "../src/video/probe.js";
import type { PixelFormat } from "../src/video/types.js";
import { childCpuSeconds } from "./harness.js";

/** CPU seconds ffmpeg spends decoding the clip with `output` (e.g. -f null: H.264 decoding alone). */
function ffmpegCpuSeconds(output: string[]): number {
  const before = childCpuSeconds();
  execFileSync(info.decoder.path, ["-nostdin", "-hide_banner", "-loglevel", "error", "-i", video!, "-map", "0:V:0", "-vsync", "passthrough", ...output]);
  return childCpuSeconds() - before;
}

const [video, modeArg] = process.argv.slice(2);
if (!video) throw new Error("usage: measure-extract.js VIDEO [image|video]");
const mode = (modeArg ?? "image") as RunningMode;
const info = await probeVideo(video);

async function decodeOnly(format: PixelFormat): Promise<number> {
  const t = performance.now();
  for await (const _ of decodeFrames(video!, { format, info })) {
    // drop
  }
  return (performance.now() - t) / 1000;
}

const h264Cpu = ffmpegCpuSeconds(["-f", "null", "-"]);
const rgbaCpu = ffmpegCpuSeconds(["-f", "rawvideo", "-pix_fmt", "rgba", "-y", "/dev/null"]);
const bgrCpu = ffmpegCpuSeconds(["-f", "rawvideo", "-pix_fmt", "bgr24", "-y", "/dev/null"]);
const decodeRgba = await decodeOnly("rgba");
const decodeBgr = await decodeOnly("bgr24");

const landmarker = await createFaceLandmarker({ modelPath: (await resolveModel()).path, mode });
let detectMs = 0;
const timed: FaceDetector = {
  detect(rgba, width, height, ts) {
    const t = performance.now();
    const faces = landmarker.detect(rgba, width, height, ts);
    detectMs += performance.now() - t;
    return faces;
  },
};
const started = performance.now();
const detections = await detectVideo(info, faceDetectorSource(timed));
const detectPass = (performance.now() - started) / 1000;
const plan = guardSequence(detections, MEDIAPIPE_GUARD);
const t2 = performance.now();
let rows = 0;
for await (const f of calibrateFrames(decodeFrames(video, { format: "bgr24", info }), plan, stableSizeOf(plan))) if (f.track) rows++;
const calibratePass = (performance.now() - t2) / 1000;
landmarker.close();
const n = info.frameCount;
process.stderr.write(
  JSON.stringify({
    frames: n,
    rows,
    h264CpuMsPerFrame: (1000 * h264Cpu) / n,
    rgbaCpuMsPerFrame: (1000 * rgbaCpu) / n,
    bgrCpuMsPerFrame: (1000 * bgrCpu) / n,
    decodeRgbaFps: n / decodeRgba,
    decodeBgrFps: n / decodeBgr,
    detectMsPerFrame: detectMs / n,
    detectPassFps: n / detectPass,
    calibrateMsPerFrame: Math.max(0, (calibratePass - decodeBgr) * 1000) / n,
    calibratePassFps: n / calibratePass,
    endToEndFps: n / (detectPass + calibratePass),
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  }) + "\n",
);
