import type { FrameStatus } from "../guard/guard.js";

/** Ground truth of a video: real footage or a manipulation. */
export type Label = "real" | "fake";
export const LABELS: readonly Label[] = ["real", "fake"];


/** A status as its index in FRAME_STATUSES (what VideoRows.status holds). */
export const STATUS_CODE: Readonly<Record<FrameStatus, number>> = {
  detected: 0,
  held: 1,
  rejected: 2,
  skipped: 3,
};

/** Where a video's rows go: one Hive partition directory. */
export interface Partition {
  split: string;
  method: string;
  compression: string;
}

/** One video a layout found under the dataset root. */
export interface VideoEntry extends Partition {
  /** Unique across the dataset, stable across runs (e.g. `Deepfakes/c23/000_003`). */
  id: string;
  /** Path of the video relative to the dataset root, `/`-separated. */
  path: string;
  label: Label;
  /** People whose faces appear in the video (for leakage checks): FF++ fake `000_003` → `youtube:000`, `youtube:003`. */
  identities: string[];
}
