import { availableParallelism } from "node:os";
import { runBuild, type BuildOptions, type BuildSummary } from "../batch/run-build.js";
import { parseShard, type ShardSpec } from "../batch/shard.js";
import { parseAutoShard, shardFromEnvironment, type Environment } from "../cluster/shard-environment.js";
import { shardOutputDir } from "../cluster/shard-folder.js";
import { formatValidationSummary, validateDataset } from "../validate/index.js";
import { BuildProgress } from "./build-progress.js";
import { UsageError } from "../errors.js";
import { faceChoice, oneOf, outputBoxHelp, outputBoxOption, parseCommand, required, wholeNumber } from "./options.js";
import { LANDMARK_OPTIONS, parseLandmarkFormat } from "./landmark-options.js";
import { DARK_FRAMES } from "../extract/dark-frames.js";

/** Exit codes of `build`: every video done; some failed (listed); interrupted by Ctrl-C / SIGTERM. Fatal errors exit 1. */
export const EXIT_SOME_FAILED = 3;
export const EXIT_INTERRUPTED = 130;
/** The build finished but its output does not pass `lrnet-data validate`. */
export const EXIT_INVALID = 4;

export const BUILD_HELP = `lrnet-data build: turn a dataset tree into one Parquet landmark dataset with a manifest

Usage:
  lrnet-data build --layout ffpp --root ROOT --splits DIR -o OUT [filters] [source] [--workers N] [--shard K/N|auto]
  lrnet-data build --layout dfo --root DFO -o OUT [--ffpp-root FFPP | --dfo-real source] [--perturbations T[:L],…]
  lrnet-data build --layout folder --root ROOT -o OUT [--pattern PATTERN | --list FILE] [source]

Finds the videos of ROOT as the layout declares them (layouts/*.json), gets 68 landmarks per frame
(MediaPipe Face Landmarker, a detector plugin, OpenFace CSVs or other precomputed landmarks), applies LRNet's
guard and calibration, and writes one row per decoded frame to
OUT/data/<split>/<method>/<compression>/part-*.parquet (ZSTD), described by OUT/manifest.json.
Videos run in parallel, one per worker. Each finished Parquet file is committed atomically with the manifest, so
a build stopped at any instant (crash, kill, Ctrl-C) resumes where it stopped when run again with the same
command: committed videos are skipped, the rest are redone, none is written twice.

Layout and videos:
  --layout NAME|FILE  ffpp (FaceForensics++), dfo (DeeperForensics-1.0), folder (any tree), or a layout JSON file
  --root DIR          the dataset root the layout's paths are relative to
  --splits DIR        the directory of the layout's split files (ffpp: the official train.json, val.json,
                      test.json; dfo: lists/splits under the root by default)
  --methods A,B       keep only these methods (ffpp: youtube, actors, Deepfakes, Face2Face, FaceSwap,
                      NeuralTextures, FaceShifter, DeepFakeDetection)
  --compression A,B   keep only these compressions (ffpp: raw, c0, c23, c40)
  --splits-only A,B   keep only these splits (e.g. train,val)
  --allow-missing     build the videos that are there when split-file entries name no video (a partial download:
                      FF++'s --num_videos, some of DFO's zips); the missing entries are counted in one line and
                      listed in manifest.json (source.split_coverage). Without it such an entry is an error,
                      so that a build from the official lists is the official benchmark or says why not
  --ffpp-root DIR     dfo: the real class. DeeperForensics-1.0 ships no real video; its README names the
                      FaceForensics++ c23 target of each fake (DIR/original_sequences/youtube/c23/videos/<target>.mp4).
                      Each target found for a fake is real, in the split of its fakes, identity youtube:<target>
  --dfo-real source   dfo: take source_videos/<actor>/… as the real class instead (DeepfakeBench's choice); each
                      actor's videos go to the split that lists/splits gives that actor's fakes, so no actor is in
                      two splits. Without --ffpp-root or --dfo-real a dfo build is all fake and says so (exit 0)
  --perturbations T   dfo: keep fakes with one of these distortions (from lists/manipulated_videos_distortions_meta):
                      a type (CS, CC, BW, GNC, GB, JPEG, VC), a type at a level (VC:2), or none (the raw variants);
                      real videos have no perturbation record and are always kept. Each video's list is in
                      manifest.json (videos[].perturbations: [{type, level}], in the order applied)
  --pattern PATTERN   folder: where label/split/method/compression come from, e.g. "{split}/{label}/**/*"
                      (default "{label}/**/*": the first directory is the label, split train)
  --list FILE         folder: a CSV or JSON list of path,label[,split] (more columns: method, compression,
                      identity) instead of walking the tree

Landmark source (default: MediaPipe):
  --openface DIR      read OpenFace CSVs instead: DIR/<video path>.csv, DIR/<video id>.csv or DIR/<stem>.csv;
                      a video without one is reported as failed
  --landmarks DIR     read precomputed landmarks instead, found as --openface finds CSVs: DIR/<video path>,
                      DIR/<video id> or DIR/<stem>, each a folder of per-frame .npy files (000.npy, 001.npy,
                      …) or a file .npy (frames, P, 2), .jsonl, .csv (docs/detectors.md); the point layout of
                      the first video's file decides the map to LRNet's 68 points
  --landmark-format F npy-frames, npy-video, jsonl, csv or openface (default: found from each path)
  --points MAP        the map of the layout: a count (68, 81, 98, 106, 468, 478), a map of point-maps/ or a
                      map JSON file (default: the map for the point count)
  --detector D        mediapipe (default), or a detector plugin (./my-detector.mjs or a package name): an ES
                      module exporting a landmark-source factory, loaded once in every worker (docs/detectors.md)
  --mode image|video  MediaPipe running mode: image (default) detects every frame on its own; video tracks
                      between frames (each video then gets a fresh landmarker, about 0.5 s)
  --model PATH        a face_landmarker.task bundle (default: as for lrnet-data extract, offline bundle)
  --download-model    allow downloading Google's official bundle into the cache (checksum-verified)
  --enhance MODE      MediaPipe, as for lrnet-data extract: auto (default) brightens, for the detector only, the
                      images it gets whose mean luma is below ${DARK_FRAMES.maxMeanLuma} of 255 (keeps its points on very dark video;
                      normally lit frames pass untouched; calibration reads the frames as they are); off: never
  --face RULE         with several faces, which one each video follows: largest (default), center (nearest the
                      frame's centre) or N (the N-th from the left, 0 = leftmost), chosen at the first frame with
                      a face; then the nearest face to it in every frame. Recorded in the manifest (configuration.face)
${outputBoxHelp(22, "lrnet with --openface, exact for every other source.", "Recorded in the manifest (configuration.output_box)")}

Running:
  -o, --out DIR       the output directory (created; resumed when it holds a build with the same configuration)
  --workers N         worker threads, each with its own landmarker (default: one per core,
                      here ${availableParallelism()})
  --shard K/N         process only shard K of N: the videos whose id hashes to K (see docs/build.md). OUT is then
                      the folder all shards share: this one writes OUT/shard-K-of-N; lrnet-data merge OUT
                      combines them
  --shard auto[/N]    K and N from the cluster engine: a Slurm array task (SLURM_ARRAY_TASK_ID, _MIN, _COUNT
                      or _MAX) or a Kubernetes Indexed Job pod (JOB_COMPLETION_INDEX, from 0; N from auto/N or
                      LRNET_DATA_SHARD_COUNT); lrnet-data cluster slurm|k8s writes such jobs
  --rebuild           when OUT was built with another configuration (model, mode, --enhance, --face, --box,
                      constants, decoder) or layout, or its manifest.json is damaged, remove the files lrnet-data
                      wrote there (only those) and start over (without it, the build refuses)
  --rows-per-part N   rows per Parquet file (default 25000, about 50 videos); smaller files commit sooner
  --progress STYLE    bars (default on a terminal), lines (a status line every 10 s; default otherwise), none
  --no-validate       skip the validation of the finished output (see below)
  -h, --help          this text

Validation: at the end the output is checked as lrnet-data validate does (files, hashes, rows, frames,
values, splits, identity leakage, videos too short for a training block); --no-validate skips it.

Exit codes, the first that applies: 1 error (nothing was built or the build stopped; one line naming the file);
2 usage; ${EXIT_INTERRUPTED} interrupted; ${EXIT_INVALID} built, but validation found problems (listed; also when videos failed);
${EXIT_SOME_FAILED} some videos failed (listed, and recorded in the manifest; a rerun retries them); 0 every video done.
Warnings (no real class, split entries left out with --allow-missing, files skipped) are lines on standard
error and leave the exit code 0.

Files: OUT must be new, empty, or an output of lrnet-data (it marks its outputs with .lrnet-data-output.json
and journals every file it writes in .lrnet-data-journal). lrnet-data deletes only files its journal names:
files you put in OUT are never removed, whatever their name, --rebuild included. OUT may not lie inside
--root, --splits or --openface, nor hold them.
Ctrl-C (or SIGTERM) once: no new video starts, running ones finish and everything complete is committed;
twice: running videos are abandoned. Either way, rerunning the command resumes.

Examples:
  lrnet-data build --layout ffpp --root /data/FaceForensics++ --splits /data/ffpp-splits -o ffpp-c23 \\
      --compression c23 --methods youtube,Deepfakes,Face2Face,FaceSwap,NeuralTextures
  lrnet-data build --layout ffpp --root /data/FaceForensics++ --splits /data/ffpp-splits -o ffpp-c23-of \\
      --compression c23 --openface /data/openface-csvs --workers 8 --shard 3/16     (→ ffpp-c23-of/shard-03-of-16)
  sbatch --array=1-16 --wrap "lrnet-data build --layout ffpp --root /data/FF++ --splits /data/splits -o ffpp \\
      --shard auto"                                                    (task 3 → ffpp/shard-03-of-16)
  lrnet-data cluster slurm --shards 16 --layout ffpp --root /data/FF++ --splits /data/splits -o ffpp > submit.sh
                                                          (the whole job: array, resumable tasks, then merge)
  lrnet-data build --layout dfo --root /data/DeeperForensics-1.0 --ffpp-root /data/FaceForensics++ -o dfo
  lrnet-data build --layout dfo --root /data/DeeperForensics-1.0 --dfo-real source -o dfo-src --perturbations CS,VC:2,none
  lrnet-data build --layout ffpp --root /data/ffpp-partial --splits /data/ffpp-splits -o part --allow-missing
  lrnet-data build --layout folder --root clips -o clips-ds                       (clips/real/…, clips/fake/…)
  lrnet-data build --layout folder --root clips -o clips-ds --pattern "{split}/{label}/**/*"
  lrnet-data build --layout ffpp --root /data/FaceForensics++ --splits /data/ffpp-splits -o ffpp-fan \
      --landmarks /data/fan-landmarks                      (/data/fan-landmarks/<video id>/000.npy …)
  lrnet-data build --layout folder --root clips -o clips-face-api --detector ./examples/face-api-detector/detector.mjs
  lrnet-data build --layout folder --root /data -o my-ds --list videos.csv        (path,label,split rows)
  lrnet-data build --layout folder --root interviews -o interviews-ds --face center   (the face nearest the centre)
`;

