import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../test/helpers/paths.js";

const run = promisify(execFile);

export interface Measurement {
  seconds: number;
  frames: number;
  maxRssMB: number;
}

/** Runs dist/bench/measure.js with `args` in a fresh process and returns what it reported. */
export async function measure(args: string[]): Promise<Measurement> {
  const script = join(repoRoot, "dist", "bench", "measure.js");
  const { stderr } = await run(process.execPath, [script, ...args], { maxBuffer: 16 << 20 });
  const last = stderr.trimEnd().split("\n").pop()!;
  return JSON.parse(last) as Measurement;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function benchDir(name: string): string {
  const dir = join(repoRoot, "bench", "out", name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => "| " + cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ") + " |";
  return [line(header), "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|", ...rows.map(line)].join("\n");
}

/**
 * CPU seconds (user + system) of every child this process has waited for so far, with their own waited-for
 * children (/proc/self/stat cutime + cstime): the difference over one child's run is that child's whole tree.
 */
export function childCpuSeconds(): number {
  // Fields after the command name: state is field 3; utime 14, stime 15, cutime 16, cstime 17 (1-based).
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[16 - 3]) + Number(fields[17 - 3]);
  return ticks / clockTicks();
}

let ticksPerSecond: number | null = null;
function clockTicks(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}
