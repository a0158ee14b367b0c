import { Piscina } from "piscina";
import { workerExecArgv } from "../threads/exec-argv.js";
import type { VideoRows } from "../store/video-rows.js";
import type { VideoSummary } from "../store/manifest.js";
import { oneLine } from "../errors.js";
import type { VideoTask, VideoTaskResult, WorkerMemory, WorkerMessage, WorkerSetup } from "./task.js";

/** How one video's task ended, as the build sees it. Never a rejection: failures are data. */
export type VideoOutcome =
  | { kind: "ok"; rows: VideoRows; summary: VideoSummary; threadId: number; seconds: number; peakMemory: WorkerMemory }
  /** The video cannot be processed (bad input) or its worker crashed: a failure entry. */
  | { kind: "failed"; error: string; threadId: number | null; seconds: number; peakMemory: WorkerMemory | null }
  /** The worker could not start: every video would fail the same way. */
  | { kind: "fatal"; error: string }
  /** Stopped on request (second Ctrl-C) before it finished. */
  | { kind: "abandoned" };

export interface VideoPoolOptions {
  workers: number;
  setup: WorkerSetup;
  onMessage?: (message: WorkerMessage) => void;
  /** The worker module (default: ./worker.js beside this file). */
  workerFile?: string;
}

/**
 * Piscina loads a worker's handler with require() first and import() second. On Node versions where require()
 * loads ES modules, a module graph entered through require() and later through import() can fail with
 * "Unexpected status of a module that is imported again after being required" (seen once, at a cold start):
 * the workers therefore run with require(esm) off, so the ES-module worker is always loaded by import().
 */
function poolExecArgv(): string[] {
  const flag = "--no-experimental-require-module";
  const inherited = workerExecArgv().filter((a) => a !== "--experimental-require-module");
  return process.allowedNodeEnvironmentFlags.has(flag) ? [...inherited, flag] : inherited;
}

/**
 * The build's worker pool: piscina with a fixed number of threads that never idle out (each keeps its OpenCV
 * runtime and landmarker between videos), one video per task. A worker that dies mid-task (a wasm abort, a
 * native crash) fails that one video with a readable error; piscina starts a replacement and the build goes on.
 */
export class VideoPool {
  private readonly pool: Piscina<VideoTask, VideoTaskResult>;
  /** Why a worker ended itself, by video id (its `crash` message arrives just before the thread exits). */
  private readonly crashReasons = new Map<string, string>();
  /** The thread last seen working on each video. */
  private readonly threadOf = new Map<string, number>();
  readonly workers: number;
  /** Worker crashes in a row, with no video finishing in between: a long run means no worker can work at all. */
  private crashStreak = 0;
  private readonly crashLimit: number;
  /** Rejects when every worker died while starting (piscina then stops replacing them and tasks would wait forever). */
  private readonly broken: Promise<never>;

  constructor(options: VideoPoolOptions) {
    this.workers = options.workers;
    this.crashLimit = Math.max(4, 2 * options.workers + 1);
    this.pool = new Piscina<VideoTask, VideoTaskResult>({
      filename: options.workerFile ?? new URL("./worker.js", import.meta.url).href,
      minThreads: options.workers,
      maxThreads: options.workers,
      idleTimeout: Infinity,
      concurrentTasksPerWorker: 1,
      workerData: options.setup,
      execArgv: poolExecArgv(),
    });
    this.pool.on("message", (message: WorkerMessage) => {
      if (message.kind === "crash") this.crashReasons.set(message.id, message.reason);
      this.threadOf.set(message.id, message.threadId);
      options.onMessage?.(message);
    });
    let fail: (error: Error) => void = () => undefined;
    this.broken = new Promise<never>((_, reject) => (fail = reject));
    this.broken.catch(() => undefined);
    // A worker that fails while idle has no task to fail; the next task goes to its replacement. Only when no
    // worker is left (they fail while starting, so piscina replaces none) is the pool unusable.
    this.pool.on("error", (error: unknown) => {
      if (this.pool.threads.length === 0) fail(error instanceof Error ? error : new Error(String(error)));
    });
  }

  async run(task: VideoTask, signal?: AbortSignal): Promise<VideoOutcome> {
    const started = performance.now();
    const id = task.entry.id;
    try {
      let result: VideoTaskResult;
      try {
        result = await Promise.race([this.pool.run(task, signal ? { signal } : {}), this.broken]);
      } catch (error) {
        if (signal?.aborted || !(await settled(this.broken))) throw error;
        return { kind: "fatal", error: oneLine(`the build workers could not start: ${(error as Error).message}`) };
      }
      this.crashStreak = 0;
      if (result.ok) {
        return { kind: "ok", rows: result.rows, summary: result.summary, threadId: result.threadId, seconds: result.seconds, peakMemory: result.peakMemory };
      }
      if (result.fatal) return { kind: "fatal", error: result.error };
      return { kind: "failed", error: result.error, threadId: result.threadId, seconds: result.seconds, peakMemory: result.peakMemory };
    } catch (error) {
      if (signal?.aborted) return { kind: "abandoned" };
      // The crash message and the exit notice travel separately: give the message a moment to arrive.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const reason = this.crashReasons.get(id) ?? (error instanceof Error ? error.message : String(error));
      if (++this.crashStreak >= this.crashLimit) {
        return { kind: "fatal", error: oneLine(`the build workers crashed on ${this.crashStreak} videos in a row (last: ${reason}); stopping`) };
      }
      return {
        kind: "failed",
        error: oneLine(`${task.videoPath}: the build worker processing it crashed (${reason}); a replacement worker took over`),
        threadId: this.threadOf.get(id) ?? null,
        seconds: (performance.now() - started) / 1000,
        peakMemory: null,
      };
    } finally {
      this.crashReasons.delete(id);
      this.threadOf.delete(id);
    }
  }

  /** Ends every worker (running tasks are abandoned). */
  destroy(): Promise<void> {
    return this.pool.destroy();
  }
}

/** Whether a promise has rejected already (checked after the current microtasks). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  const pending = Symbol("pending");
  const value = await Promise.race([promise.then(() => true, () => true), Promise.resolve(pending)]);
  return value !== pending;
}
