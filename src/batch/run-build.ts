import { availableParallelism } from "node:os";
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { discoverVideos, type MissingEntry } from "../discover/layout.js";
import { loadLayout } from "../discover/layout-spec.js";
import { parsePerturbationFilter } from "../discover/perturbations.js";
import type { Manifest, ManifestSource, VideoSummary } from "../store/manifest.js";
import { PartWriter, type EncodedPart } from "../store/parquet-writer.js";
import { DatasetStore, readManifest, type ResumeReport } from "../store/store.js";
import type { VideoEntry } from "../store/types.js";
import { type SourceSpec, outputBoxOf, prepareSourceSpec } from "../sources/registry.js";
import { resolveFfmpeg } from "../video/ffmpeg.js";
import { buildConfiguration } from "./configuration.js";
import { BuildError } from "./errors.js";
import { outputOverlap } from "../io/path-overlap.js";
import { matchOpenFaceCsvs } from "./openface-match.js";
import { matchLandmarkPaths } from "./landmark-match.js";
import { detectImportFormat } from "../sources/import/detect-format.js";
import type { ImportFormat } from "../sources/import/track.js";
import { pluginSpecFor } from "../sources/plugin/plugin-source.js";
import { VideoPool, type VideoOutcome } from "./pool.js";
import { selectShard, type ShardSpec } from "./shard.js";
import type { WorkerFault, WorkerMemory, WorkerMessage } from "./task.js";
import { DEFAULT_FACE_CHOICE, type FaceChoice } from "../shape/face-follower.js";
import type { OutputBox } from "../calibrate/output-box.js";

export interface BuildOptions {
  /** A layout name in layouts/ (ffpp, dfo, folder) or a layout JSON file. */
  layout: string;
  root: string;
  out: string;
  splitsDir?: string;
  /** `folder` layout: a CSV/JSON list of path,label[,split], or a path pattern. */
  list?: string;
  pattern?: string;
  methods?: string[];
  compression?: string[];
  splitsOnly?: string[];
  /** `--perturbations CS,VC:2,none`: keep fakes with one of these (videos without a perturbation record stay). */
  perturbations?: string[];
  /** Build what is there when split-file entries name no video (listed in the manifest). */
  allowMissing?: boolean;
  /** Further roots the layout reads, by name: `{ ffpp: "/data/FF++" }` (`--ffpp-root`). */
  extraRoots?: Record<string, string>;
  /** Opt-in rules of the layout to use (`--dfo-real source`). */
  optIn?: string[];
  /** Landmarks from OpenFace CSVs in this directory instead of MediaPipe. */
  openfaceDir?: string;
  /** Precomputed landmarks of any importer format in this directory (see landmark-match.ts). */
  landmarksDir?: string;
  /** `--landmark-format`: the importer format of every file (default: found from each path). */
  landmarkFormat?: ImportFormat;
  /** `--points`: the map for the layout of imported landmarks or a plugin's points. */
  points?: string;
  /** `--detector`: a plugin module path or package name instead of MediaPipe. */
  detector?: string;
  /** MediaPipe running mode (default image) and model. */
  mode?: "image" | "video";
  modelPath?: string;
  downloadModel?: boolean;
  /** `--enhance`: brighten dark images for MediaPipe's detector (default auto; see dark-frames.ts). */
  enhance?: "auto" | "off";
  /** `--face`: which face each video follows when it has several (default: the largest). */
  face?: FaceChoice;
  /** `--box`: the box the calibrated points are relative to (default: the source's, outputBoxOf). */
  outputBox?: OutputBox;
  /** Worker threads; default one per core. */
  workers?: number;
  shard?: ShardSpec | null;
  /** Start over when the output was built with another configuration or layout. */
  rebuild?: boolean;
  /** Rows per Parquet file (default 25,000): smaller files commit sooner, so a crash loses less work. */
  rowsPerPart?: number;
  /** A partition's buffered videos are committed after waiting this long (default 120 s). */
  maxBufferAgeMs?: number;
  /** Least time between two progress messages of a worker (default 250 ms). */
  progressIntervalMs?: number;
  /** Test hook: make the worker crash on these videos. */
  faults?: Readonly<Record<string, WorkerFault>>;
}

