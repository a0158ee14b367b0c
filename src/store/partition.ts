import type { Partition } from "./types.js";

/** Data files live under `data/`, one Hive directory per split, method and compression. */
export const DATA_DIR = "data";

/** `data/split=train/method=Deepfakes/compression=c23` (values are checked plain by the layout engine). */
export function partitionDir(partition: Partition): string {
  return `${DATA_DIR}/split=${partition.split}/method=${partition.method}/compression=${partition.compression}`;
}

/** The glob of one split's data files, as used in the Hugging Face `configs` block. */
export function splitGlob(split: string): string {
  return `${DATA_DIR}/split=${split}/**/*.parquet`;
}

export function partitionKey(partition: Partition): string {
  return `${partition.split}\u0000${partition.method}\u0000${partition.compression}`;
}
