import { mkdir } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { parseArgs } from "node:util";
import { CALIBRATION } from "../calibrate/constants.js";
import { trackToFrame } from "../calibrate/calibrator.js";
import { formatLrnetLine } from "../export/lrnet-txt.js";
import { extractVideo } from "../extract/extract-video.js";
import type { RunningMode } from "../extract/mediapipe/landmarker.js";
import { openDetector } from "../extract/open-detector.js";
import { CALIBRATED_COLOUR, RAW_COLOUR, dotRadius, drawPoints } from "../extract/overlay.js";
import { DEFAULT_MAPPING, DEFAULT_MODE, MEDIAPIPE_GUARD } from "../extract/settings.js";
import { probeVideo } from "../video/probe.js";
import { VideoEncoder } from "../video/encode.js";
import { UsageError } from "./errors.js";
import { writeRunRecord } from "./run-record.js";
import { FrameProgress } from "./frame-progress.js";
import { openLineSink } from "./line-sink.js";
import { RunSummary } from "./run-summary.js";

/** Exit code of `extract` when the video has no usable face: a reported result, not an error. */
export const EXIT_NO_FACE = 3;

export const EXTRACT_HELP = `lrnet-data extract: detect and calibrate LRNet landmarks from a raw video

Usage:
  lrnet-data extract --video V.mp4 --out V.txt [--mode image|video] [--model PATH] [--visualize DIR]

Detects the face in every frame with MediaPipe Face Landmarker (CPU, offline), maps its 478-point mesh
to the 68-point iBUG layout, applies LRNet's guard (failed detections before the first face are skipped,
later ones and sudden jumps hold the previous shape), and calibrates the sequence exactly as LRNet does.
Writes LRNet's text format (one line per output frame, 136 values "%1.5f") atomically, and beside it
V.txt.json recording the model (sha256), mode, mapping, guard and per-frame counts.

Options:
  --video PATH       the video (any format ffmpeg reads)
  --out PATH         the output text file; "-" writes to standard output (no .json then)
  --mode MODE        image (default): every frame detected on its own, the raw detector LRNet's
                     calibration was designed for; video: MediaPipe tracks and smooths between frames
  --model PATH       a face_landmarker.task bundle (e.g. Google's official one); see "Model" below
  --download-model   allow downloading Google's official bundle into the cache (checksum-verified)
  --visualize DIR    also write DIR/<video>.landmarks.mp4: detections in red, calibrated points in green
  -h, --help         this text

Model, first match wins: --model PATH; $LRNET_DATA_MODEL; the official bundle in the cache
($LRNET_DATA_CACHE, else $XDG_CACHE_HOME/lrnet-data, else ~/.cache/lrnet-data); its download when
allowed (--download-model or LRNET_DATA_DOWNLOAD_MODEL=1); else the offline bundle built from the npm
package @mediapipe/face_mesh on first use and cached (no network needed).

Exit codes: 0 done; ${EXIT_NO_FACE} the video has no usable face (nothing written); 1 error; 2 usage.
`;

export async function runExtractCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      video: { type: "string" },
      out: { type: "string" },
      mode: { type: "string", default: DEFAULT_MODE },
      model: { type: "string" },
      "download-model": { type: "boolean", default: false },
      visualize: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(EXTRACT_HELP);
    return 0;
  }
  if (!values.video) throw new UsageError("--video is required");
  if (!values.out) throw new UsageError("--out is required");
  const mode = values.mode;
  if (mode !== "image" && mode !== "video") throw new UsageError(`--mode takes image or video, got "${mode}"`);
  const video = values.video;
  const out = values.out;

  const started = performance.now();
  const info = await probeVideo(video);
  const { landmarker, model } = await openDetector({
    mode: mode as RunningMode,
    ...(values.model === undefined ? {} : { modelPath: values.model }),
    download: values["download-model"],
  });
  const name = basename(video);
  const summary = new RunSummary(name);
  const progress = new FrameProgress(name);
  try {
    const settings = { mapping: DEFAULT_MAPPING, guard: MEDIAPIPE_GUARD };
    const outcome = await extractVideo(info, landmarker, settings, (p) => progress.update(p.pass, p.frame, p.frames), {
      wholeFrames: values.visualize !== undefined,
    });
    if (outcome.kind === "no-face") {
      progress.stop();
      process.stderr.write(`${name}: no face found in any of its ${info.frameCount} frames; nothing written\n`);
      return EXIT_NO_FACE;
    }
    const sink = await openLineSink(out);
    const overlay = values.visualize ? await openOverlay(values.visualize, video, info) : null;
    try {
      for await (const f of outcome.frames) {
        summary.count(f.status, f.calibrated !== null);
        if (f.calibrated) await sink.writeLine(formatLrnetLine(f.calibrated));
        if (overlay) {
          const radius = dotRadius(f.frame.width);
          // Detections a size larger underneath, so each shows as a red rim around its green calibrated point.
          if (f.raw) drawPoints(f.frame.data, f.frame.width, f.frame.height, f.raw, RAW_COLOUR, radius + 1);
          if (f.track && f.box) drawPoints(f.frame.data, f.frame.width, f.frame.height, trackToFrame(f.track, f.box), CALIBRATED_COLOUR, radius);
          await overlay.write(f.frame.data);
        }
      }
      await sink.commit();
      await overlay?.close();
    } catch (err) {
      await sink.abort();
      await overlay?.abort();
      throw err;
    }
    progress.stop();
    const seconds = (performance.now() - started) / 1000;
    await writeRunRecord(out, "extract", info, {
      detector: "mediapipe-face-landmarker",
      model: { sha256: model.sha256, source: model.source, path: model.path },
      mode,
      mapping_version: settings.mapping.version,
      guard: settings.guard,
      calibration: CALIBRATION,
    }, summary, seconds);
    process.stderr.write(summary.line(info.frameCount, seconds) + "\n");
    return 0;
  } finally {
    progress.stop();
    landmarker.close();
  }
}

async function openOverlay(dir: string, video: string, info: { width: number; height: number; fps: number }): Promise<VideoEncoder> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${basename(video, extname(video))}.landmarks.mp4`);
  return VideoEncoder.open(path, info);
}
