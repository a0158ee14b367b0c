import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
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
