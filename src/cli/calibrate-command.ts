import { DEFAULT_FACE_CHOICE } from "../shape/face-follower.js";
import { basename } from "node:path";
import { formatLrnetLine } from "../export/lrnet-txt.js";
import { OPENFACE_MIN_CONFIDENCE } from "../openface/guard-settings.js";
import { CALIBRATION } from "../calibrate/constants.js";
import { runRecord } from "./run-record.js";
import { refuseOutputOverInputs } from "./output-guard.js";
import { LrnetDataError } from "../errors.js";
import { type SourceSpec, openLandmarkSource, outputBoxOf, prepareSourceSpec } from "../sources/registry.js";
import { LANDMARK_OPTIONS, importSpecFor, landmarkOptionsHelp, parseLandmarkFormat } from "./landmark-options.js";
import { runVideoPipeline } from "../sources/video-pipeline.js";
import { probeVideo } from "../video/probe.js";
import { UsageError } from "../errors.js";
import { faceChoice, outputBoxHelp, outputBoxOption, parseCommand, required, wholeNumber } from "./options.js";
import { openLineSink } from "./line-sink.js";
import { RunSummary } from "./run-summary.js";

export const CALIBRATE_HELP = `lrnet-data calibrate: calibrate precomputed landmarks exactly as LRNet does

Usage:
  lrnet-data calibrate --video V.mp4 --openface V.csv --out V.txt [--parity] [--face largest|center|N] [--face-id N]
  lrnet-data calibrate --video V.mp4 --landmarks PATH --out V.txt [--landmark-format F] [--points MAP]

Reads the 68 2-D landmarks of an OpenFace FeatureExtraction (or FaceLandmarkVidMulti) CSV, or landmarks
from another detector (--landmarks: .npy per frame or per video, .jsonl, .csv; mapped to LRNet's 68
points by the map for their point count), decodes the video once, and runs LRNet's calibration (400x400
face crops, bidirectional pyramidal Lucas-Kanade optical flow, a Kalman filter per point). Writes LRNet's
text format: one line per output frame, 136 values x0 y0 ... x67 y67 normalised to [-1, 1], "%1.5f",
space separated.

Options:
  --video PATH      the video the CSV was extracted from (any format ffmpeg reads)
  --openface PATH   the OpenFace CSV (columns are found by header name; "," or ", " separated)
${landmarkOptionsHelp(20)}
  --out PATH        the output text file, written atomically; "-" writes to standard output
  --parity          reproduce LRNet's calibrator exactly, quirks included: every CSV row counts, failed
                    rows too, and the CSV must have exactly one row per video frame
  --face RULE       with several faces, which one to follow: largest (default), center (nearest the
                    frame's centre) or N (the N-th from the left, 0 = leftmost), chosen at the first
                    good frame; then the nearest face to it in every frame
  --face-id N       follow OpenFace face_id N instead
${outputBoxHelp(20, "lrnet for OpenFace CSVs (always with --parity),", "exact for --landmarks")}
  -h, --help        this text

Beside a file output, V.txt.json records the video, the ffmpeg that decoded it, the mode and the counts.

Default mode (without --parity): a row with success = 0 or confidence < ${OPENFACE_MIN_CONFIDENCE} is a failed
detection. Failures before the first good frame are skipped (no output line); later ones hold the
previous shape, as do sudden jumps of the face (moved by more than half its size, or resized by more
than 30 %). Frames without a CSV row count as failures. The stable face size is the mean over the kept
frames. A one-line summary goes to standard error.

Examples:
  lrnet-data calibrate --video 000_003.mp4 --openface 000_003.csv --out 000_003.txt
  lrnet-data calibrate --video clip.mp4 --openface clip.csv --out - --parity | head -1
  lrnet-data calibrate --video 000_003.mp4 --landmarks landmarks/000_003/ --out 000_003.txt   # 000.npy, 001.npy, …
  lrnet-data calibrate --video clip.mp4 --landmarks clip.npy --points wflw-98 --out clip.txt

With --landmarks a frame without landmarks (no file, an all-NaN row, no line) is a failed detection; every
face counts (imported files carry no detector confidence unless they give a score); sudden jumps are
rejected as above. See docs/detectors.md for the formats.
`;

