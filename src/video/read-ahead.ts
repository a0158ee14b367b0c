import { Worker } from "node:worker_threads";
import { workerExecArgv } from "../threads/exec-argv.js";
import { type DecodeOptions, frameChannels, markFirstFrame } from "./decode.js";
import { FfmpegNotFoundError, VideoDecodeError, VideoInputError } from "./errors.js";
import { assertVideoFileExists, probeVideo } from "./probe.js";
import type { CropRegion, Frame, PixelFormat, VideoInfo } from "./types.js";

/** Bytes of decoded frames the decoder thread may hold ahead of the consumer (at least 2 frames, at most 8). */
const AHEAD_BYTES = 48 << 20;

export interface DecodeThreadSetup {
  path: string;
  format: PixelFormat;
  info: VideoInfo;
  crop?: CropRegion;
  timestamps?: boolean;
  threads?: number;
  planar?: boolean;
  /** Frames the thread may send before the consumer has taken any. */
  ahead: number;
}

export interface SerializedError {
  name: string;
  message: string;
  file?: string;
  reason?: string;
  lastGoodFrame?: number;
  expectedFrames?: number | null;
}

export type DecodeThreadMessage = { kind: "frame"; frame: Frame } | { kind: "end" } | { kind: "error"; error: SerializedError };
/** A credit for one more frame, with the buffer of the frame the consumer has finished with, to decode into again. */
export type ConsumerMessage = { kind: "credit"; buffer?: ArrayBuffer } | { kind: "stop" };

const THREAD_URL = new URL("./decode-thread.js", import.meta.url);
/** How long the decoder thread gets to stop ffmpeg and exit when the consumer stops early. */
const STOP_GRACE_MS = 5000;

/**
 * decodeFrames (same frames, same errors) with the decoding in a thread of its own that reads up to a few
 * frames ahead: ffmpeg decodes the next frames while the consumer works on this one, instead of waiting on a
 * full pipe. Memory stays bounded (AHEAD_BYTES), and each frame's buffer goes back to the thread once the
 * consumer pulls the next one, to be decoded into again. Breaking out of the loop stops ffmpeg and the thread.
 */
export async function* decodeFramesAhead(path: string, options: DecodeOptions): AsyncGenerator<Frame> {
  const { format, signal } = options;
  signal?.throwIfAborted();
  await assertVideoFileExists(path);
  const info = options.info ?? (await probeVideo(path));
  signal?.throwIfAborted();
  const { width, height } = options.crop ?? info;
  const frameBytes = width * height * frameChannels(format);
  const ahead = Math.max(2, Math.min(8, Math.floor(AHEAD_BYTES / frameBytes)));
  const setup: DecodeThreadSetup = {
    path, format, info, ahead,
    ...(options.crop ? { crop: options.crop } : {}),
    ...(options.timestamps ? { timestamps: true } : {}),
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.planar ? { planar: true } : {}),
  };
  const worker = new Worker(THREAD_URL, { workerData: setup, execArgv: workerExecArgv() });

  const inbox: DecodeThreadMessage[] = [];
  let crash: Error | null = null;
  let exited = false;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    wake?.();
    wake = null;
  };
  const exit = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  worker.on("message", (message: DecodeThreadMessage) => {
    inbox.push(message);
    notify();
  });
  worker.on("error", (error) => {
    crash = error;
    notify();
  });
  void exit.then(() => {
    exited = true;
    notify();
  });
  const onAbort = (): void => notify();
  signal?.addEventListener("abort", onAbort, { once: true });

  let finished = false;
  try {
    for (;;) {
      while (inbox.length === 0 && crash === null && !exited && !signal?.aborted) await new Promise<void>((resolve) => (wake = resolve));
      signal?.throwIfAborted();
      const message = inbox.shift();
      if (message === undefined) {
        if (crash !== null) throw crash;
        throw new VideoDecodeError(path, -1, info.frameCount, "the decoder thread exited without a result");
      }
      if (message.kind === "end") {
        finished = true;
        return;
      }
      if (message.kind === "error") {
        finished = true;
        throw rebuildError(message.error);
      }
      markFirstFrame();
      const { frame } = message;
      yield frame;
      // The consumer asks for the next frame, so it is done with this one (a frame is valid until the next is pulled).
      const buffer = frame.data.buffer as ArrayBuffer;
      worker.postMessage({ kind: "credit", buffer } satisfies ConsumerMessage, [buffer]);
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (!finished && !exited) worker.postMessage({ kind: "stop" } satisfies ConsumerMessage);
    const timer = setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
    try {
      await exit;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The decoder thread's error as the class decodeFrames would have thrown, so that callers treat it alike. */
function rebuildError(e: SerializedError): Error {
  if (e.name === "VideoDecodeError" && e.file !== undefined && e.reason !== undefined) {
    return new VideoDecodeError(e.file, e.lastGoodFrame ?? -1, e.expectedFrames ?? null, e.reason);
  }
  if (e.name === "VideoInputError" && e.file !== undefined && e.reason !== undefined) return new VideoInputError(e.file, e.reason, e.message);
  if (e.name === "FfmpegNotFoundError") return new FfmpegNotFoundError(e.message);
  const error = new Error(e.message);
  error.name = e.name;
  return error;
}
