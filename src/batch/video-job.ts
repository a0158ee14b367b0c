import { LrnetDataError } from "../errors.js";
import { hashFile } from "../io/durable-fs.js";
import type { LandmarkSource } from "../sources/landmark-source.js";
import { type PipelineFrame, type PipelineProgress, runVideoPipeline } from "../sources/video-pipeline.js";
import { summarizeVideo, type VideoSummary } from "../store/manifest.js";
import type { VideoEntry } from "../store/types.js";
import type { VideoRows } from "../store/video-rows.js";
import { probeVideo } from "../video/probe.js";
import type { VideoInfo } from "../video/types.js";
import { RowsAssembler } from "./rows-assembler.js";
import type { FaceChoice } from "../shape/face-follower.js";
import type { OutputBox } from "../calibrate/output-box.js";

/** A video that cannot be processed for a reason the user can act on (its message is one line naming the file). */
export class VideoJobError extends LrnetDataError {}

/** Progress of a job: the pipeline's two passes. */
export type JobProgress = PipelineProgress;

/** What one video's job needs: its entry and file, the landmark file matched to it, the source and which face to follow. */
export interface JobInput {
  entry: VideoEntry;
  videoPath: string;
  landmarkFile: string | null;
  source: LandmarkSource;
  /** Default: the largest face at the first frame with one. */
  choice?: FaceChoice;
  /** Default: the source's (runVideoPipeline). */
  outputBox?: OutputBox;
}

export interface JobOutput {
  rows: VideoRows;
  summary: VideoSummary;
}

/**
 * One video → its rows (one per decoded frame) and its manifest summary, from any landmark source. Plain:
 * no pool, no output directory. Throws an LrnetDataError (VideoJobError, VideoInputError, VideoDecodeError,
 * the source's own) for a video that cannot be processed.
 */
export async function runVideoJob(input: JobInput, onProgress?: (p: JobProgress) => void): Promise<JobOutput> {
  const source = await hashSource(input.videoPath);
  const info = await probeVideo(input.videoPath);
  const outcome = await runVideoPipeline(info, input.source, {
    landmarkFile: input.landmarkFile,
    ...(input.choice === undefined ? {} : { choice: input.choice }),
    ...(input.outputBox === undefined ? {} : { outputBox: input.outputBox }),
    ...(onProgress === undefined ? {} : { onProgress }),
  });
  if (outcome.kind === "no-face") {
    throw new VideoJobError(`${input.videoPath}: no face found in any of its ${info.frameCount} frames`);
  }
  const rows = await assembleRows(input.entry, info, outcome.frames);
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

async function assembleRows(entry: VideoEntry, info: VideoInfo, frames: AsyncIterable<PipelineFrame>): Promise<VideoRows> {
  const assembler = new RowsAssembler(entry, info.frameCount);
  for await (const f of frames) {
    assembler.push(f);
  }
  return assembler.finish();
}
