import { mkdir } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { CALIBRATION } from "../calibrate/constants.js";
import { trackToFrame } from "../calibrate/calibrator.js";
import { loadOpenCv } from "../calibrate/opencv.js";
import { formatLrnetLine } from "../export/lrnet-txt.js";
import { runVideoPipeline } from "../sources/video-pipeline.js";
import { openLandmarkSource } from "../sources/registry.js";
import { CALIBRATED_COLOUR, RAW_COLOUR, dotRadius, drawPoints } from "../video/overlay.js";
import { probeVideo } from "../video/probe.js";
import { VideoEncoder } from "../video/encode.js";
import { oneOf, parseCommand, required } from "./options.js";
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
  const parsed = parseCommand(
    argv,
    {
      video: { type: "string" },
      out: { type: "string" },
      mode: { type: "string", default: "image" },
      model: { type: "string" },
      "download-model": { type: "boolean", default: false },
      visualize: { type: "string" },
    },
    EXTRACT_HELP,
  );
  if (parsed === null) return 0;
  const { values } = parsed;
  const video = required(values.video, "--video");
  const out = required(values.out, "--out");
  const mode = oneOf(values.mode, "--mode", ["image", "video"])!;

  const started = performance.now();
  const info = await probeVideo(video);
  const source = await openLandmarkSource({
    name: "mediapipe",
    mode,
    ...(values.model === undefined ? {} : { modelPath: values.model }),
    download: values["download-model"],
  });
  const name = basename(video);
  const summary = new RunSummary(name);
  const progress = new FrameProgress(name);
  try {
    const cv = await loadOpenCv();
    const outcome = await runVideoPipeline(info, source, cv, { onProgress: (p) => progress.update(p.pass, p.frame, p.frames) });
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
    const { detector, mapping_version, guard } = source.configuration;
    await writeRunRecord(out, "extract", info, { detector, ...source.provenance, mapping_version, guard, calibration: CALIBRATION }, summary, seconds);
    process.stderr.write(summary.line(info.frameCount, seconds) + "\n");
    return 0;
  } finally {
    progress.stop();
    await source.close();
  }
}

async function openOverlay(dir: string, video: string, info: { width: number; height: number; fps: number }): Promise<VideoEncoder> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${basename(video, extname(video))}.landmarks.mp4`);
  return VideoEncoder.open(path, info);
}
