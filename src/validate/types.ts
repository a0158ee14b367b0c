/** What `validate` checks, each with a stable name (used in `--json` and to group the summary). */
export const CHECKS = {
  manifest: "manifest.json exists, parses and matches manifests/manifest.schema.json",
  consistency: "the manifest agrees with itself: ids unique, row ranges inside their files, splits and configs derived from the videos",
  state: "the build that wrote the manifest finished (state complete)",
  files: "every data file exists with the sha256, size and row count the manifest records, and no unlisted file sits under data/",
  schema: "every data file has the dataset's columns, in order, with their types",
  rows: "each video's rows are where the manifest says: its id on every row, its rows = its frames, its label/split/method/compression",
  frames: "each video's frame indices are 0..n−1 in order, without gaps or duplicates",
  status: "each video's detected/held/rejected/skipped counts and mean score match the manifest",
  values: "landmarks have 136 finite values on the 0.005 grid; times and scores are finite",
  range: "share of calibrated values outside [−1, 1] (reported, never fails)",
  splits: "no video is listed in two splits",
  leakage: "no identity (a person, e.g. youtube:000) appears in two splits, directly or through a fake a_b",
  coverage: "every entry of the official split files names a video that was found (a partial tree built with --allow-missing is reported, never fails)",
  blocks: "every video has enough frames with landmarks for one training block",
  detection: "every video has its face detected in at least --min-detected-share of its frames",
  failures: "failed videos stay within --max-failed-share",
} as const;

export type CheckName = keyof typeof CHECKS;

export type Severity = "error" | "warning";

/** One problem, in one line that names the file, video and frame where it applies. */
export interface Finding {
  check: CheckName;
  severity: Severity;
  message: string;
  file?: string;
  video?: string;
  frame?: number;
}

export interface ValidationOptions {
  /** Largest share of failed videos (failures / (videos + failures)) that still passes. Default 0. */
  maxFailedShare?: number;
  /** Smallest share of a video's frames with status detected that passes. Default 0.5. */
  minDetectedShare?: number;
  /**
   * Frames of a training block (LRNet: 30). A video passes when its frames with landmarks give LRNet at least
   * one block: more than `block` of them, as LRNet's loaders take blocks at i = 0, block, … while i < n − block.
   * 0 turns the check off. Default 30.
   */
  block?: number;
  /** Report identity leakage as warnings instead of errors (datasets whose official splits share people). */
  allowLeakage?: boolean;
  /**
   * Worker threads that decode and check data files; 0: in this thread. Default: one per core, at most 8, when the
   * dataset has 16 data files or more, else 0.
   */
  workers?: number;
  /** Called after each data file. */
  onProgress?: (done: number, total: number, file: string) => void;
}

export interface ResolvedValidationOptions {
  maxFailedShare: number;
  minDetectedShare: number;
  block: number;
  allowLeakage: boolean;
}

export interface CheckResult {
  name: CheckName;
  description: string;
  errors: number;
  warnings: number;
}

export interface ValidationReport {
  /** True when no finding is an error: exit code 0. */
  ok: boolean;
  outDir: string;
  options: ResolvedValidationOptions;
  /** Every check that ran, in order, with its error and warning counts. */
  checks: CheckResult[];
  /** Checks that could not run (e.g. data checks when the manifest is unusable), with the reason. */
  skipped: { name: CheckName; reason: string }[];
  findings: Finding[];
  errors: number;
  warnings: number;
  figures: {
    videos: number;
    failures: number;
    failedShare: number;
    dataFiles: number;
    bytes: number;
    rows: number;
    /** Rows with landmarks (what an LRNet export writes). */
    landmarkRows: number;
    /** LRNet training blocks the videos give at `block` frames (0 when the check is off). */
    blocks: number;
    calibratedValues: number;
    outOfRangeValues: number;
    outOfRangeShare: number;
    seconds: number;
  };
}