/** First Ctrl-C: `stop` (no new video starts; running ones finish). Second: `abandon` (running ones are dropped). */
export interface BuildSignals {
  stop?: AbortSignal;
  abandon?: AbortSignal;
}

export interface BuildPlan {
  out: string;
  source: SourceSpec["name"];
  /** Videos the layout found (after filters), and those in this shard. */
  discovered: number;
  selected: number;
  /** Already committed in the output: skipped. */
  committed: number;
  /** To process now. */
  todo: number;
  workers: number;
  shard: ShardSpec | null;
  resume: ResumeReport;
  /** Layout warnings: video-like files no rule matched. */
  unmatched: string[];
  /** Linked directories under the root that lead outside it: not walked. */
  linksOutsideRoot: string[];
  /** Files passed over by kind (masks, models, unpaired reals). */
  skipped: Record<string, number>;
  /** Split-file entries, and those naming no video (with allowMissing). */
  splitEntries: number;
  missing: MissingEntry[];
  /** One line each (perturbation records that disagree with their folder). */
  warnings: string[];
  /** Set when the videos hold no real one: the line saying so and how to add a real class. */
  noRealClass: string | undefined;
}

export type VideoEvent =
  | { kind: "ok"; id: string; frames: number; seconds: number; threadId: number }
  | { kind: "failed"; id: string; path: string; error: string; threadId: number | null }
  | { kind: "abandoned"; id: string };

export interface BuildReporter {
  planned?(plan: BuildPlan): void;
  progress?(message: Extract<WorkerMessage, { kind: "progress" }>): void;
  videoDone?(event: VideoEvent): void;
  interrupted?(how: "stop" | "abandon", running: string[]): void;
}

export interface BuildSummary {
  out: string;
  plan: BuildPlan;
  ok: number;
  failures: { id: string; path: string; error: string }[];
  /** Videos that were running when the build was interrupted and were not committed. */
  abandoned: string[];
  /** Videos never started because of an interrupt. */
  notStarted: number;
  interrupted: boolean;
  frames: number;
  wallSeconds: number;
  /** Peak V8 heap and external memory per worker thread (threadId → bytes). */
  workerMemory: Map<number, WorkerMemory>;
  manifest: Manifest;
}

/**
 * `lrnet-data build`: layout → videos (this shard, minus those already committed) → worker pool → Parquet parts
 * committed through the crash-safe store as they fill → manifest. Failures of single videos are recorded and
 * returned; a BuildError (or dataset error) means the build could not run.
 */
