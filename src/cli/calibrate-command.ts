import { basename } from "node:path";
import { parseArgs } from "node:util";
import { calibrateFrames, stableSizeOf } from "../calibrate/calibrate-frames.js";
import { normaliseTrack } from "../calibrate/calibrator.js";
import { formatLrnetLine } from "../export/lrnet-txt.js";
import type { GuardedFrame } from "../guard/guard.js";
import { readOpenFaceCsv } from "../openface/parse-csv.js";
import { OPENFACE_MIN_CONFIDENCE } from "../openface/to-detections.js";
import { OPENFACE_GUARD, openFaceGuardedPlan } from "../openface/guarded-plan.js";
import { CALIBRATION } from "../calibrate/constants.js";
import { writeRunRecord } from "./run-record.js";
import { shapesInFileOrder } from "../openface/align.js";
import type { OpenFaceTable } from "../openface/types.js";
import { OpenFaceCsvError } from "../openface/errors.js";
import { decodeFramesAhead } from "../video/read-ahead.js";
import { calibrationRegion } from "../calibrate/face-region.js";
import { probeVideo } from "../video/probe.js";
import type { VideoInfo } from "../video/types.js";
import { UsageError } from "./errors.js";
import { openLineSink } from "./line-sink.js";
import { RunSummary } from "./run-summary.js";

export const CALIBRATE_HELP = `lrnet-data calibrate: calibrate OpenFace landmarks exactly as LRNet does

Usage:
  lrnet-data calibrate --video V.mp4 --openface V.csv --out V.txt [--parity] [--face-id N]

Reads the 68 2-D landmarks of an OpenFace FeatureExtraction (or FaceLandmarkVidMulti) CSV, decodes the
video once, and runs LRNet's calibration (400x400 face crops, bidirectional pyramidal Lucas-Kanade
optical flow, a Kalman filter per point). Writes LRNet's text format: one line per output frame,
136 values x0 y0 ... x67 y67 normalised to [-1, 1], "%1.5f", space separated.

Options:
  --video PATH      the video the CSV was extracted from (any format ffmpeg reads)
  --openface PATH   the OpenFace CSV (columns are found by header name; "," or ", " separated)
  --out PATH        the output text file, written atomically; "-" writes to standard output
  --parity          reproduce LRNet's calibrator exactly, quirks included: every CSV row counts, failed
                    rows too, and the CSV must have exactly one row per video frame
  --face-id N       follow OpenFace face_id N (default: the largest face at the first good frame,
                    then the nearest face to it in every frame)
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
`;

export async function runCalibrateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      video: { type: "string" },
      openface: { type: "string" },
      out: { type: "string" },
      parity: { type: "boolean", default: false },
      "face-id": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(CALIBRATE_HELP);
    return 0;
  }
  const video = required(values.video, "--video");
  const csvPath = required(values.openface, "--openface");
  const out = required(values.out, "--out");
  const faceId = values["face-id"] === undefined ? undefined : parseFaceId(values["face-id"]);
  if (values.parity && faceId !== undefined) throw new UsageError("--face-id cannot be combined with --parity (the reference takes every row)");

  const started = performance.now();
  const info = await probeVideo(video);
  const table = await readOpenFaceCsv(csvPath);
  const plan = values.parity ? parityPlan(table, info, csvPath) : openFaceGuardedPlan(table, info.frameCount, csvPath, faceId).plan;
  const stableSize = stableSizeOf(plan);

  const sink = await openLineSink(out);
  const summary = new RunSummary(basename(video));
  try {
    // Only the region the face boxes cover is decoded: the same bytes there, less to convert and copy.
    const region = calibrationRegion(plan, stableSize, info.width, info.height);
    const frames = decodeFramesAhead(video, { format: "bgr24", info, ...(region ? { crop: region } : {}) });
    for await (const result of calibrateFrames(frames, plan, stableSize)) {
      summary.count(result.status, result.track !== null);
      if (result.track !== null) await sink.writeLine(formatLrnetLine(normaliseTrack(result.track)));
    }
    await sink.commit();
  } catch (err) {
    await sink.abort();
    throw err;
  }
  const seconds = (performance.now() - started) / 1000;
  await writeRunRecord(out, "calibrate", info, {
    landmarks: { source: "openface", csv: csvPath, ...(faceId === undefined ? {} : { face_id: faceId }) },
    mode: values.parity ? "parity" : "guarded",
    ...(values.parity ? {} : { guard: OPENFACE_GUARD }),
    stable_face_size: stableSize,
    calibration: CALIBRATION,
  }, summary, seconds);
  process.stderr.write(summary.line(info.frameCount, seconds) + "\n");
  return 0;
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === "") throw new UsageError(`${flag} is required`);
  return value;
}

function parseFaceId(text: string): number {
  const id = Number(text);
  if (!Number.isInteger(id) || id < 0) throw new UsageError(`--face-id takes a whole number >= 0, got "${text}"`);
  return id;
}

/** LRNet's calibrator API: one shape per CSV row in file order, failed rows included; rows must match frames. */
function parityPlan(table: OpenFaceTable, info: VideoInfo, csvPath: string): GuardedFrame[] {
  const shapes = shapesInFileOrder(table);
  if (shapes.length !== info.frameCount) {
    throw new OpenFaceCsvError(
      csvPath,
      null,
      `${shapes.length} rows but ${info.path} has ${info.frameCount} frames; --parity needs one row per frame, as LRNet's calibrator asserts (drop --parity to align rows by their frame column)`,
    );
  }
  return shapes.map((shape) => ({ status: "detected", shape }));
}
