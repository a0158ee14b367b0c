import { CURRENT_FORMAT_VERSION, type FormatVersion } from "./parquet-columns.js";
import type { Partition } from "./types.js";

/** Data files live under `data/`, one directory level each for split, method and compression. */
export const DATA_DIR = "data";

/**
 * `data/train/Deepfakes/c23` (format 2; values are checked plain by the layout engine, never holding "=", so no
 * reader takes a directory for a Hive partition); format 1 wrote `data/split=train/method=Deepfakes/compression=c23`.
 */
export function partitionDir(partition: Partition, version: FormatVersion = CURRENT_FORMAT_VERSION): string {
  if (version === 1) return `${DATA_DIR}/split=${partition.split}/method=${partition.method}/compression=${partition.compression}`;
  return `${DATA_DIR}/${partition.split}/${partition.method}/${partition.compression}`;
}

/**
 * The glob of one split's data files (optionally of one method and compression), as used in the Hugging Face
 * `configs` block. Each directory level is a `*` rather than `**`, which glob libraries disagree about.
 */
export function splitGlob(split: string, version: FormatVersion = CURRENT_FORMAT_VERSION, method = "*", compression = "*"): string {
  if (version === 1) return `${DATA_DIR}/split=${split}/**/*.parquet`;
  return `${DATA_DIR}/${split}/${method}/${compression}/*.parquet`;
}

/** The format version a data file's path was written by (format 1 used Hive `key=value` directories). */
export function formatVersionOfDataPath(path: string): FormatVersion {
  return path.startsWith(`${DATA_DIR}/split=`) ? 1 : 2;
}

export function partitionKey(partition: Partition): string {
  return `${partition.split}\u0000${partition.method}\u0000${partition.compression}`;
}
