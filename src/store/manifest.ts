import { DatasetError } from "./errors.js";
import { configurationFingerprint } from "./fingerprint.js";
import { landmarkJitter } from "./jitter.js";
import { checkAgainstSchema, type SchemaCheck } from "../io/json-schema.js";
import { manifestsDir, type ToolInfo } from "../io/package-files.js";
import { join } from "node:path";
import { CURRENT_FORMAT_VERSION, parquetColumns, type FormatVersion } from "./parquet-columns.js";
import { partitionDir, splitGlob } from "./partition.js";
import { FRAME_STATUSES, type StatusCounts } from "../guard/guard.js";
import { STATUS_CODE, type Label, type Partition, type Perturbation, type VideoEntry } from "./types.js";
import type { VideoRows } from "./video-rows.js";

/** The manifest's file name in an output directory, and its schema in `manifests/`. */
export const MANIFEST_FILE = "manifest.json";
export const MANIFEST_SCHEMA_FILE = "manifest.schema.json";
export const MANIFEST_FORMAT = "lrnet-data/landmarks";
/** The version written; 1 is still read (validate, export, report, merge). */
export const MANIFEST_FORMAT_VERSION: FormatVersion = CURRENT_FORMAT_VERSION;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Everything that decides the values in the data files. The required keys are below; any other key (decoder,
 * pixel format, …) may be added and is part of the fingerprint too.
 */
export interface BuildConfiguration {
  /** Landmark source: e.g. `mediapipe-face-landmarker` or `openface`. */
  detector: string;
  /** sha256 of the detector model file; null when there is none (OpenFace CSVs). */
  model_sha256: string | null;
  /** Calibration mode, e.g. `parity` (LRNet's quirks kept) or `fixed`. */
  mode: string;
  /** Version of the MediaPipe → 68-point mapping table (`none` for detectors that give 68 points). */
  mapping_version: string;
  /** The guard's constants (thresholds, hold lengths, …). */
  guard: { [key: string]: JsonValue };
  /** The calibrator's constants (scale 1.2, shift threshold 1.42, LK window, Kalman noise, …). */
  calibration: { [key: string]: JsonValue };
  [key: string]: JsonValue;
}

export interface ManifestSource {
  /** Layout name (`ffpp`, `dfo`, `folder` or a layout file's name). */
  layout: string;
  /** Absolute dataset root the video paths are relative to. */
  root: string;
  splits_dir: string | null;
  /** CSV/JSON list the videos came from (folder layout), if any. */
  list: string | null;
  filters: { methods: string[] | null; compression: string[] | null; splits_only: string[] | null };
  /** `--shard K/N`: this output holds the videos whose id hashes to K (1-based) of N. */
  shard: { index: number; count: number } | null;
  /** Further roots by name (`--ffpp-root`): a video whose `source.root` names one has its path relative to it. */
  roots?: Record<string, string>;
  /** Opt-in rules used (`--dfo-real source`). */
  opt_in?: string[];
  /** `--perturbations`: the terms kept (`CS`, `VC:2`, `none`). */
  perturbations?: string[];
  /** The split files' entries, and those that named no video (a partial tree built with --allow-missing). */
  split_coverage?: { entries: number; missing: { file: string; at: string; text: string }[] };
}

/** What the builder knows about a processed video before its rows are committed to a data file. */
export interface VideoSummary {
  id: string;
  label: Label;
  split: string;
  method: string;
  compression: string;
  identities: string[];
  /** `root`: the further root (source.roots) the path is relative to; absent: source.root. */
  source: { path: string; bytes: number; sha256: string; root?: string };
  /** Distortions applied, in order (DeeperForensics-1.0 meta files); absent when the layout records none for the video. */
  perturbations?: Perturbation[];
  /** Frames the decoder produced. */
  frames: number;
  /** Rows written (one per decoded frame, so equal to `frames`). */
  rows: number;
  status_counts: StatusCounts;
  /** Mean `score` over the frames whose status is `detected`; null when none is. */
  mean_score: number | null;
  /** landmarkJitter of the raw points and of the calibrated points (see the schema for the definition). */
  jitter: { raw: number | null; calibrated: number | null };
}

export interface ManifestVideo extends VideoSummary {
  /** Where its rows are: `rows` rows from 0-based `row_start` of `file` (a path relative to the output). */
  data: { file: string; row_start: number; row_count: number };
}

