import { execFile } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
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
  return cliWithEnv({}, ...args);
}

/** As cli, with extra environment variables (e.g. faultEnv's). */
export async function cliWithEnv(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [lrnetDataBin, ...args], { maxBuffer: 64 << 20, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/**
 * The environment that makes a CLI child's writes under `under` fail with `code` (test/helpers/fault-fs.ts):
 * ENOSPC after `afterBytes` bytes, EROFS/EACCES/EPERM at once; `match` narrows it to matching paths.
 */
export function faultEnv(rule: { code: "ENOSPC" | "EROFS" | "EACCES" | "EPERM"; under: string; match?: string; afterBytes?: number }): Record<string, string> {
  const preload = pathToFileURL(join(repoRoot, "dist", "test", "helpers", "fault-fs.js")).href;
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import=${preload}`.trim(), LRNET_TEST_FAULT: JSON.stringify(rule) };
}
