/** What the build's main thread and its workers exchange: plain, structured-cloneable data. */
import type { VideoSummary } from "../store/manifest.js";
import type { VideoEntry } from "../store/types.js";
import type { VideoRows } from "../store/video-rows.js";
import type { SourceSpec } from "../sources/registry.js";
import type { FaceChoice } from "../shape/face-follower.js";
import type { OutputBox } from "../calibrate/output-box.js";

/** Given to every worker when it starts (piscina's workerData). */
export interface WorkerSetup {
  /** The landmark source, prepared by the main thread (prepareSourceSpec: MediaPipe's model resolved once). */
  source: SourceSpec;
  /** Which face every video follows when it has several (`--face`). */
  face: FaceChoice;
  /** The box the calibrated points are relative to (`--box`). */
  outputBox: OutputBox;
  /** Least time between two progress messages of one worker. */
  progressIntervalMs: number;
}

/**
 * Test hooks: make the worker die while it processes this video, as a wasm abort or a native crash would.
 * - `exit`: the worker thread exits abruptly (process.exit inside a worker ends only that thread);
 * - `wasm-abort`: a WebAssembly.RuntimeError is thrown from the job, as Emscripten's abort() does; the worker
 *   then reports the video failed and exits, since its wasm runtimes can no longer be trusted.
 */
export type WorkerFault = "exit" | "wasm-abort";

/** One video to process. */
export interface VideoTask {
  entry: VideoEntry;
  /** Absolute path of the video file. */
  videoPath: string;
  /** The precomputed landmark file matched to the video (`--openface DIR`), null when none is. */
  landmarkFile: string | null;
  fault?: WorkerFault;
}

/** A worker's memory as its own isolate sees it (threads share the process RSS, so there is no per-thread RSS). */
export interface WorkerMemory {
  /** V8 heap of the worker's isolate, bytes. */
  heapTotal: number;
  /** Memory outside the V8 heap held by the isolate's objects: ArrayBuffers, wasm memories, bytes. */
  external: number;
}

interface TaskReport {
  /** worker_threads threadId of the worker that ran it. */
  threadId: number;
  seconds: number;
  /** The worker's peak memory so far (over all its tasks). */
  peakMemory: WorkerMemory;
}

export type VideoTaskResult =
  | (TaskReport & { ok: true; rows: VideoRows; summary: VideoSummary })
  | (TaskReport & {
      ok: false;
      /** One line, naming the file. */
      error: string;
      /** The worker could not start (model, runtime): every video would fail the same way, so the build stops. */
      fatal: boolean;
    });

/** Messages a worker posts while it works (piscina's `message` event on the pool). */
export type WorkerMessage =
  | { kind: "progress"; threadId: number; id: string; pass: string; frame: number; frames: number }
  /** Sent just before a worker ends itself, so the video's failure can say why. */
  | { kind: "crash"; threadId: number; id: string; reason: string };
