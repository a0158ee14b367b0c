import { Piscina } from "piscina";
import type { ManifestDataFile, ManifestVideo } from "../store/manifest.js";
import { checkDataFileBytes, emptyTally, type FileCheckResult } from "./data-checks.js";

export interface CheckRequest {
  file: ManifestDataFile;
  videos: ManifestVideo[];
  bytes: Uint8Array;
}

/** Decodes and checks data files, in this thread or in worker threads. `check` never rejects: a failure is a finding. */
export interface FileChecker {
  /** How many files it works on at once. */
  readonly parallel: number;
  check(file: ManifestDataFile, videos: ManifestVideo[], bytes: Uint8Array): Promise<FileCheckResult>;
  close(): Promise<void>;
}

/** `workers` 0: checks in this thread. Otherwise a pool of that many worker threads, each checking one file at a time. */
export function createFileChecker(workers: number): FileChecker {
  return workers > 0 ? new PoolFileChecker(workers) : inThreadChecker();
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

/** Checks files in a piscina pool (the same pool mechanism as build's), one file per thread at a time. */
class PoolFileChecker implements FileChecker {
  private readonly pool: Piscina<CheckRequest, FileCheckResult>;

  constructor(readonly parallel: number) {
    this.pool = new Piscina<CheckRequest, FileCheckResult>({
      filename: new URL("./check-worker.js", import.meta.url).href,
      minThreads: parallel,
      maxThreads: parallel,
      idleTimeout: Infinity,
      concurrentTasksPerWorker: 1,
    });
  }

  async check(file: ManifestDataFile, videos: ManifestVideo[], bytes: Uint8Array): Promise<FileCheckResult> {
    // The bytes are not needed here any more: move them instead of copying.
    const transferList = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? [bytes.buffer as ArrayBuffer] : [];
    try {
      return await this.pool.run({ file, videos, bytes }, { transferList });
    } catch (error) {
      // A thrown check, or a worker that died (e.g. out of memory; piscina starts another).
      return failed(file, error instanceof Error ? error.message : String(error));
    }
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