export interface ManifestDataFile {
  /** Relative to the output directory: `data/<split>/<method>/<compression>/part-….parquet` (format 1: `data/split=…/method=…/compression=…/…`). */
  path: string;
  sha256: string;
  bytes: number;
  rows: number;
  partition: Partition;
  /** Ids of the videos in the file, in row order. */
  videos: string[];
}

export interface ManifestFailure {
  id: string;
  /** Source path relative to the root. */
  path: string;
  error: string;
  at: string;
}

export interface ManifestSplit {
  video_count: number;
  frame_count: number;
  videos: string[];
}

export interface HuggingFaceConfig {
  config_name: string;
  data_files: { split: string; path: string }[];
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  format_version: FormatVersion;
  tool: ToolInfo;
  created_at: string;
  updated_at: string;
  /** `building` until the build that wrote it finished its list (failures included), then `complete`. */
  state: "building" | "complete";
  configuration: BuildConfiguration;
  configuration_fingerprint: string;
  source: ManifestSource;
  columns: { name: string; type: string; nullable: boolean }[];
  splits: Record<string, ManifestSplit>;
  videos: ManifestVideo[];
  data_files: ManifestDataFile[];
  failures: ManifestFailure[];
  configs: HuggingFaceConfig[];
}

/** The committed part of a data file, as the part writer reports it. */
export interface CommittedDataFile {
  path: string;
  sha256: string;
  bytes: number;
  rows: number;
  partition: Partition;
  videos: { id: string; rowStart: number; rowCount: number }[];
}

export function createManifest(init: {
  tool: ToolInfo;
  configuration: BuildConfiguration;
  source: ManifestSource;
  now?: Date;
  /** The current format unless given (merge keeps its shards' format, whose files it links as they are). */
  formatVersion?: FormatVersion;
}): Manifest {
  const version = init.formatVersion ?? MANIFEST_FORMAT_VERSION;
  const now = (init.now ?? new Date()).toISOString();
  return withDerived({
    format: MANIFEST_FORMAT,
    format_version: version,
    tool: init.tool,
    created_at: now,
    updated_at: now,
    state: "building",
    configuration: init.configuration,
    configuration_fingerprint: configurationFingerprint(init.configuration),
    source: init.source,
    columns: parquetColumns(version).map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })),
    splits: {},
    videos: [],
    data_files: [],
    failures: [],
    configs: [],
  });
}

/** Counts, mean score and jitter of a video's rows, with its entry and source file facts. */
export function summarizeVideo(
  entry: VideoEntry,
  rows: VideoRows,
  source: { bytes: number; sha256: string },
  decodedFrames = rows.frame.length,
): VideoSummary {
  const n = rows.frame.length;
  const status_counts: StatusCounts = { detected: 0, held: 0, rejected: 0, skipped: 0, lost: 0 };
  let scoreSum = 0;
  for (let i = 0; i < n; i++) {
    const status = FRAME_STATUSES[rows.status[i]!]!;
    status_counts[status]++;
    if (rows.status[i] === STATUS_CODE.detected) scoreSum += rows.score[i]!;
  }
  return {
    id: entry.id,
    label: entry.label,
    split: entry.split,
    method: entry.method,
    compression: entry.compression,
    identities: [...entry.identities],
    source: { path: entry.path, bytes: source.bytes, sha256: source.sha256, ...(entry.root === undefined ? {} : { root: entry.root }) },
    ...(entry.perturbations === undefined ? {} : { perturbations: entry.perturbations.map((p) => ({ type: p.type, level: p.level })) }),
    frames: decodedFrames,
    rows: n,
    status_counts,
    mean_score: status_counts.detected > 0 ? scoreSum / status_counts.detected : null,
    jitter: { raw: landmarkJitter(rows.raw, rows.rawPresent), calibrated: landmarkJitter(rows.landmarks, rows.landmarksPresent) },
  };
}

/**
 * The manifest with one more committed data file and its videos (their earlier failures cleared). A video
 * already in the manifest, or a summary that does not match the file's row ranges, is a DatasetError.
 */
