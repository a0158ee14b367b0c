import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "./paths.js";

const run = promisify(execFile);

/** The built command, as a user runs it. */
export const lrnetDataBin = join(repoRoot, "bin", "lrnet-data.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `lrnet-data ARGS…` in a child process and returns its exit code and output, whatever the code. */
export async function cli(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [lrnetDataBin, ...args], { maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
