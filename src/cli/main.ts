import { CALIBRATE_HELP, runCalibrateCommand } from "./calibrate-command.js";
import { BUILD_HELP, runBuildCommand } from "./build-command.js";
import { UsageError } from "./errors.js";
import { toolVersion } from "./run-record.js";
import { EXTRACT_HELP, runExtractCommand } from "./extract-command.js";
import { VALIDATE_HELP, runValidateCommand } from "./validate-command.js";
import { EXPORT_HELP, runExportCommand } from "./export-command.js";
import { REPORT_HELP, runReportCommand } from "./report-command.js";
import { MERGE_HELP, runMergeCommand } from "./merge-command.js";
import { CLUSTER_HELP, runClusterCommand } from "./cluster-command.js";

interface Command {
  summary: string;
  help: string;
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  calibrate: {
    summary: "calibrate OpenFace landmarks of a video exactly as LRNet does",
    help: CALIBRATE_HELP,
    run: runCalibrateCommand,
  },
  extract: {
    summary: "detect (MediaPipe) and calibrate LRNet landmarks from a raw video",
    help: EXTRACT_HELP,
    run: runExtractCommand,
  },
  build: {
    summary: "build a Parquet landmark dataset from a dataset tree (FF++, DFO, any folder), in parallel, resumable",
    help: BUILD_HELP,
    run: runBuildCommand,
  },
  merge: {
    summary: "combine the outputs of sharded builds into one dataset",
    help: MERGE_HELP,
    run: runMergeCommand,
  },
  cluster: {
    summary: "print the job files of a sharded build and its merge: a Slurm array job, or Kubernetes Indexed Job YAML",
    help: CLUSTER_HELP,
    run: runClusterCommand,
  },
  validate: {
    summary: "check a built dataset before training: files, hashes, rows, frames, values, splits, leakage",
    help: VALIDATE_HELP,
    run: runValidateCommand,
  },
  export: {
    summary: "write a built dataset as LRNet's landmark text files (its FF++ training tree)",
    help: EXPORT_HELP,
    run: runExportCommand,
  },
  report: {
    summary: "write one self-contained HTML page showing what a built dataset holds",
    help: REPORT_HELP,
    run: runReportCommand,
  },
};

/** Errors that describe a problem with the user's input or machine: printed as one line, no stack trace. */
const USER_FACING_ERRORS = new Set([
  "UsageError",
  "UserFacingError",
  "OpenFaceCsvError",
  "VideoInputError",
  "VideoDecodeError",
  "FfmpegNotFoundError",
  "MediaPipeError",
  "ModelResolveError",
  "LkWasmMissingError",
  "BuildError",
  "MergeError",
  "ClusterError",
  "DatasetError",
  "LayoutError",
  "ConfigurationChangedError",
  "StoreError",
  "ValidationInputError",
  "ExportError",
  "ReportError",
]);

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const list = Object.entries(COMMANDS)
    .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
    .join("\n");
  return `lrnet-data ${toolVersion()}: calibrated facial-landmark datasets for LRNet-style deepfake detectors

Usage:
  lrnet-data <command> [options]
  lrnet-data <command> --help

Commands:
${list}

A typical run: build a dataset, check it, look at it, hand it to LRNet:
  lrnet-data build --layout ffpp --root FF++ --splits SPLITS -o ffpp-c23 --compression c23
  lrnet-data validate ffpp-c23 && lrnet-data report ffpp-c23 -o report.html
  lrnet-data export ffpp-c23 --format lrnet -o lrnet-txt

Environment:
  FFMPEG_PATH                 use this ffmpeg (otherwise: ffmpeg-static, ffmpeg on PATH, @ffmpeg-installer/ffmpeg)
  LRNET_DATA_MODEL            a face_landmarker.task to use (like --model)
  LRNET_DATA_CACHE            where models are cached (default $XDG_CACHE_HOME/lrnet-data or ~/.cache/lrnet-data)
  LRNET_DATA_DOWNLOAD_MODEL   set to 1 to allow downloading Google's official model (checksum-verified)
  LRNET_LK_CORE               ts to use the TypeScript optical-flow core instead of WebAssembly (same output)
  LRNET_DATA_DEBUG            set to 1 to print stack traces
  LRNET_DATA_SHARD_COUNT      build --shard auto in a Kubernetes Indexed Job: the number of shards (completions)
`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    process.stdout.write(mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-V") {
    process.stdout.write(toolVersion() + "\n");
    return 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) throw new UsageError(`unknown command "${name}"`);
  return command.run(rest);
}

function isUserFacing(err: unknown): err is Error {
  if (!(err instanceof Error)) return false;
  // parseArgs reports unknown or malformed options with these codes.
  const code = (err as NodeJS.ErrnoException).code;
  return USER_FACING_ERRORS.has(err.name) || (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS"));
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (err) {
    if (process.env.LRNET_DATA_DEBUG === "1" || !isUserFacing(err)) {
      process.stderr.write(`lrnet-data: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
      return;
    }
    const usage = err.name === "UsageError" || (err as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS");
    process.stderr.write(`lrnet-data: ${err.message}${usage ? " (see lrnet-data --help)" : ""}\n`);
    process.exitCode = usage ? 2 : 1;
  }
}
