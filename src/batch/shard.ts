import { createHash } from "node:crypto";
import { BuildError } from "./errors.js";

/** `--shard K/N`: this run takes the videos whose shard number is K (1-based) of N. */
export interface ShardSpec {
  index: number;
  count: number;
}

/** Parses `K/N` (1 ≤ K ≤ N). A malformed value is a one-line BuildError naming it. */
export function parseShard(text: string): ShardSpec {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || !Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) {
    throw new BuildError(`--shard takes K/N with 1 <= K <= N (e.g. 3/8), got "${text}"`);
  }
  return { index, count };
}

/**
 * The shard (1-based, of `count`) a video id belongs to: the first 8 bytes of the SHA-256 of the id's UTF-8
 * bytes, read as an unsigned big-endian 64-bit integer, modulo `count`, plus 1. It depends on the id alone, so
 * every machine, every run and every tool that can compute SHA-256 agrees; adding or removing other videos never
 * moves a video to another shard.
 */
export function shardOf(id: string, count: number): number {
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`shard count must be a whole number >= 1, got ${count}`);
  const digest = createHash("sha256").update(id, "utf8").digest();
  return Number(digest.readBigUInt64BE(0) % BigInt(count)) + 1;
}

/** The items of shard `spec` (all of them when `spec` is null), in their order. */
export function selectShard<T extends { id: string }>(items: readonly T[], spec: ShardSpec | null): T[] {
  if (spec === null) return [...items];
  return items.filter((item) => shardOf(item.id, spec.count) === spec.index);
}
