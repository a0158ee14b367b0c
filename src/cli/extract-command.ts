import { mkdir } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { CALIBRATION, LRNET_BLOCK_FRAMES } from "../calibrate/constants.js";
import { BlockAlignedLines } from "../export/block-aligned-lines.js";
import { FACE_FINDER } from "../extract/finder/face-finder.js";
import { DARK_FRAMES } from "../extract/dark-frames.js";
import { MAX_HELD_FRAMES } from "../guard/guard.js";
import { DEFAULT_FACE_CHOICE, describeFaceChoice } from "../shape/face-follower.js";
import { trackToFrame } from "../calibrate/calibrator.js";
import { formatLrnetLine } from "../export/lrnet-txt.js";
import { runVideoPipeline } from "../sources/video-pipeline.js";
import { type SourceSpec, openLandmarkSource, outputBoxOf, prepareSourceSpec } from "../sources/registry.js";
import { LANDMARK_OPTIONS, detectorSpecFor, landmarkOptionsHelp, importSpecFor, parseLandmarkFormat } from "./landmark-options.js";
import { CALIBRATED_COLOUR, RAW_COLOUR, dotRadius, drawPoints } from "../video/overlay.js";
import { probeVideo } from "../video/probe.js";
import { VideoEncoder } from "../video/encode.js";
import { faceChoice, oneOf, outputBoxHelp, outputBoxOption, parseCommand, required } from "./options.js";
import { UsageError } from "../errors.js";
import { runRecord } from "./run-record.js";
import { refuseOutputOverInputs } from "./output-guard.js";
import { FrameProgress } from "./frame-progress.js";
import { openLineSink } from "./line-sink.js";
import { RunSummary } from "./run-summary.js";

/** Exit code of `extract` when the video has no usable face: a reported result, not an error. */
export const EXIT_NO_FACE = 3;

export const EXTRACT_HELP = `lrnet-data extract: detect and calibrate LRNet landmarks from a raw video

Usage:
  lrnet-data extract --video V.mp4 --out V.txt [--mode image|video] [--face largest|center|N] [--enhance auto|off]
                     [--model PATH] [--box exact|lrnet] [--visualize DIR]
  lrnet-data extract --video V.mp4 --out V.txt --detector ./my-detector.mjs [--points MAP]
  lrnet-data extract --video V.mp4 --out V.txt --landmarks PATH [--landmark-format F] [--points MAP]

Detects the face in every frame with MediaPipe Face Landmarker (CPU, offline; or with a detector plugin,
or reads precomputed landmarks), maps its points (MediaPipe: the 478-point mesh) to the 68-point iBUG
layout, applies LRNet's guard (failed detections before the first face are skipped, later ones and
sudden jumps hold the previous shape), and calibrates the sequence exactly as LRNet does.
Writes LRNet's text format (one line per output frame, 136 values "%1.5f") atomically, and beside it
V.txt.json recording the model (sha256), mode, mapping, guard, face finder, dark-frame setting and
per-frame counts.

Faces anywhere in the frame (IMAGE mode): MediaPipe's own detector only sees faces larger than about
15 % of the frame's longer side, so a followed face that size or larger is looked for in the whole
frame, a smaller one (or one the whole frame misses) on a crop of 3 face sizes around it; when none
is followed it searches the whole frame, then overlapping tiles down to faces of 5 % of the frame
height (every tile on the first frame, at most ${FACE_FINDER.tilesPerFrame} per frame later). A face missing or jumping for
more than ${MAX_HELD_FRAMES} frames in a row is lost: those frames have status lost and no line, and the next face
found starts a new calibration; lines before a lost face are cut to whole blocks of ${LRNET_BLOCK_FRAMES}, so that none
of LRNet's training blocks spans it. The calibrated points are written relative to an exact face box
(--box), so that the same face gets the same numbers at any size.

Options:
  --video PATH       the video (any format ffmpeg reads)
  --out PATH         the output text file; "-" writes to standard output (no .json then)
  --mode MODE        image (default): every frame detected on its own, the raw detector LRNet's
                     calibration was designed for; video: MediaPipe tracks and smooths between frames
  --face RULE        with several faces, which one to follow: largest (default), center (nearest the
                     frame's centre) or N (the N-th from the left, 0 = leftmost), chosen at the first
                     frame with a face; then the nearest face to it in every frame
  --enhance MODE     auto (default): an image the detector gets (frame, tile or crop around the face)
                     whose mean luma is below ${DARK_FRAMES.maxMeanLuma} of 255 is brightened for the detector only, which
                     keeps its points on very dark video; normally lit frames are passed on untouched,
                     and calibration always reads the frames as they are. off: never
  --model PATH       a face_landmarker.task bundle (e.g. Google's official one); see "Model" below
  --download-model   allow downloading Google's official bundle into the cache (checksum-verified)
  --detector D       mediapipe (default), or a detector plugin: an ES module file (./my-detector.mjs) or
                     an installed package exporting a landmark-source factory (docs/detectors.md)
${landmarkOptionsHelp(21)}
${outputBoxHelp(21, "exact")}
  --visualize DIR    also write DIR/<video>.landmarks.mp4: detections in red, calibrated points in green
  -h, --help         this text

Model, first match wins: --model PATH; $LRNET_DATA_MODEL; the official bundle in the cache
($LRNET_DATA_CACHE, else $XDG_CACHE_HOME/lrnet-data, else ~/.cache/lrnet-data); its download when
allowed (--download-model or LRNET_DATA_DOWNLOAD_MODEL=1); else the offline bundle built from the npm
package @mediapipe/face_mesh on first use and cached (no network needed).

Examples:
  lrnet-data extract --video interview.mp4 --out interview.txt --face center --visualize overlays/
  lrnet-data extract --video clip.mp4 --out clip.face-api.txt --detector ./examples/face-api-detector/detector.mjs
  lrnet-data extract --video clip.mp4 --out clip.fan.txt --landmarks fan/clip/

Exit codes: 0 done; ${EXIT_NO_FACE} the video has no usable face (nothing written); 1 error; 2 usage.
`;

