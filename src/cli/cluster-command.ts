import { basename, isAbsolute, join, posix, resolve } from "node:path";
import { defaultMemoryMiB, type ClusterJob } from "../cluster/cluster-job.js";
import { kubernetesName, kubernetesYaml, parseClaimMount, type KubernetesOptions } from "../cluster/kubernetes-jobs.js";
import { shellCommand } from "../cluster/shell-quote.js";
import { slurmSubmitScript, type SlurmOptions } from "../cluster/slurm-script.js";
import { packageRoot } from "../io/package-files.js";
import { BUILD_ARG_OPTIONS, toBuildOptions, type BuildArgValues } from "./build-command.js";
import { UsageError } from "../errors.js";
import { parseCommand, wholeNumber } from "./options.js";

const DEFAULT_WORKERS = 4;

export const CLUSTER_HELP = `lrnet-data cluster: print the job files of a sharded build on a cluster, and of its merge

Usage:
  lrnet-data cluster slurm --shards N [build options] [--time T] [--partition P] [--account A] > submit.sh
  lrnet-data cluster k8s --shards N --image IMAGE --volume CLAIM:/mount[:ro]... [build options] > lrnet.yaml

slurm prints a bash script to run once on a login node (bash submit.sh). It writes OUT/slurm/build.sbatch, an
array job of N tasks (--cpus-per-task = --workers, --requeue, --open-mode=append), and OUT/slurm/merge.sbatch,
and submits both, the merge with --dependency=afterok on the array. Task K runs "lrnet-data build … --shard
auto -o OUT" and so builds OUT/shard-K-of-N; a task that runs again (requeued, preempted, resubmitted) resumes
its shard. The merged dataset goes to --merge-out (default OUT/merged).

k8s prints two batch/v1 Jobs as YAML: an Indexed Job (completionMode Indexed, completions N) whose pod i builds
shard i+1 (JOB_COMPLETION_INDEX, LRNET_DATA_SHARD_COUNT=N) on the shared volume, and a merge Job created
suspended, to resume once the build completed (the YAML's header shows the kubectl commands). Paths are the
pods' paths: -o (and --merge-out) must be on a writable --volume, a ReadWriteMany claim every pod mounts.

Build options: those of lrnet-data build (--layout, --root, --splits, -o, --methods, --compression,
--splits-only, --pattern, --list, --openface, --mode, --model, --download-model, --rows-per-part, --rebuild,
--no-validate), passed on to every task; --shard and --progress are set by the job. For slurm, relative paths
are made absolute here.

Job options:
  --shards N            shards: array tasks (slurm) or completions (k8s)
  --workers N           worker threads per task, and the CPUs each task asks for (default ${DEFAULT_WORKERS})
  --mem MIB             memory per build task in MiB (default 512 + 256 per worker)
  --merge-out DIR       the merged dataset (default OUT/merged)
  --job-name NAME       jobs NAME-build and NAME-merge (default lrnet-<name of OUT>)
  --exec CMD            how a task runs lrnet-data, put as it is in the job's shell script (slurm default: this
                        installation, "${process.execPath} ${join(packageRoot, "bin", "lrnet-data.js")}";
                        k8s default: lrnet-data); e.g. "apptainer exec lrnet.sif lrnet-data"
  slurm: --time T (each task's limit, e.g. 08:00:00), --partition P, --account A
  k8s:   --image IMAGE (with lrnet-data and /bin/sh), --volume CLAIM:/mount[:ro] (repeat it), --namespace NS,
         --parallelism P (pods at once; default N), --backoff-per-index R (retries per index; default 3)
  -h, --help            this text

Examples:
  lrnet-data cluster slurm --shards 16 --workers 8 --time 08:00:00 --layout ffpp --root /data/FF++ \\
      --splits /data/ffpp-splits --compression c23 -o /scratch/ffpp-c23 > submit.sh && bash submit.sh
  lrnet-data cluster k8s --shards 16 --workers 4 --image registry.example.org/lrnet-data:0.1.0 \\
      --volume faceforensics:/data:ro --volume lrnet-out:/out --layout ffpp --root /data/FF++ \\
      --splits /data/ffpp-splits -o /out/ffpp-c23 > lrnet.yaml
`;

const CLUSTER_OPTIONS = {
  shards: { type: "string" },
  mem: { type: "string" },
  "merge-out": { type: "string" },
  "job-name": { type: "string" },
  exec: { type: "string" },
  time: { type: "string" },
  partition: { type: "string" },
  account: { type: "string" },
  image: { type: "string" },
  volume: { type: "string", multiple: true },
  namespace: { type: "string" },
  parallelism: { type: "string" },
  "backoff-per-index": { type: "string" },
} as const;

/** Options of build that the job sets itself, and build's path options (made absolute for Slurm). */
const SET_BY_JOB = new Set(["shard", "workers", "progress", "out"]);
const PATH_OPTIONS = new Set(["root", "splits", "list", "openface", "landmarks", "model", "ffpp-root"]);