export function addCommittedFile(manifest: Manifest, file: CommittedDataFile, summaries: readonly VideoSummary[], now = new Date()): Manifest {
  const known = new Set(manifest.videos.map((v) => v.id));
  const byId = new Map(summaries.map((s) => [s.id, s]));
  const videos: ManifestVideo[] = file.videos.map((range) => {
    const summary = byId.get(range.id);
    if (!summary) throw new DatasetError(`data file ${file.path} holds video ${range.id}, which has no summary`);
    if (known.has(range.id)) throw new DatasetError(`video ${range.id} is already committed; ${file.path} would hold it twice`);
    if (summary.rows !== range.rowCount) {
      throw new DatasetError(`video ${range.id}: ${range.rowCount} rows in ${file.path}, but its summary says ${summary.rows}`);
    }
    return { ...pickSummary(summary), data: { file: file.path, row_start: range.rowStart, row_count: range.rowCount } };
  });
  if (manifest.data_files.some((f) => f.path === file.path)) throw new DatasetError(`data file ${file.path} is already in the manifest`);
  const ids = new Set(file.videos.map((v) => v.id));
  return withDerived({
    ...manifest,
    updated_at: now.toISOString(),
    videos: [...manifest.videos, ...videos],
    data_files: [
      ...manifest.data_files,
      {
        path: file.path,
        sha256: file.sha256,
        bytes: file.bytes,
        rows: file.rows,
        partition: { split: file.partition.split, method: file.partition.method, compression: file.partition.compression },
        videos: file.videos.map((v) => v.id),
      },
    ],
    failures: manifest.failures.filter((f) => !ids.has(f.id)),
  });
}

/** Exactly the summary's fields (callers may pass richer objects; the manifest schema allows no extra keys). */
function pickSummary(s: VideoSummary): VideoSummary {
  return {
    id: s.id,
    label: s.label,
    split: s.split,
    method: s.method,
    compression: s.compression,
    identities: [...s.identities],
    source: { path: s.source.path, bytes: s.source.bytes, sha256: s.source.sha256, ...(s.source.root === undefined ? {} : { root: s.source.root }) },
    ...(s.perturbations === undefined ? {} : { perturbations: s.perturbations.map((p) => ({ type: p.type, level: p.level })) }),
    frames: s.frames,
    rows: s.rows,
    status_counts: { detected: s.status_counts.detected, held: s.status_counts.held, rejected: s.status_counts.rejected, skipped: s.status_counts.skipped, lost: s.status_counts.lost ?? 0 },
    mean_score: s.mean_score,
    jitter: { raw: s.jitter.raw, calibrated: s.jitter.calibrated },
  };
}

/** The manifest with a failure recorded (replacing an earlier failure of the same video). */
export function addFailure(manifest: Manifest, failure: Omit<ManifestFailure, "at">, now = new Date()): Manifest {
  if (manifest.videos.some((v) => v.id === failure.id)) {
    throw new DatasetError(`video ${failure.id} is committed; it cannot also be a failure`);
  }
  return withDerived({
    ...manifest,
    updated_at: now.toISOString(),
    failures: [
      ...manifest.failures.filter((f) => f.id !== failure.id),
      { id: failure.id, path: failure.path, error: failure.error, at: now.toISOString() },
    ],
  });
}

/** The manifest without the given data files and the videos in them (they will be redone). */
export function removeDataFiles(manifest: Manifest, paths: readonly string[], now = new Date()): Manifest {
  const drop = new Set(paths);
  return withDerived({
    ...manifest,
    updated_at: now.toISOString(),
    videos: manifest.videos.filter((v) => !drop.has(v.data.file)),
    data_files: manifest.data_files.filter((f) => !drop.has(f.path)),
  });
}

export function withState(manifest: Manifest, state: Manifest["state"], now = new Date()): Manifest {
  return { ...manifest, state, updated_at: now.toISOString() };
}

/** Validates a parsed manifest against `manifests/manifest.schema.json`. */
export function validateManifest(value: unknown): SchemaCheck {
  return checkAgainstSchema(join(manifestsDir, MANIFEST_SCHEMA_FILE), value);
}

/**
 * Cross-references the schema cannot express: unique ids, each video's file listed with a row range inside it,
 * a file's rows equal to its videos' rows, split lists equal to the videos. One line per problem.
 */
