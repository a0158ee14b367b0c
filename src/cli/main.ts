import { LrnetDataError, UsageError, oneLine } from "../errors.js";
import { toolVersion } from "./run-record.js";

interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

// Each command's module is imported when it runs: a calibration never loads MediaPipe, Parquet or the pool.
const COMMANDS: Record<string, Command> = {
  calibrate: {
    summary: "calibrate OpenFace or imported landmarks (.npy, .jsonl, .csv) of a video exactly as LRNet does",
    run: async (argv) => (await import("./calibrate-command.js")).runCalibrateCommand(argv),
  },
  extract: {
    summary: "detect (MediaPipe or a detector plugin) and calibrate LRNet landmarks from a raw video",
    run: async (argv) => (await import("./extract-command.js")).runExtractCommand(argv),
  },
  build: {
    summary: "build a Parquet landmark dataset from a dataset tree (FF++, DFO, any folder), in parallel, resumable",
    run: async (argv) => (await import("./build-command.js")).runBuildCommand(argv),
  },
  merge: {
    summary: "combine the outputs of sharded builds into one dataset",
    run: async (argv) => (await import("./merge-command.js")).runMergeCommand(argv),
  },
  cluster: {
    summary: "print the job files of a sharded build and its merge: a Slurm array job, or Kubernetes Indexed Job YAML",
    run: async (argv) => (await import("./cluster-command.js")).runClusterCommand(argv),
  },
  validate: {
    summary: "check a built dataset before training: files, hashes, rows, frames, values, splits, leakage",
    run: async (argv) => (await import("./validate-command.js")).runValidateCommand(argv),
  },
  export: {
    summary: "write a built dataset for training or publishing: LRNet's text tree, a Hugging Face folder, or .npy arrays",
    run: async (argv) => (await import("./export-command.js")).runExportCommand(argv),
  },
  report: {
    summary: "write one self-contained HTML page showing what a built dataset holds",
    run: async (argv) => (await import("./report-command.js")).runReportCommand(argv),
  },
  compare: {
    summary: "compare two landmark datasets of the same videos (e.g. two detectors): NME per region, detection, jitter",
    run: async (argv) => (await import("./compare-command.js")).runCompareCommand(argv),
  },
};

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

/** parseArgs reports unknown or malformed options with these codes: mistakes in the command line. */
function isParseArgsError(err: unknown): err is Error {
  const code = err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}

/**
 * How an error ends the command: an LrnetDataError (or a parseArgs mistake) as its one line; anything else, a
 * bug, as one line with a pointer to LRNET_DATA_DEBUG=1, which prints the stack of any error.
 */
export function describeCliError(err: unknown, debug: boolean): { text: string; exitCode: number } {
  if (debug) {
    const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
    const exitCode = err instanceof LrnetDataError ? err.exitCode : isParseArgsError(err) ? 2 : 1;
    return { text: `lrnet-data: ${text}`, exitCode };
  }
  if (err instanceof LrnetDataError || isParseArgsError(err)) {
    const exitCode = err instanceof LrnetDataError ? err.exitCode : 2;
    return { text: `lrnet-data: ${err.message}${exitCode === 2 ? " (see lrnet-data --help)" : ""}`, exitCode };
  }
  const line = err instanceof Error ? `${err.name}: ${err.message}` : `non-Error thrown: ${String(err)}`;
  return { text: `lrnet-data: ${oneLine(line)} (an unexpected error: set LRNET_DATA_DEBUG=1 for its stack trace)`, exitCode: 1 };
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (err) {
    const { text, exitCode } = describeCliError(err, process.env.LRNET_DATA_DEBUG === "1");
    process.stderr.write(text + "\n");
    process.exitCode = exitCode;
  }
}
