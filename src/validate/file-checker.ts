import { Worker } from "node:worker_threads";
import type { ManifestDataFile, ManifestVideo } from "../store/manifest.js";
import { checkDataFileBytes, emptyTally, type FileCheckResult } from "./data-checks.js";

export interface CheckRequest {
  id: number;
  file: ManifestDataFile;
  videos: ManifestVideo[];
  bytes: Uint8Array;
}

export type CheckReply = { id: number; result: FileCheckResult } | { id: number; error: string };

/** Decodes and checks data files, in this thread or in worker threads. `check` never rejects: a failure is a finding. */
export interface FileChecker {
  /** How many files it works on at once. */
  readonly parallel: number;
  check(file: ManifestDataFile, videos: ManifestVideo[], bytes: Uint8Array): Promise<FileCheckResult>;
  close(): Promise<void>;
}

/** `workers` 0: checks in this thread. Otherwise that many worker threads, each decoding one file at a time. */
export function createFileChecker(workers: number): FileChecker {
  return workers > 0 ? new WorkerFileChecker(workers) : inThreadChecker();
}

function inThreadChecker(): FileChecker {
  return {
    parallel: 1,
    check: (file, videos, bytes) => checkDataFileBytes(file, videos, bytes).catch((error: Error) => failed(file, error.message)),
    close: async () => undefined,
  };
}

function failed(file: ManifestDataFile, reason: string): FileCheckResult {
  return {
    findings: [{ check: "schema", severity: "error", message: `${file.path}: could not be checked (${reason})`, file: file.path }],
    tally: emptyTally(),
  };
}

interface Job {
  request: CheckRequest;
  resolve: (result: FileCheckResult) => void;
}

class WorkerFileChecker implements FileChecker {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private nextId = 0;

  constructor(readonly parallel: number) {
    for (let i = 0; i < parallel; i++) this.idle.push(this.spawn());
  }

  check(file: ManifestDataFile, videos: ManifestVideo[], bytes: Uint8Array): Promise<FileCheckResult> {
    return new Promise((resolve) => {
      this.queue.push({ request: { id: this.nextId++, file, videos, bytes }, resolve });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    const all = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    await Promise.all(all.map((worker) => worker.terminate()));
  }

  private spawn(): Worker {
    const worker = new Worker(new URL("./check-worker.js", import.meta.url));
    worker.on("message", (reply: CheckReply) => {
      const job = this.busy.get(worker);
      if (!job) return;
      this.busy.delete(worker);
      this.idle.push(worker);
      job.resolve("result" in reply ? reply.result : failed(job.request.file, reply.error));
      this.dispatch();
    });
    worker.on("error", (error) => this.lost(worker, error.message));
    worker.on("exit", (code) => this.lost(worker, `worker exited with code ${code}`));
    // Idle workers must not keep the process alive if a caller forgets close().
    worker.unref();
    return worker;
  }

  /** A worker died (e.g. out of memory): its file gets a finding and a new worker takes its place. */
  private lost(worker: Worker, reason: string): void {
    const job = this.busy.get(worker);
    if (!job) return;
    this.busy.delete(worker);
    job.resolve(failed(job.request.file, reason));
    this.idle.push(this.spawn());
    this.dispatch();
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.busy.set(worker, job);
      worker.ref();
      const { bytes } = job.request;
      // The bytes are not needed here any more: move them instead of copying.
      const transfer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? [bytes.buffer as ArrayBuffer] : [];
      worker.postMessage(job.request, transfer);
    }
    for (const worker of this.idle) worker.unref();
  }
}
