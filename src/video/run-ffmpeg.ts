import { spawn } from "node:child_process";
import { LogLines } from "./ffmpeg-log.js";

export interface RunResult {
  /** Exit code, null when killed by a signal or when the process could not start. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last STDOUT_KEEP characters of stdout (short outputs: `-version`, `-progress` reports). */
  stdout: string;
  /** stderr lines (bounded, see LogLines). */
  stderr: string[];
  /** Set when the executable could not be started (ENOENT, EACCES, …) or timed out. */
  error: NodeJS.ErrnoException | null;
}

const STDOUT_KEEP = 64 * 1024;

/** Runs a short, non-interactive command to completion. */
export function runFfmpeg(executable: string, args: readonly string[], timeoutMs?: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const log = new LogLines();
    let stdout = "";
    let error: NodeJS.ErrnoException | null = null;
    let settled = false;
    const child = spawn(executable, args, { stdio: ["ignore", "pipe", "pipe"], windowsHide: true });
    const timer =
      timeoutMs === undefined
        ? null
        : setTimeout(() => {
            error = Object.assign(new Error(`timed out after ${timeoutMs} ms`), { code: "ETIMEDOUT" });
            child.kill("SIGKILL");
          }, timeoutMs);

    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr: log.lines(), error });
    };
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.length > 2 * STDOUT_KEEP) stdout = stdout.slice(-STDOUT_KEEP);
    });
    child.stderr.on("data", (chunk: Buffer) => log.push(chunk));
    child.on("error", (err: NodeJS.ErrnoException) => {
      error = err;
      finish(null, null);
    });
    child.on("close", (code, signal) => finish(code, signal));
  });
}