export async function runBuild(options: BuildOptions, reporter: BuildReporter = {}, signals: BuildSignals = {}): Promise<BuildSummary> {
  const started = performance.now();
  const root = resolve(options.root);
  const out = resolve(options.out);
  const overlap = await outputOverlap({ flag: "--out", path: out }, [
    { flag: "--root", path: root },
    options.splitsDir === undefined ? null : { flag: "--splits", path: options.splitsDir },
    options.list === undefined ? null : { flag: "--list", path: options.list },
    options.openfaceDir === undefined ? null : { flag: "--openface", path: options.openfaceDir },
    options.landmarksDir === undefined ? null : { flag: "--landmarks", path: options.landmarksDir },
    ...Object.entries(options.extraRoots ?? {}).map(([name, dir]) => ({ flag: `--${name}-root`, path: dir })),
  ]);
  if (overlap) throw new BuildError(`${overlap}: an output may neither hold nor sit inside the inputs it is built from (a --rebuild there could reach them); choose another --out`);
  const layout = loadLayout(options.layout);
  const extraRoots = Object.fromEntries(Object.entries(options.extraRoots ?? {}).map(([name, dir]) => [name, resolve(dir)]));
  let perturbations;
  try {
    perturbations = options.perturbations === undefined ? undefined : parsePerturbationFilter(options.perturbations);
  } catch (error) {
    throw new BuildError(`--perturbations: ${(error as Error).message}`);
  }
  const found = await discoverVideos(layout, root, {
    roots: extraRoots,
    ...(options.optIn === undefined ? {} : { optIn: options.optIn }),
    ...(options.allowMissing ? { allowMissing: true } : {}),
    ...(perturbations === undefined ? {} : { perturbations }),
    ...(options.splitsDir === undefined ? {} : { splitsDir: options.splitsDir }),
    ...(options.list === undefined ? {} : { list: options.list }),
    ...(options.pattern === undefined ? {} : { pattern: options.pattern }),
    ...(options.methods === undefined ? {} : { methods: options.methods }),
    ...(options.compression === undefined ? {} : { compression: options.compression }),
    ...(options.splitsOnly === undefined ? {} : { splitsOnly: options.splitsOnly }),
  });
  const shard = options.shard ?? null;
  const selected = selectShard(found.videos, shard);
  const csvs =
    options.openfaceDir !== undefined
      ? await matchOpenFaceCsvs(resolve(options.openfaceDir), selected)
      : options.landmarksDir !== undefined
        ? await matchLandmarkPaths(resolve(options.landmarksDir), selected, options.landmarkFormat)
        : null;

  const source = await landmarkSource(options, csvs);
  const face = options.face ?? DEFAULT_FACE_CHOICE;
  const outputBox = options.outputBox ?? outputBoxOf(source);
  const configuration = buildConfiguration(source, await resolveFfmpeg(), face, outputBox);
  const manifestSource: ManifestSource = {
    layout: layout.name,
    root,
    splits_dir: options.splitsDir === undefined ? null : resolve(options.splitsDir),
    list: options.list === undefined ? null : resolve(options.list),
    filters: { methods: options.methods ?? null, compression: options.compression ?? null, splits_only: options.splitsOnly ?? null },
    shard,
    ...(Object.keys(extraRoots).length > 0 ? { roots: extraRoots } : {}),
    ...(options.optIn?.length ? { opt_in: [...options.optIn] } : {}),
    ...(options.perturbations ? { perturbations: [...options.perturbations] } : {}),
    ...(found.splitFiles.length > 0 ? { split_coverage: { entries: found.splitEntries, missing: found.missing } } : {}),
  };
  const rootOf = (entry: VideoEntry): string => (entry.root === undefined ? root : extraRoots[entry.root]!);
  await refuseShardChange(out, shard);

  const { store, resume } = await DatasetStore.open(out, { configuration, source: manifestSource, rebuild: options.rebuild ?? false });
  try {
    const todo = await largestFirst(selected.filter((v) => !resume.committed.has(v.id)), rootOf);
    const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), todo.length));
    const plan: BuildPlan = {
      out,
      source: source.name,
      discovered: found.videos.length,
      selected: selected.length,
      committed: selected.length - todo.length,
      todo: todo.length,
      workers: todo.length === 0 ? 0 : workers,
      shard,
      resume,
      unmatched: found.unmatched,
      linksOutsideRoot: found.linksOutsideRoot,
      skipped: found.skipped,
      splitEntries: found.splitEntries,
      missing: found.missing,
      warnings: found.warnings,
      noRealClass: found.noRealClass,
    };
    reporter.planned?.(plan);
    const run = await processVideos({ options, rootOf, todo, csvs, source, store, workers: plan.workers, reporter, signals });
    if (!run.interrupted) await store.complete();
    return {
      out,
      plan,
      ...run,
      wallSeconds: (performance.now() - started) / 1000,
      manifest: store.manifest,
    };
  } finally {
    await store.close();
  }
}

interface ProcessContext {
  options: BuildOptions;
  rootOf: (entry: VideoEntry) => string;
  todo: VideoEntry[];
  csvs: Map<string, string | null> | null;
  source: SourceSpec;
  store: DatasetStore;
  workers: number;
  reporter: BuildReporter;
  signals: BuildSignals;
}

type ProcessResult = Pick<BuildSummary, "ok" | "failures" | "abandoned" | "notStarted" | "interrupted" | "frames" | "workerMemory">;

