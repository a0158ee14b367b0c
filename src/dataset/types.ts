/** Ground truth of a video: real footage or a manipulation. */
export type Label = "real" | "fake";
export const LABELS: readonly Label[] = ["real", "fake"];

/** What happened to a frame's landmarks, as the guard decided. Order is the on-disk dictionary order. */
export type FrameStatus = "detected" | "held" | "rejected" | "skipped" | "lost";
/** `lost` came last so that the codes of the others did not change. */
export const FRAME_STATUSES: readonly FrameStatus[] = ["detected", "held", "rejected", "skipped", "lost"];

/** A status as its index in FRAME_STATUSES (what VideoRows.status holds). */
export const STATUS_CODE: Readonly<Record<FrameStatus, number>> = {
  detected: 0,
  held: 1,
  rejected: 2,
  skipped: 3,
  lost: 4,
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
