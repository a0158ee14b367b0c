import { hashFile } from "../io/durable-fs.js";
import { summarizeVideo, type VideoSummary } from "../dataset/manifest.js";
import type { VideoEntry } from "../dataset/types.js";
import type { VideoRows } from "../dataset/video-rows.js";
import type { FaceDetector } from "../extract/detect-sequence.js";
import { type ExtractProgress, type ExtractedFrame, calibrateDetections, extractVideo } from "../extract/extract-video.js";
import { DEFAULT_MAPPING, MEDIAPIPE_GUARD } from "../extract/settings.js";
import { openFaceGuardedPlan } from "../openface/guarded-plan.js";
import { readOpenFaceCsv } from "../openface/parse-csv.js";
import { probeVideo } from "../video/probe.js";
import type { VideoInfo } from "../video/types.js";
import { RowsAssembler } from "./rows-assembler.js";

/** A video that cannot be processed for a reason the user can act on (its message is one line naming the file). */
export class VideoJobError extends Error {
  override readonly name = "VideoJobError";
}

/** Progress of a job: the extraction's two passes. */
export type JobProgress = ExtractProgress;

/** What one video's job needs besides its task: the face detector for MediaPipe. */
export type JobInput =
  | { kind: "openface"; entry: VideoEntry; videoPath: string; csvPath: string | null }
  | { kind: "mediapipe"; entry: VideoEntry; videoPath: string; detector: FaceDetector };

export interface JobOutput {
  rows: VideoRows;
  summary: VideoSummary;
}

/**
 * One video → its rows (one per decoded frame) and its manifest summary, from either landmark source. Plain:
 * no pool, no output directory. Throws VideoJobError, VideoInputError, VideoDecodeError, OpenFaceCsvError or
 * MediaPipeError for a video that cannot be processed.
 */
export async function runVideoJob(input: JobInput, onProgress?: (p: JobProgress) => void): Promise<JobOutput> {
  const source = await hashSource(input.videoPath);
  const info = await probeVideo(input.videoPath);
  const rows = input.kind === "openface" ? await openFaceRows(input, info, onProgress) : await mediaPipeRows(input, info, onProgress);
  return { rows, summary: summarizeVideo(input.entry, rows, source, rows.frame.length) };
}

async function hashSource(path: string): Promise<{ bytes: number; sha256: string }> {
  try {
    return await hashFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new VideoJobError(`video not found: ${path}`);
    throw new VideoJobError(`${path}: cannot read the video (${code ?? (error as Error).message})`);
  }
}

async function openFaceRows(
  input: Extract<JobInput, { kind: "openface" }>,
  info: VideoInfo,
  onProgress?: (p: JobProgress) => void,
): Promise<VideoRows> {
  const { csvPath } = input;
  if (csvPath === null) throw new VideoJobError(`${input.videoPath}: no OpenFace CSV matches this video`);
  const { detections, plan } = openFaceGuardedPlan(await readOpenFaceCsv(csvPath), info.frameCount, csvPath);
  return assembleRows(input.entry, info, calibrateDetections(info, detections, plan, onProgress));
}

async function mediaPipeRows(
  input: Extract<JobInput, { kind: "mediapipe" }>,
  info: VideoInfo,
  onProgress?: (p: JobProgress) => void,
): Promise<VideoRows> {
  const outcome = await extractVideo(info, input.detector, { mapping: DEFAULT_MAPPING, guard: MEDIAPIPE_GUARD }, onProgress);
  if (outcome.kind === "no-face") {
    throw new VideoJobError(`${input.videoPath}: no face found in any of its ${info.frameCount} frames`);
  }
  return assembleRows(input.entry, info, outcome.frames);
}

async function assembleRows(entry: VideoEntry, info: VideoInfo, frames: AsyncIterable<ExtractedFrame>): Promise<VideoRows> {
  const assembler = new RowsAssembler(entry, info.frameCount);
  for await (const f of frames) {
    assembler.push(f);
  }
  return assembler.finish();
}
