/**
 * One extraction in its own process, timed stage by stage:
 *   node dist/bench/measure-extract.js VIDEO [image|video]
 * Prints one JSON line on stderr: frames, decode RGBA / decode BGR fps alone, detect ms per frame (inside the
 * landmarker), calibrate ms per frame (second pass minus its decode), end-to-end seconds and peak RSS.
 */
import { calibrateFrames, stableSizeOf } from "../src/calibrate/calibrate-frames.js";
import { loadOpenCv } from "../src/calibrate/opencv.js";
import { type FaceDetector, faceDetectorSource } from "../src/extract/mediapipe-source.js";
import { createFaceLandmarker, type RunningMode } from "../src/mediapipe-runtime/landmarker.js";
import { resolveModel } from "../src/model-bundle/resolve-model.js";
import { MEDIAPIPE_GUARD } from "../src/extract/settings.js";
import { detectVideo } from "../src/sources/video-pipeline.js";
import { guardSequence } from "../src/guard/guard.js";
import { decodeFrames } from "../src/video/decode.js";
import { probeVideo } from "../src/video/probe.js";
import type { PixelFormat } from "../src/video/types.js";

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

const decodeRgba = await decodeOnly("rgba");
const decodeBgr = await decodeOnly("bgr24");

const landmarker = await createFaceLandmarker({ modelPath: (await resolveModel()).path, mode });
const cv = await loadOpenCv();
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
for await (const f of calibrateFrames(cv, decodeFrames(video, { format: "bgr24", info }), plan, stableSizeOf(plan))) if (f.track) rows++;
const calibratePass = (performance.now() - t2) / 1000;
landmarker.close();
const n = info.frameCount;
process.stderr.write(
  JSON.stringify({
    frames: n,
    rows,
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