export async function runCalibrateCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    argv,
    {
      video: { type: "string" },
      openface: { type: "string" },
      landmarks: LANDMARK_OPTIONS.landmarks,
      "landmark-format": LANDMARK_OPTIONS["landmark-format"],
      points: LANDMARK_OPTIONS.points,
      out: { type: "string" },
      parity: { type: "boolean", default: false },
      "face-id": { type: "string" },
      face: { type: "string" },
      box: { type: "string" },
    },
    CALIBRATE_HELP,
  );
  if (parsed === null) return 0;
  const { values } = parsed;
  const video = required(values.video, "--video");
  if ((values.openface === undefined) === (values.landmarks === undefined)) throw new UsageError("give one of --openface and --landmarks");
  const out = required(values.out, "--out");
  await refuseOutputOverInputs(out, [
    { flag: "--video", path: video },
    values.openface === undefined ? null : { flag: "--openface", path: values.openface },
    values.landmarks === undefined ? null : { flag: "--landmarks", path: values.landmarks },
  ]);
  const faceId = wholeNumber(values["face-id"], "--face-id");
  if (values.parity && faceId !== undefined) throw new UsageError("--face-id cannot be combined with --parity (the reference takes every row)");
  if (values.parity && values.face !== undefined) throw new UsageError("--face cannot be combined with --parity (the reference takes every row)");
  if (faceId !== undefined && values.face !== undefined) throw new UsageError("--face and --face-id exclude each other");
  const choice = faceChoice(values.face) ?? DEFAULT_FACE_CHOICE;
  const box = outputBoxOption(values.box);
  if (values.parity && box === "exact") throw new UsageError("--box exact cannot be combined with --parity (the reference writes LRNet's box)");

  const started = performance.now();
  const info = await probeVideo(video);
  const spec: SourceSpec =
    values.landmarks !== undefined
      ? importSpecFor(values.landmarks, parseLandmarkFormat(values["landmark-format"]), values.points, { ...(faceId === undefined ? {} : { faceId }), parity: values.parity })
      : { name: "openface", csvPath: values.openface!, ...(faceId === undefined ? {} : { faceId }), ...(values.parity ? { parity: true } : {}) };
  if (values.landmarks === undefined && (values["landmark-format"] !== undefined || values.points !== undefined)) {
    throw new UsageError("--landmark-format and --points go with --landmarks");
  }
  const source = await openLandmarkSource(await prepareSourceSpec(spec));
  const landmarksPath = values.landmarks ?? values.openface!;
  const outputBox = values.parity ? "lrnet" : (box ?? outputBoxOf(spec));
  const outcome = await runVideoPipeline(info, source, { choice, outputBox });
  // The source refuses a CSV without a usable row, so the pipeline always has frames here.
  if (outcome.kind === "no-face") throw new LrnetDataError(`${landmarksPath}: no frame has a face: nothing to calibrate`);

  const sink = await openLineSink(out);
  const summary = new RunSummary(basename(video));
  try {
    for await (const f of outcome.frames) {
      summary.count(f.status, f.calibrated !== null);
      if (f.calibrated !== null) await sink.writeLine(formatLrnetLine(f.calibrated));
    }
  } catch (err) {
    await sink.abort();
    throw err;
  }
  const seconds = (performance.now() - started) / 1000;
  // The text and its .json record are published together or not at all.
  await sink.commit(runRecord(out, "calibrate", info, {
    ...source.provenance,
    ...(source.name === "openface" ? {} : { source: source.configuration }),
    mode: values.parity ? "parity" : "guarded",
    ...(values.parity ? {} : { guard: source.guard }),
    stable_face_size: outcome.stableSize,
    calibration: CALIBRATION,
    output_box: outcome.outputBox,
  }, summary, seconds));
  process.stderr.write(summary.line(info.frameCount, seconds) + "\n");
  return 0;
}