export async function runClusterCommand(argv: string[]): Promise<number> {
  const [engine, ...rest] = argv;
  if (engine === undefined || engine === "-h" || engine === "--help") {
    process.stdout.write(CLUSTER_HELP);
    return engine === undefined ? 2 : 0;
  }
  if (engine !== "slurm" && engine !== "k8s") throw new UsageError(`cluster takes slurm or k8s first, got "${engine}"`);
  const parsed = parseCommand(rest, { ...BUILD_ARG_OPTIONS, ...CLUSTER_OPTIONS }, CLUSTER_HELP);
  if (parsed === null) return 0;
  const { values } = parsed;
  if (values.shard !== undefined) throw new UsageError("--shard is set by the job (--shard auto); give the number of shards with --shards N");
  if (values.progress !== "auto") throw new UsageError("--progress is set by the job (lines, for its log)");
  const shards = count(values.shards, "--shards", 1);
  if (shards === undefined) throw new UsageError("--shards N is required (the number of array tasks / indices)");
  const workers = count(values.workers, "--workers", 1) ?? DEFAULT_WORKERS;
  const slurm = engine === "slurm";
  if (!slurm) {
    for (const [flag, value] of [["-o", values.out], ["--root", values.root], ["--merge-out", values["merge-out"]]] as const) {
      if (value !== undefined && !posix.isAbsolute(value)) throw new UsageError(`${flag} ${value}: give the absolute path inside the pods`);
    }
  }
  const pathOf = (value: string): string => (slurm ? resolve(value) : posix.normalize(value));
  const buildValues: BuildArgValues = { ...values, workers: String(workers), shard: undefined, progress: "auto" };
  const checked = toBuildOptions(buildValues, null); // the same checks a task's build makes
  const out = pathOf(checked.out);
  const mergeOut = values["merge-out"] === undefined ? (slurm ? join(out, "merged") : posix.join(out, "merged")) : pathOf(values["merge-out"]);
  if (slurm && /[\s'"\\]/.test(out)) throw new UsageError(`-o ${out}: a path with spaces or quotes cannot go in #SBATCH lines; choose another`);

  const job: ClusterJob = {
    name: kubernetesName(values["job-name"] ?? `lrnet-${basename(out)}`),
    shards,
    workers,
    memoryMiB: count(values.mem, "--mem", 64) ?? defaultMemoryMiB(workers),
    buildArgs: buildArgs(values, slurm),
    out,
    mergeOut,
    exec: values.exec ?? (slurm ? shellCommand([process.execPath, join(packageRoot, "bin", "lrnet-data.js")]) : "lrnet-data"),
    generatedBy: `lrnet-data cluster ${engine} ${shellCommand(rest)}`,
  };
  if (slurm) {
    const options: SlurmOptions = {
      ...(values.time === undefined ? {} : { time: values.time }),
      ...(values.partition === undefined ? {} : { partition: values.partition }),
      ...(values.account === undefined ? {} : { account: values.account }),
    };
    process.stdout.write(slurmSubmitScript(job, options));
    return 0;
  }
  if (values.image === undefined) throw new UsageError("k8s needs --image IMAGE (an image with lrnet-data and /bin/sh)");
  if (values.volume === undefined) throw new UsageError("k8s needs --volume CLAIM:/mount for the output: one ReadWriteMany claim that every pod mounts");
  const k8s: KubernetesOptions = {
    image: values.image,
    volumes: values.volume.map(parseClaimMount),
    ...(values.namespace === undefined ? {} : { namespace: values.namespace }),
    ...optionalCount("parallelism", values.parallelism, "--parallelism", 1),
    ...optionalCount("backoffLimitPerIndex", values["backoff-per-index"], "--backoff-per-index", 0),
  };
  process.stdout.write(kubernetesYaml(job, k8s));
  return 0;
}

/** The build options to pass on, in the order of build's option table; paths made absolute for Slurm. */
function buildArgs(values: Partial<Record<keyof typeof BUILD_ARG_OPTIONS, string | boolean | string[] | undefined>>, absolutePaths: boolean): string[] {
  const args: string[] = [];
  for (const key of Object.keys(BUILD_ARG_OPTIONS) as (keyof typeof BUILD_ARG_OPTIONS)[]) {
    if (SET_BY_JOB.has(key)) continue;
    const value = values[key];
    const path = (text: string): string => (absolutePaths && (PATH_OPTIONS.has(key) || (key === "layout" && looksLikeFile(text))) ? resolve(text) : text);
    if (value === true) args.push(`--${key}`);
    else if (typeof value === "string") args.push(`--${key}`, path(value));
    else if (Array.isArray(value)) for (const item of value) args.push(`--${key}`, item);
  }
  return args;
}

/** A layout given as a JSON file rather than a name from manifests/layouts. */
function looksLikeFile(text: string): boolean {
  return text.endsWith(".json") || text.includes("/") || isAbsolute(text);
}

function count(text: string | undefined, flag: string, least: number): number | undefined {
  return wholeNumber(text, flag, least);
}

function optionalCount<K extends string>(key: K, text: string | undefined, flag: string, least: number): { [P in K]?: number } {
  const n = count(text, flag, least);
  return (n === undefined ? {} : { [key]: n }) as { [P in K]?: number };
}