export function manifestInconsistencies(manifest: Manifest): string[] {
  const problems: string[] = [];
  const files = new Map(manifest.data_files.map((f) => [f.path, f]));
  const ids = new Set<string>();
  const rowsPerFile = new Map<string, number>();
  for (const video of manifest.videos) {
    if (ids.has(video.id)) problems.push(`video ${video.id} is listed twice`);
    ids.add(video.id);
    const file = files.get(video.data.file);
    if (!file) {
      problems.push(`video ${video.id}: its data file ${video.data.file} is not in data_files`);
      continue;
    }
    if (video.data.row_count !== video.rows) problems.push(`video ${video.id}: row_count ${video.data.row_count} ≠ rows ${video.rows}`);
    if (video.data.row_start + video.data.row_count > file.rows) problems.push(`video ${video.id}: rows run past the end of ${file.path}`);
    if (!file.videos.includes(video.id)) problems.push(`video ${video.id}: ${file.path} does not list it`);
    const p = file.partition;
    if (p.split !== video.split || p.method !== video.method || p.compression !== video.compression) {
      problems.push(`video ${video.id}: its split/method/compression differ from the partition of ${file.path}`);
    }
    rowsPerFile.set(file.path, (rowsPerFile.get(file.path) ?? 0) + video.data.row_count);
  }
  for (const [path, videos] of videosByFile(manifest.videos)) {
    videos.sort((a, b) => a.data.row_start - b.data.row_start);
    for (let i = 1; i < videos.length; i++) {
      const before = videos[i - 1]!;
      if (before.data.row_start + before.data.row_count > videos[i]!.data.row_start) {
        problems.push(`videos ${before.id} and ${videos[i]!.id} overlap in ${path}`);
      }
    }
  }
  for (const file of manifest.data_files) {
    if (!file.path.startsWith(`${partitionDir(file.partition, manifest.format_version)}/`)) {
      problems.push(`data file ${file.path}: not in its partition's directory ${partitionDir(file.partition, manifest.format_version)}/ (format ${manifest.format_version})`);
    }
    if ((rowsPerFile.get(file.path) ?? 0) !== file.rows) problems.push(`data file ${file.path}: ${file.rows} rows, but its videos have ${rowsPerFile.get(file.path) ?? 0}`);
  }
  for (const failure of manifest.failures) {
    if (ids.has(failure.id)) problems.push(`video ${failure.id} is both committed and failed`);
  }
  const derived = deriveSplits(manifest.videos);
  if (JSON.stringify(derived) !== JSON.stringify(manifest.splits)) problems.push("splits do not match the videos");
  return problems;
}

/**
 * Why a dataset cannot be taken as whole: its build has not finished (state `building`), or the manifest's
 * cross-references do not hold. One line each; empty when it is complete and consistent.
 */
export function incompleteness(manifest: Manifest): string[] {
  const problems: string[] = [];
  if (manifest.state !== "complete") {
    problems.push(`its build has not finished (manifest state "${manifest.state}", ${manifest.videos.length} videos committed so far)`);
  }
  return [...problems, ...manifestInconsistencies(manifest).map((p) => `manifest.json: ${p}`)];
}

function withDerived(manifest: Manifest): Manifest {
  const videos = [...manifest.videos].sort(byKey((v) => v.id));
  const splits = deriveSplits(videos);
  return {
    ...manifest,
    videos,
    data_files: [...manifest.data_files].sort(byKey((f) => f.path)),
    failures: [...manifest.failures].sort(byKey((f) => f.id)),
    splits,
    configs: [
      {
        config_name: "default",
        data_files: Object.keys(splits).map((split) => ({ split, path: splitGlob(split, manifest.format_version) })),
      },
    ],
  };
}

function deriveSplits(videos: readonly ManifestVideo[]): Record<string, ManifestSplit> {
  const splits: Record<string, ManifestSplit> = {};
  for (const video of [...videos].sort(byKey((v) => v.id))) {
    const split = (splits[video.split] ??= { video_count: 0, frame_count: 0, videos: [] });
    split.video_count++;
    split.frame_count += video.frames;
    split.videos.push(video.id);
  }
  return Object.fromEntries(Object.entries(splits).sort(byKey(([name]) => splitOrder(name))));
}

/** train, val, test first (as people read them), then others by name. */
function splitOrder(name: string): string {
  const known = ["train", "val", "validation", "test"].indexOf(name);
  return known >= 0 ? `0${known}` : `1${name}`;
}

function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
}

/** The videos of each data file, in manifest order. */
export function videosByFile(videos: readonly ManifestVideo[]): Map<string, ManifestVideo[]> {
  const byFile = new Map<string, ManifestVideo[]>();
  for (const video of videos) {
    const list = byFile.get(video.data.file);
    if (list) list.push(video);
    else byFile.set(video.data.file, [video]);
  }
  return byFile;
}
