import { createHash } from "node:crypto";
import { DatasetError } from "./errors.js";
import { encodeParquet, type ParquetEncodeOptions, type VideoRowRange } from "./parquet-encode.js";
import { partitionDir, partitionKey } from "./partition.js";
import type { Partition } from "./types.js";
import type { VideoRows } from "./video-rows.js";

/** A finished data file, in memory, ready for the store to commit. */
export interface EncodedPart {
  /** Relative to the output directory: `data/<split>/<method>/<compression>/part-<sha256 prefix>.parquet`. */
  path: string;
  partition: Partition;
  bytes: Uint8Array;
  /** sha256 of `bytes`, 64 hex digits. */
  sha256: string;
  rows: number;
  /** Row range of each video, in file order. */
  videos: VideoRowRange[];
}

export interface PartWriterOptions {
  /** A partition's buffered videos become a file once they reach this many rows (~16 MB). Default 25,000. */
  rowsPerPart?: number;
  /** Across partitions, at most this many rows wait in memory; beyond it the fullest partition is written. Default 60,000. */
  maxBufferedRows?: number;
  /**
   * A partition whose oldest buffered video waited this long is written at the next `add` or `flushStale`,
   * bounding the work a crash can lose when results come slowly. Default 120,000 ms.
   */
  maxBufferAgeMs?: number;
  encode?: ParquetEncodeOptions;
}

/**
 * Groups videos' rows by partition and turns them into Parquet files of about `rowsPerPart` rows. A video is
 * never split across files. Files are named after their content hash, so shards built on different machines
 * never collide and a rewritten file gets a new name. Plain and synchronous: it returns the parts; the store
 * commits them.
 */
export class PartWriter {
  private readonly rowsPerPart: number;
  private readonly maxBufferedRows: number;
  private readonly encodeOptions: ParquetEncodeOptions;
  private readonly maxBufferAgeMs: number;
  private readonly pending = new Map<string, { partition: Partition; videos: VideoRows[]; rows: number; since: number }>();
  private readonly seen = new Set<string>();
  private buffered = 0;

  constructor(options: PartWriterOptions = {}) {
    this.rowsPerPart = options.rowsPerPart ?? 25_000;
    this.maxBufferedRows = Math.max(options.maxBufferedRows ?? 60_000, 1);
    this.maxBufferAgeMs = options.maxBufferAgeMs ?? 120_000;
    this.encodeOptions = options.encode ?? {};
    if (!(this.rowsPerPart >= 1)) throw new DatasetError(`rowsPerPart must be at least 1, got ${options.rowsPerPart}`);
  }

  /** Rows waiting in memory across partitions. */
  get bufferedRows(): number {
    return this.buffered;
  }

  /** Ids of the videos added but not yet in a returned part. */
  pendingVideoIds(): string[] {
    return [...this.pending.values()].flatMap((p) => p.videos.map((v) => v.video.id));
  }

  /** Adds one video's rows; returns the parts that became ready (often none). */
  add(rows: VideoRows, now = Date.now()): EncodedPart[] {
    const id = rows.video.id;
    if (this.seen.has(id)) throw new DatasetError(`video ${id} was given to the part writer twice`);
    this.seen.add(id);
    const partition: Partition = { split: rows.video.split, method: rows.video.method, compression: rows.video.compression };
    const key = partitionKey(partition);
    let group = this.pending.get(key);
    if (!group) {
      group = { partition, videos: [], rows: 0, since: now };
      this.pending.set(key, group);
    }
    group.videos.push(rows);
    group.rows += rows.frame.length;
    this.buffered += rows.frame.length;

    const ready: EncodedPart[] = [];
    if (group.rows >= this.rowsPerPart) ready.push(this.take(key));
    while (this.buffered > this.maxBufferedRows && this.pending.size > 0) {
      const fullest = [...this.pending.entries()].reduce((a, b) => (b[1].rows > a[1].rows ? b : a));
      ready.push(this.take(fullest[0]));
    }
    ready.push(...this.flushStale(now));
    return ready;
  }

  /** Writes the partitions whose oldest video has waited `maxBufferAgeMs` or more (call it on a timer too). */
  flushStale(now = Date.now()): EncodedPart[] {
    const stale = [...this.pending.entries()].filter(([, g]) => now - g.since >= this.maxBufferAgeMs).map(([key]) => key);
    return stale.map((key) => this.take(key));
  }

  /** Writes out everything still buffered (end of build, or Ctrl-C). */
  flush(): EncodedPart[] {
    return [...this.pending.keys()].map((key) => this.take(key));
  }

  private take(key: string): EncodedPart {
    const group = this.pending.get(key)!;
    this.pending.delete(key);
    this.buffered -= group.rows;
    return encodePart(group.partition, group.videos, this.encodeOptions);
  }
}

/** Encodes one partition's videos into a named, hashed part. */
export function encodePart(partitionOf: Partition, videos: readonly VideoRows[], options: ParquetEncodeOptions = {}): EncodedPart {
  const partition: Partition = { split: partitionOf.split, method: partitionOf.method, compression: partitionOf.compression };
  for (const v of videos) {
    if (v.video.split !== partition.split || v.video.method !== partition.method || v.video.compression !== partition.compression) {
      throw new DatasetError(`video ${v.video.id} does not belong to partition ${partitionDir(partition)}`);
    }
  }
  const encoded = encodeParquet(videos, options);
  const sha256 = createHash("sha256").update(encoded.bytes).digest("hex");
  return {
    path: `${partitionDir(partition, options.formatVersion)}/part-${sha256.slice(0, 16)}.parquet`,
    partition,
    bytes: encoded.bytes,
    sha256,
    rows: encoded.rows,
    videos: encoded.videos,
  };
}