/** The options of `build`; `lrnet-data cluster` accepts them too and passes them on to every task. */
export const BUILD_ARG_OPTIONS = {
  layout: { type: "string" },
  root: { type: "string" },
  splits: { type: "string" },
  out: { type: "string", short: "o" },
  methods: { type: "string", multiple: true },
  compression: { type: "string", multiple: true },
  "splits-only": { type: "string", multiple: true },
  "allow-missing": { type: "boolean", default: false },
  "ffpp-root": { type: "string" },
  "dfo-real": { type: "string" },
  perturbations: { type: "string", multiple: true },
  pattern: { type: "string" },
  list: { type: "string" },
  openface: { type: "string" },
  ...LANDMARK_OPTIONS,
  mode: { type: "string" },
  model: { type: "string" },
  "download-model": { type: "boolean", default: false },
  enhance: { type: "string" },
  face: { type: "string" },
  box: { type: "string" },
  workers: { type: "string" },
  shard: { type: "string" },
  rebuild: { type: "boolean", default: false },
  "rows-per-part": { type: "string" },
  progress: { type: "string", default: "auto" },
  "no-validate": { type: "boolean", default: false },
} as const;

export type BuildArgValues = Omit<NonNullable<ReturnType<typeof parseCommand<typeof BUILD_ARG_OPTIONS, false>>>["values"], "help">;