async function processVideos(ctx: ProcessContext): Promise<ProcessResult> {
  const { options, rootOf, todo, store, reporter, signals } = ctx;
  const result: ProcessResult = { ok: 0, failures: [], abandoned: [], notStarted: 0, interrupted: false, frames: 0, workerMemory: new Map() };
  if (todo.length === 0) return result;

  const writer = new PartWriter({ rowsPerPart: options.rowsPerPart ?? 25_000, ...(options.maxBufferAgeMs === undefined ? {} : { maxBufferAgeMs: options.maxBufferAgeMs }) });
  const summaries = new Map<string, VideoSummary>();
  let fatal: Error | null = null;
  let commits: Promise<void> = Promise.resolve();
  const enqueue = (step: () => Promise<void>): void => {
    commits = commits.then(async () => {
      if (fatal) return;
      try {
        await step();
      } catch (error) {
        fatal ??= error as Error;
      }
    });
  };
  const commitParts = (parts: EncodedPart[]): void => {
    for (const part of parts) {
      enqueue(async () => {
        await store.commitPart(part, part.videos.map((v) => summaries.get(v.id)!));
        for (const v of part.videos) summaries.delete(v.id);
      });
    }
  };
  const staleTimer = setInterval(() => commitParts(writer.flushStale()), 5_000);
  staleTimer.unref();

  const running = new Set<string>();
  const abandon = new AbortController();
  const stopped = (): boolean => fatal !== null || signals.stop?.aborted === true || signals.abandon?.aborted === true;
  const onStop = (): void => reporter.interrupted?.("stop", [...running]);
  const onAbandon = (): void => {
    reporter.interrupted?.("abandon", [...running]);
    abandon.abort();
  };
  signals.stop?.addEventListener("abort", onStop, { once: true });
  signals.abandon?.addEventListener("abort", onAbandon, { once: true });
  if (signals.abandon?.aborted) abandon.abort();

  const pool = new VideoPool({
    workers: ctx.workers,
    setup: {
      source: ctx.source,
      face: ctx.options.face ?? DEFAULT_FACE_CHOICE,
      outputBox: ctx.options.outputBox ?? outputBoxOf(ctx.source),
      progressIntervalMs: options.progressIntervalMs ?? 250,
    },
    onMessage: (message) => {
      if (message.kind === "progress") reporter.progress?.(message);
    },
  });

  const fail = (entry: VideoEntry, error: string, threadId: number | null): void => {
    result.failures.push({ id: entry.id, path: entry.path, error });
    reporter.videoDone?.({ kind: "failed", id: entry.id, path: entry.path, error, threadId });
    enqueue(() => store.recordFailure({ id: entry.id, path: entry.path, error }));
  };

  const handle = (entry: VideoEntry, outcome: VideoOutcome): void => {
    if (outcome.kind === "fatal") {
      fatal ??= new BuildError(outcome.error);
      return;
    }
    if ("peakMemory" in outcome && outcome.peakMemory && outcome.threadId !== null) {
      result.workerMemory.set(outcome.threadId, outcome.peakMemory);
    }
    if (outcome.kind === "abandoned" || (outcome.kind === "failed" && stopped())) {
      // After Ctrl-C a failure may be the interrupt itself (the terminal's SIGINT also reaches the decoders).
      result.abandoned.push(entry.id);
      reporter.videoDone?.({ kind: "abandoned", id: entry.id });
      return;
    }
    if (outcome.kind === "failed") {
      fail(entry, outcome.error, outcome.threadId);
      return;
    }
    result.ok++;
    result.frames += outcome.rows.frame.length;
    summaries.set(entry.id, outcome.summary);
    reporter.videoDone?.({ kind: "ok", id: entry.id, frames: outcome.rows.frame.length, seconds: outcome.seconds, threadId: outcome.threadId });
    try {
      commitParts(writer.add(outcome.rows));
    } catch (error) {
      fatal ??= error as Error;
    }
  };

  let next = 0;
  const lane = async (): Promise<void> => {
    while (!stopped() && next < todo.length) {
      const entry = todo[next++]!;
      const videoPath = join(rootOf(entry), entry.path);
      const landmarkFile = ctx.csvs ? (ctx.csvs.get(entry.id) ?? null) : null;
      if (ctx.csvs && landmarkFile === null) {
        fail(
          entry,
          ctx.options.landmarksDir !== undefined
            ? `${videoPath}: no landmarks for it in the --landmarks directory (looked for <video path>, <video id> and <file stem> as a folder or .npy, .jsonl, .csv)`
            : `${videoPath}: no OpenFace CSV for it in the --openface directory (looked for <video path>.csv, <video id>.csv and <file stem>.csv)`,
          null,
        );
        continue;
      }
      running.add(entry.id);
      const fault = options.faults?.[entry.id];
      const outcome = await pool.run({ entry, videoPath, landmarkFile, ...(fault ? { fault } : {}) }, abandon.signal);
      running.delete(entry.id);
      handle(entry, outcome);
    }
  };

  try {
    await Promise.all(Array.from({ length: ctx.workers }, lane));
  } finally {
    clearInterval(staleTimer);
    signals.stop?.removeEventListener("abort", onStop);
    signals.abandon?.removeEventListener("abort", onAbandon);
    await pool.destroy().catch(() => undefined);
  }
  result.notStarted = todo.length - next;
  result.interrupted = signals.stop?.aborted === true || signals.abandon?.aborted === true;
  // Everything complete is committed, interrupted or not.
  if (!fatal) {
    try {
      commitParts(writer.flush());
    } catch (error) {
      fatal = error as Error;
    }
  }
  await commits;
  if (fatal) throw fatal;
  return result;
}

