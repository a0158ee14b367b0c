/**
 * The build's piscina worker: one per core, each holding its own (MediaPipe) face
 * landmarker, created on its first video and kept for the worker's life. One task = one video; its rows come
 * back as transferred ArrayBuffers. Anything the wasm modules or libraries print goes to a small in-memory log
 * (the tail is attached to a failure), never to the terminal, so it cannot interleave with the progress display.
 */
import { parentPort, threadId, workerData } from "node:worker_threads";
import { Piscina } from "piscina";
import type { LandmarkSource } from "../sources/landmark-source.js";
import { openLandmarkSource } from "../sources/registry.js";
import { rowBuffers } from "./rows-assembler.js";
import type { VideoTask, VideoTaskResult, WorkerMemory, WorkerMessage, WorkerSetup } from "./task.js";
import { runVideoJob, type JobProgress } from "./video-job.js";
import { WasmRuntimeError, describeFailure, isDescribedError, isWasmRuntimeFailure } from "./failure.js";

const setup = workerData as WorkerSetup;
const noise = captureOutput(40);

interface Runtime {
  /** The landmark source every video of this worker uses (MediaPipe: its wasm landmarker). */
  source: LandmarkSource;
}

let runtime: Promise<Runtime> | null = null;
const peak: WorkerMemory = { heapTotal: 0, external: 0 };

class WorkerStartError extends Error {}

async function startRuntime(): Promise<Runtime> {
  try {
    const source = await openLandmarkSource(setup.source, { onLog: noise.line });
    return { source };
  } catch (error) {
    throw new WorkerStartError(`a build worker could not start: ${describeFailure(error)}`);
  }
}

function sampleMemory(): void {
  const usage = process.memoryUsage();
  peak.heapTotal = Math.max(peak.heapTotal, usage.heapTotal);
  peak.external = Math.max(peak.external, usage.external);
}

function post(message: WorkerMessage): void {
  parentPort?.postMessage(message);
}

export default async function processVideoTask(task: VideoTask): Promise<unknown> {
  const started = performance.now();
  const id = task.entry.id;
  noise.clear();
  const report = (): { threadId: number; seconds: number; peakMemory: WorkerMemory } => {
    sampleMemory();
    return { threadId, seconds: (performance.now() - started) / 1000, peakMemory: { ...peak } };
  };

  let rt: Runtime;
  try {
    runtime ??= startRuntime();
    rt = await runtime;
  } catch (error) {
    runtime = null;
    const result: VideoTaskResult = { ok: false, error: (error as Error).message, fatal: true, ...report() };
    return result;
  }

  if (task.fault === "exit") process.exit(1);
  let lastPost = 0;
  let lastPass = "";
  const onProgress = (p: JobProgress): void => {
    if (task.fault === "wasm-abort") throw new WasmRuntimeError("Aborted(simulated by the build's test hook)");
    const now = performance.now();
    if (p.pass === lastPass && now - lastPost < setup.progressIntervalMs && p.frame + 1 < p.frames) return;
    lastPass = p.pass;
    lastPost = now;
    sampleMemory();
    post({ kind: "progress", threadId, id, pass: p.pass, frame: p.frame, frames: p.frames });
  };

  try {
    const input = { entry: task.entry, videoPath: task.videoPath, landmarkFile: task.landmarkFile, source: rt.source, choice: setup.face, outputBox: setup.outputBox };
    const { rows, summary } = await runVideoJob(input, onProgress);
    const result: VideoTaskResult = { ok: true, rows, summary, ...report() };
    // Piscina's Transferable protocol: the buffers move to the main thread, the result object is cloned around them.
    const movable = { [Piscina.transferableSymbol]: rowBuffers(rows), [Piscina.valueSymbol]: result };
    return Piscina.move(movable as unknown as Parameters<typeof Piscina.move>[0]);
  } catch (error) {
    if (isWasmRuntimeFailure(error)) {
      // The wasm instance that failed cannot be trusted with another video: report why, then end this thread;
      // piscina fails the task and starts a replacement worker.
      post({ kind: "crash", threadId, id, reason: describeFailure(error) });
      process.exit(70);
    }
    // An unexpected error may be explained by what the libraries printed just before it.
    const tail = isDescribedError(error) ? [] : noise.tail(3);
    const message = describeFailure(error) + (tail.length > 0 ? ` [log: ${tail.join(" | ")}]` : "");
    const result: VideoTaskResult = { ok: false, error: message, fatal: false, ...report() };
    return result;
  }
}

/**
 * Routes everything this thread would print (console, process.stdout/stderr, wasm glog lines) into a ring of
 * the last `keep` lines.
 */
function captureOutput(keep: number): { line: (text: string) => void; tail: (n: number) => string[]; clear: () => void } {
  let lines: string[] = [];
  const line = (text: string): void => {
    for (const part of String(text).split(/\r?\n/)) {
      if (part.trim() === "") continue;
      lines.push(part.trim());
      if (lines.length > 2 * keep) lines = lines.slice(-keep);
    }
  };
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    line(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString());
    const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    callback?.();
    return true;
  };
  process.stdout.write = write as typeof process.stdout.write;
  process.stderr.write = write as typeof process.stderr.write;
  for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const) {
    console[method] = (...args: unknown[]) => line(args.map(String).join(" "));
  }
  return { line, tail: (n) => lines.slice(-n), clear: () => (lines = []) };
}
