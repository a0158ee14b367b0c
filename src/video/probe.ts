import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { VideoInputError } from "./errors.js";
import { resolveFfmpeg } from "./ffmpeg.js";
import { errorMessages, ffmpegReason, parseLogLine } from "./ffmpeg-log.js";
import { parseInputHeader, type InputHeader, type VideoStreamHeader } from "./input-header.js";
import { runFfmpeg, type RunResult } from "./run-ffmpeg.js";
import type { FfmpegBinary, VideoInfo } from "./types.js";

/**
 * Size, rate, codec and exact frame count of the first video stream. The count comes from demuxing with
 * `-c copy` (one packet per frame, fast); when that run logged errors or disagrees with duration × fps, the
 * stream is decoded to count the frames that really come out.
 */
export async function probeVideo(path: string): Promise<VideoInfo> {
  await assertVideoFileExists(path);
  const decoder = await resolveFfmpeg();
  const input = ffmpegInput(path);
  const run = await runFfmpeg(decoder.path, [
    "-nostdin", "-hide_banner", "-loglevel", "level+info", "-nostats", "-progress", "pipe:1",
    "-i", input, "-map", "0:V:0", "-c", "copy", "-f", "null", "-",
  ]);
  const header = parseInputHeader(run.stderr.map((line) => parseLogLine(line).text));
  const video = usableVideo(path, input, header, run);

  let frameCount = lastProgressFrame(run.stdout);
  if (run.code !== 0 || frameCount === null) throw unreadable(path, input, run, true);
  const demuxErrors = errorMessages(run.stderr, true).length > 0;
  if (demuxErrors || !matchesDuration(frameCount, header?.durationSeconds ?? null, video.fps)) {
    frameCount = await countDecodedFrames(decoder, path, input);
  }

  const fps = video.fps ?? (header?.durationSeconds ? frameCount / header.durationSeconds : null);
  if (fps === null || !(fps > 0)) throw new VideoInputError(path, "frame rate unknown");
  return { path, width: video.width, height: video.height, fps, frameCount, codec: video.codec,
    pixelFormat: video.pixelFormat, colorRange: video.colorRange, colorSpace: video.colorSpace, decoder };
}

/** Throws the one-line "video not found" / not-a-file errors shared by probe and decode. */
export async function assertVideoFileExists(path: string): Promise<void> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new VideoInputError(path, "is a directory, not a video file");
  } catch (error) {
    if (error instanceof VideoInputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw VideoInputError.notFound(path);
    throw new VideoInputError(path, `cannot access (${code ?? String(error)})`);
  }
}

/**
 * The argument given to `-i`: absolute, so that a name starting with "-" is not an option and "name:rest"
 * is not taken for a protocol.
 */
export function ffmpegInput(path: string): string {
  return resolve(path);
}

function usableVideo(path: string, input: string, header: InputHeader | null, run: RunResult): VideoStreamHeader {
  if (!header) throw unreadable(path, input, run, true);
  // The tty demuxer claims .txt/.nfo/… files and renders them as an ANSI-art "video".
  if (header.format === "tty") throw new VideoInputError(path, "not a video (ffmpeg reads it as a text file)");
  if (!header.video) {
    const others = header.streamKinds.length > 0 ? ` (streams: ${header.streamKinds.join(", ").toLowerCase()})` : "";
    throw new VideoInputError(path, `no video stream${others}`);
  }
  return header.video;
}

function unreadable(path: string, input: string, run: RunResult, levelPrefixed: boolean): VideoInputError {
  const reason =
    ffmpegReason(errorMessages(run.stderr, levelPrefixed), [input, path]) ??
    (run.error ? `ffmpeg could not run: ${run.error.message}` : `ffmpeg failed (${run.signal ?? `exit code ${run.code}`})`);
  return new VideoInputError(path, `cannot read video: ${reason}`);
}

/** Frames ffmpeg really decodes (every one, in order, none duplicated: the decoder's view). */
async function countDecodedFrames(decoder: FfmpegBinary, path: string, input: string): Promise<number> {
  const run = await runFfmpeg(decoder.path, [
    "-nostdin", "-hide_banner", "-loglevel", "error", "-nostats", "-progress", "pipe:1",
    "-i", input, "-map", "0:V:0", "-vsync", "passthrough", "-f", "null", "-",
  ]);
  const count = lastProgressFrame(run.stdout);
  if (count === null) throw unreadable(path, input, run, false);
  return count;
}

function lastProgressFrame(progress: string): number | null {
  let last: number | null = null;
  for (const match of progress.matchAll(/^frame=(\d+)$/gm)) last = Number(match[1]);
  return last;
}

/** Whether a packet count is plausible for the container's duration (2 frames or 2 % of slack). */
function matchesDuration(frames: number, durationSeconds: number | null, fps: number | null): boolean {
  if (durationSeconds === null || fps === null) return false;
  const expected = durationSeconds * fps;
  return Math.abs(frames - expected) <= Math.max(2, 0.02 * expected);
}
