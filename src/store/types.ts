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
  lost: 4,
};

/** Where a video's rows go: one Hive partition directory. */
export interface Partition {
  split: string;
  method: string;
  compression: string;
}

/**
 * One distortion applied to a video, as DeeperForensics-1.0's distortion meta files record it: a type (CS colour
 * saturation, CC colour contrast, BW block-wise, GNC Gaussian noise, GB Gaussian blur, JPEG, VC video compression)
 * and a level 1–5. A video's list keeps the meta line's order, which is the order they were applied in.
 */
export interface Perturbation {
  type: string;
  level: number;
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
  /** The layout's further root the path is relative to (`ffpp`); absent: the dataset root. */
  root?: string;
  /** Distortions applied, in order (DeeperForensics-1.0); absent when the layout records none for the video. */
  perturbations?: Perturbation[];
}