export async function runExtractCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    argv,
    {
      video: { type: "string" },
      out: { type: "string" },
      mode: { type: "string", default: "image" },
      face: { type: "string" },
      box: { type: "string" },
      enhance: { type: "string" },
      model: { type: "string" },
      "download-model": { type: "boolean", default: false },
      visualize: { type: "string" },
      ...LANDMARK_OPTIONS,
    },
    EXTRACT_HELP,
  );
  if (parsed === null) return 0;
  const { values } = parsed;
  const video = required(values.video, "--video");
  const out = required(values.out, "--out");
  const mode = oneOf(values.mode, "--mode", ["image", "video"])!;
  const enhance = oneOf(values.enhance, "--enhance", ["auto", "off"]);
  await refuseOutputOverInputs(out, [{ flag: "--video", path: video }, values.model === undefined ? null : { flag: "--model", path: values.model }]);
  const choice = faceChoice(values.face) ?? DEFAULT_FACE_CHOICE;
  const box = outputBoxOption(values.box);

  const started = performance.now();
  const info = await probeVideo(video);
  const plugin = detectorSpecFor(values.detector, values.landmarks === undefined ? values.points : undefined);
  if (values.landmarks !== undefined && values.detector !== undefined) throw new UsageError("--landmarks and --detector are two different sources; give one");
  const mediaPipeOptions = values.mode !== "image" || values.model !== undefined || values["download-model"] || enhance !== undefined;
  if ((plugin !== null || values.landmarks !== undefined) && mediaPipeOptions) {
    throw new UsageError("--mode, --model, --download-model and --enhance are for the MediaPipe detector; they cannot be combined with --detector or --landmarks");
  }
  if (values.landmarks === undefined && values["landmark-format"] !== undefined) throw new UsageError("--landmark-format goes with --landmarks");
  const spec: SourceSpec =
    values.landmarks !== undefined
      ? importSpecFor(values.landmarks, parseLandmarkFormat(values["landmark-format"]), values.points, {})
      : (plugin ?? {
          name: "mediapipe",
          mode,
          ...(values.model === undefined ? {} : { modelPath: values.model }),
          download: values["download-model"],
          ...(enhance === undefined ? {} : { enhance }),
        });
  // A plugin is loaded once here (preparing it would load it twice); other specs resolve what they need first.
  const source = await openLandmarkSource(spec.name === "plugin" ? spec : await prepareSourceSpec(spec));
  const name = basename(video);
  const summary = new RunSummary(name);
  const progress = new FrameProgress(name);
  try {
    const outcome = await runVideoPipeline(info, source, {
      choice,
      outputBox: box ?? outputBoxOf(spec),
      onProgress: (p) => progress.update(p.pass, p.frame, p.frames),
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
      // Lines before a lost face are cut to whole training blocks, as export does (see BlockAlignedLines).
      const ready: string[] = [];
      let written = 0;
      const lines = new BlockAlignedLines(LRNET_BLOCK_FRAMES, (line) => ready.push(line));
      const writeReady = async (): Promise<void> => {
        for (const line of ready.splice(0)) {
          await sink.writeLine(line);
          written++;
        }
      };
      for await (const f of outcome.frames) {
        summary.count(f.status, f.calibrated !== null);
        if (f.status === "lost") lines.lost();
        else if (f.calibrated) lines.push(formatLrnetLine(f.calibrated));
        await writeReady();
        if (overlay) {
          const radius = dotRadius(f.frame.width);
          // Detections a size larger underneath, so each shows as a red rim around its green calibrated point.
          if (f.raw) drawPoints(f.frame.data, f.frame.width, f.frame.height, f.raw, RAW_COLOUR, radius + 1);
          if (f.track && f.box) drawPoints(f.frame.data, f.frame.width, f.frame.height, trackToFrame(f.track, f.box), CALIBRATED_COLOUR, radius);
          await overlay.write(f.frame.data);
        }
      }
      lines.finish();
      await writeReady();
      summary.cut = summary.rows - written;
      summary.rows = written;
      await overlay?.close();
    } catch (err) {
      await sink.abort();
      await overlay?.abort();
      throw err;
    }
    progress.stop();
    const seconds = (performance.now() - started) / 1000;
    const { detector, mapping_version, guard, face_finder, faces_per_image, dark_frames } = source.configuration;
    const extra = source.name === "mediapipe" ? { face_finder, faces_per_image, dark_frames } : { source: source.configuration };
    const record = { detector, ...source.provenance, mapping_version, guard, ...extra, face: describeFaceChoice(choice) };
    // The text and its .json record are published together or not at all.
    await sink.commit(runRecord(out, "extract", info, { ...record, calibration: CALIBRATION, output_box: outcome.outputBox }, summary, seconds));
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