async function landmarkSource(options: BuildOptions, matches: Map<string, string | null> | null): Promise<SourceSpec> {
  if (options.openfaceDir !== undefined) {
    if (options.modelPath !== undefined) throw new BuildError("--model is for MediaPipe; it cannot be combined with --openface");
    return { name: "openface" };
  }
  if (options.landmarksDir !== undefined) {
    // The layout (points per face) and format come from the first video's file; a video whose file differs fails alone.
    const sample = [...(matches?.values() ?? [])].find((path): path is string => path !== null);
    if (sample === undefined) throw new BuildError(`--landmarks ${options.landmarksDir}: no video of the build has landmarks there (looked for <video path>, <video id> and <file stem>)`);
    const format = options.landmarkFormat ?? detectImportFormat(sample);
    if (format === "openface") return { name: "openface" };
    return prepareSourceSpec(
      { name: "import", ...(options.landmarkFormat === undefined ? {} : { format }), ...(options.points === undefined ? {} : { map: options.points }) },
      sample,
    );
  }
  if (options.detector !== undefined && options.detector !== "mediapipe") {
    return prepareSourceSpec({ ...pluginSpecFor(options.detector), ...(options.points === undefined ? {} : { points: options.points }) });
  }
  return prepareSourceSpec({
    name: "mediapipe",
    mode: options.mode ?? "image",
    ...(options.modelPath === undefined ? {} : { modelPath: options.modelPath }),
    ...(options.downloadModel === undefined ? {} : { download: options.downloadModel }),
    ...(options.enhance === undefined ? {} : { enhance: options.enhance }),
  });
}

/** An output holds one shard: resuming it as another would mix two shards' videos under one shard label. */
async function refuseShardChange(out: string, shard: ShardSpec | null): Promise<void> {
  // A manifest that cannot be read is the store's to judge (refused, or removed with --rebuild).
  const previous = await readManifest(out).catch(() => null);
  if (!previous || previous.videos.length + previous.failures.length === 0) return;
  const was = previous.source.shard;
  const same = was === null ? shard === null : shard !== null && was.index === shard.index && was.count === shard.count;
  if (!same) {
    const describe = (s: ShardSpec | null): string => (s === null ? "no shard (every video)" : `shard ${s.index}/${s.count}`);
    throw new BuildError(`${out} holds ${describe(was)}, but this run is ${describe(shard)}; give each shard its own output directory`);
  }
}

/** Biggest files first, so that the last videos to finish are short ones and no worker idles long at the end. */
async function largestFirst(videos: VideoEntry[], rootOf: (entry: VideoEntry) => string): Promise<VideoEntry[]> {
  const sizes = new Map<string, number>();
  await Promise.all(videos.map(async (v) => sizes.set(v.id, (await stat(join(rootOf(v), v.path)).catch(() => null))?.size ?? 0)));
  return [...videos].sort((a, b) => sizes.get(b.id)! - sizes.get(a.id)! || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