export async function runBuildCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, BUILD_ARG_OPTIONS, BUILD_HELP);
  if (parsed === null) return 0;
  const { values } = parsed;
  const progress = values.progress;
  if (progress !== "auto" && progress !== "bars" && progress !== "lines" && progress !== "none") {
    throw new UsageError(`--progress takes bars, lines or none, got "${progress}"`);
  }
  const shard = values.shard === undefined ? null : shardArgument(values.shard, process.env);
  if (shard?.from) process.stderr.write(`build: shard ${shard.index}/${shard.count} from ${shard.from}\n`);
  const options = toBuildOptions(values, shard);

  const reporter = new BuildProgress(BuildProgress.styleFor(process.stderr, progress));
  const stop = new AbortController();
  const abandon = new AbortController();
  let signalsSeen = 0;
  const onSignal = (): void => {
    signalsSeen++;
    if (signalsSeen === 1) stop.abort();
    else if (signalsSeen === 2) abandon.abort();
    else process.exit(EXIT_INTERRUPTED); // a third time: leave now; the next build cleans up and resumes
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let summary: BuildSummary;
  try {
    summary = await runBuild(options, reporter, { stop: stop.signal, abandon: abandon.signal });
  } finally {
    reporter.stop();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  reporter.finish(summary);
  const validation = values["no-validate"] ? null : await validateBuild(summary);
  return buildExitCode(summary, validation);
}

/**
 * One exit code when several things happened, the most serious first: interrupted (130: the output is not
 * finished), validation failed (4: what was built does not hold), some videos failed (3: listed, retried by a
 * rerun), else 0. Errors that stop the build exit 1 before any of these.
 */
export function buildExitCode(summary: Pick<BuildSummary, "interrupted" | "failures">, validation: number | null): number {
  if (summary.interrupted) return EXIT_INTERRUPTED;
  if (validation !== null) return validation;
  if (summary.failures.length > 0) return EXIT_SOME_FAILED;
  return 0;
}

/**
 * `lrnet-data validate` on the finished output (issue 5): the same checks as the CI gate, except that failed
 * videos are not counted against it, since the build already lists them and exits 3. Returns EXIT_INVALID when
 * the dataset does not hold, null otherwise.
 */
async function validateBuild(summary: BuildSummary): Promise<number | null> {
  if (summary.interrupted) return null;
  const report = await validateDataset(summary.out, { maxFailedShare: 1 });
  process.stderr.write(formatValidationSummary(report, { exitLine: false }));
  return report.ok ? null : EXIT_INVALID;
}

/**
 * The checked build options of a command line. With a shard, `--out` is the folder every shard of the build
 * shares, and this shard writes its own `OUT/shard-K-of-N` in it (lrnet-data merge OUT finds them there).
 */
export function toBuildOptions(values: BuildArgValues, shard: ShardSpec | null): BuildOptions {
  const mode = oneOf(values.mode, "--mode", ["image", "video"]);
  const enhance = oneOf(values.enhance, "--enhance", ["auto", "off"]);
  const plugin = values.detector !== undefined && values.detector !== "mediapipe";
  const sources = [values.openface !== undefined, values.landmarks !== undefined, plugin].filter(Boolean).length;
  if (sources > 1) throw new UsageError("--openface, --landmarks and --detector are different landmark sources; give one");
  if (sources > 0 && (mode !== undefined || values.model !== undefined || values["download-model"] || enhance !== undefined)) {
    throw new UsageError("--mode, --model, --download-model and --enhance are for the MediaPipe detector; they cannot be combined with --openface, --landmarks or --detector");
  }
  if (values.points !== undefined && values.landmarks === undefined && !plugin) throw new UsageError("--points goes with --landmarks or a --detector plugin");
  if (values["landmark-format"] !== undefined && values.landmarks === undefined) throw new UsageError("--landmark-format goes with --landmarks");
  const dfoReal = oneOf(values["dfo-real"], "--dfo-real", ["source", "ffpp"]);
  if (dfoReal === "ffpp" && values["ffpp-root"] === undefined) throw new UsageError("--dfo-real ffpp needs --ffpp-root DIR (the FaceForensics++ root)");
  const out = required(values.out, "--out");
  return {
    layout: required(values.layout, "--layout"),
    root: required(values.root, "--root"),
    out: shard === null ? out : shardOutputDir(out, shard),
    shard: shard === null ? null : { index: shard.index, count: shard.count },
    rebuild: values.rebuild === true,
    ...optional("splitsDir", values.splits),
    ...optional("pattern", values.pattern),
    ...optional("list", values.list),
    ...optional("methods", names(values.methods, "--methods")),
    ...optional("compression", names(values.compression, "--compression")),
    ...optional("splitsOnly", names(values["splits-only"], "--splits-only")),
    ...optional("perturbations", names(values.perturbations, "--perturbations")),
    ...(values["allow-missing"] ? { allowMissing: true } : {}),
    ...(values["ffpp-root"] === undefined ? {} : { extraRoots: { ffpp: values["ffpp-root"] } }),
    ...(dfoReal === "source" ? { optIn: ["source"] } : {}),
    ...optional("openfaceDir", values.openface),
    ...optional("landmarksDir", values.landmarks),
    ...optional("landmarkFormat", parseLandmarkFormat(values["landmark-format"])),
    ...optional("points", values.points),
    ...optional("detector", plugin ? values.detector : undefined),
    ...optional("mode", mode),
    ...optional("modelPath", values.model),
    ...(values["download-model"] ? { downloadModel: true } : {}),
    ...optional("enhance", enhance),
    ...optional("face", faceChoice(values.face)),
    ...optional("outputBox", outputBoxOption(values.box)),
    ...optional("workers", wholeNumber(values.workers, "--workers", 1)),
    ...optional("rowsPerPart", wholeNumber(values["rows-per-part"], "--rows-per-part", 1)),
  };
}

/** `--shard K/N`, or `auto` / `auto/N` read from the cluster engine's environment (then `from` says where). */
function shardArgument(text: string, env: Environment): (ShardSpec & { from?: string }) | null {
  try {
    const auto = parseAutoShard(text);
    if (auto === null) return parseShard(text);
    return shardFromEnvironment(env, auto.count);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}


function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** `--methods A,B --methods C` → [A, B, C]. */
function names(values: string[] | undefined, flag: string): string[] | undefined {
  if (values === undefined) return undefined;
  const list = values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
  if (list.length === 0) throw new UsageError(`${flag} needs at least one name`);
  return [...new Set(list)];
}

