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

export type DecodeThreadMessage =
  | { kind: "frame"; id: number; frame: Frame }
  | { kind: "end"; id: number }
  | { kind: "error"; id: number; error: SerializedError }
  /** The job is over and its ffmpeg gone: the thread takes the next one. */
  | { kind: "idle"; id: number };
/**
 * A job for the thread; a credit for one more frame, with the buffer of the frame the consumer has finished
 * with, to decode into again; or the consumer's request to stop early.
 */
export type ConsumerMessage =
  | { kind: "start"; id: number; setup: DecodeThreadSetup }
  | { kind: "credit"; id: number; buffer?: ArrayBuffer }
  | { kind: "stop"; id: number };

const THREAD_URL = new URL("./decode-thread.js", import.meta.url);
/** How long the decoder thread gets to stop ffmpeg when the consumer stops early, before it is terminated. */
const STOP_GRACE_MS = 5000;
/** Idle decoder threads kept per consuming thread (more only when decodes overlap). */
const IDLE_KEPT = 2;

type Outcome = "idle" | "gone";

/**
 * One decoder thread, reused for one video after another: starting a thread and compiling its code costs
 * about 0.1–0.3 s of CPU, as much as decoding a few dozen frames. An idle thread does not keep the process
 * alive (it is unref'd); one that crashed, or did not stop in time, is not reused.
 */
class DecoderThread {
  private readonly worker = new Worker(THREAD_URL, { execArgv: workerExecArgv() });
  private jobId = 0;
  private inbox: DecodeThreadMessage[] = [];
  private outcome: Outcome | null = null;
  private crash: Error | null = null;
  private wake: (() => void) | null = null;

  constructor() {
    this.worker.unref();
    this.worker.on("message", (message: DecodeThreadMessage) => {
      if (message.id !== this.jobId) return;
      if (message.kind === "idle") this.outcome ??= "idle";
      else this.inbox.push(message);
      this.notify();
    });
    this.worker.on("error", (error) => {
      this.crash = error;
      this.notify();
    });
    this.worker.once("exit", () => {
      this.outcome = "gone";
      this.notify();
    });
  }

  get usable(): boolean {
    return this.outcome === "idle" && this.crash === null;
  }

  start(setup: DecodeThreadSetup): void {
    this.jobId = ++jobCounter;
    this.inbox = [];
    this.outcome = null;
    this.worker.ref();
    this.post({ kind: "start", id: this.jobId, setup });
  }

  /** The job's next message; null when the thread crashed or exited without one. Wakes early on `signal`. */
  async next(signal?: AbortSignal): Promise<{ message: DecodeThreadMessage } | { failure: Error | null }> {
    while (this.inbox.length === 0 && this.crash === null && this.outcome === null && !signal?.aborted) await this.wait();
    const message = this.inbox.shift();
    return message ? { message } : { failure: this.crash };
  }

  credit(buffer: ArrayBuffer): void {
    this.post({ kind: "credit", id: this.jobId, buffer }, [buffer]);
  }

  /** Ends the job (asking the thread to stop when it is still running) and waits until its ffmpeg is gone. */
  async finish(stillRunning: boolean): Promise<void> {
    if (stillRunning && this.outcome === null) this.post({ kind: "stop", id: this.jobId });
    const timer = setTimeout(() => void this.worker.terminate(), STOP_GRACE_MS);
    try {
      while (this.outcome === null) await this.wait();
    } finally {
      clearTimeout(timer);
      this.worker.unref();
    }
  }

  /** Ends the thread (one that is not kept for another video). */
  dispose(): void {
    if (this.outcome !== "gone") void this.worker.terminate();
  }

  notifyNow(): void {
    this.notify();
  }

  private post(message: ConsumerMessage, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private wait(): Promise<void> {
    return new Promise<void>((resolve) => (this.wake = resolve));
  }

  private notify(): void {
    this.wake?.();
    this.wake = null;
  }
}

let jobCounter = 0;
const idleThreads: DecoderThread[] = [];
let threadsStarted = 0;

/** How many decoder threads this thread has started, and how many wait idle for the next video. */
export function decoderThreadStats(): { started: number; idle: number } {
  return { started: threadsStarted, idle: idleThreads.length };
}

function takeThread(): DecoderThread {
  const idle = idleThreads.pop();
  if (idle) return idle;
  threadsStarted++;
  return new DecoderThread();
}

/**
 * decodeFrames (same frames, same errors) with the decoding in a thread of its own that reads up to a few
 * frames ahead: ffmpeg decodes the next frames while the consumer works on this one, instead of waiting on a
 * full pipe. Memory stays bounded (AHEAD_BYTES), and each frame's buffer goes back to the thread once the
 * consumer pulls the next one, to be decoded into again. Breaking out of the loop stops ffmpeg; when this
 * returns, ffmpeg is gone. The thread then waits for the next video.
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
  const thread = takeThread();
  thread.start(setup);
  const onAbort = (): void => thread.notifyNow();
  signal?.addEventListener("abort", onAbort, { once: true });

  let finished = false;
  try {
    for (;;) {
      const next = await thread.next(signal);
      signal?.throwIfAborted();
      if ("failure" in next) {
        if (next.failure !== null) throw next.failure;
        throw new VideoDecodeError(path, -1, info.frameCount, "the decoder thread exited without a result");
      }
      const { message } = next;
      if (message.kind === "end") {
        finished = true;
        return;
      }
      if (message.kind === "error") {
        finished = true;
        throw rebuildError(message.error);
      }
      if (message.kind !== "frame") continue;
      markFirstFrame();
      const { frame } = message;
      yield frame;
      // The consumer asks for the next frame, so it is done with this one (a frame is valid until the next is pulled).
      thread.credit(frame.data.buffer as ArrayBuffer);
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    await thread.finish(!finished);
    if (thread.usable && idleThreads.length < IDLE_KEPT) idleThreads.push(thread);
    else thread.dispose();
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
