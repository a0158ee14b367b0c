import { join } from "node:path";
import type { ShardSpec } from "../batch/shard.js";

/**
 * The folder a shard writes under the build's `-o OUT`: `shard-K-of-N`, K zero-padded to N's digits
 * (`shard-03-of-16`) so that the folders list in order. Every shard of one build shares OUT; `lrnet-data merge
 * OUT` finds them by this name.
 */
export function shardFolderName(spec: ShardSpec): string {
  const width = String(spec.count).length;
  return `shard-${String(spec.index).padStart(width, "0")}-of-${spec.count}`;
}

export function shardOutputDir(out: string, spec: ShardSpec): string {
  return join(out, shardFolderName(spec));
}

/** `shard-03-of-16` → {index 3, count 16}; null for any other name (including K > N or K = 0). */
export function parseShardFolderName(name: string): ShardSpec | null {
  const match = /^shard-(\d+)-of-(\d+)$/.exec(name);
  if (!match) return null;
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || index < 1 || index > count) return null;
  return { index, count };
}
