import type { ShardSpec } from "../batch/shard.js";
import { ClusterError } from "./errors.js";

/** The process environment, or a plain record in tests. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Where `--shard auto` found its shard. */
export type ShardEngine = "slurm" | "kubernetes";

export interface EngineShard extends ShardSpec {
  engine: ShardEngine;
  /** The variables it was read from, for the log line (e.g. `SLURM_ARRAY_TASK_ID=3`). */
  from: string;
}

/** Set by `lrnet-data cluster k8s` in each pod: Kubernetes tells an Indexed Job's pod its index, not the count. */
export const SHARD_COUNT_VARIABLE = "LRNET_DATA_SHARD_COUNT";

/**
 * `--shard` as given: `K/N` (explicit), `auto` or `auto/N` (from the engine's environment). Returns null for
 * `K/N`, so the caller parses that as before.
 */
export function parseAutoShard(text: string): { count: number | null } | null {
  const match = /^\s*auto\s*(?:\/\s*(\S+)\s*)?$/.exec(text);
  if (!match) return null;
  if (match[1] === undefined) return { count: null };
  return { count: wholeNumber(match[1], `--shard auto/N`, 1) };
}

/**
 * The shard of this process from a cluster engine's environment:
 *
 * - a Slurm array task: K = (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN) / step + 1, N = SLURM_ARRAY_TASK_COUNT
 *   (or (SLURM_ARRAY_TASK_MAX − MIN) / step + 1); the step is SLURM_ARRAY_TASK_STEP (1 when absent). An array
 *   given as a list (`--array=1,4,9`) has no fixed step and is refused;
 * - a Kubernetes Indexed Job's pod: K = JOB_COMPLETION_INDEX + 1 (it counts from 0), N from `--shard auto/N`
 *   (`count`) or LRNET_DATA_SHARD_COUNT.
 *
 * `count`, when given, must agree with what the engine says. Anything else (neither engine, both, a Slurm job
 * that is not an array, values that do not fit) is a ClusterError of one line naming the variables.
 */
export function shardFromEnvironment(env: Environment, count: number | null = null): EngineShard {
  const slurm = env["SLURM_ARRAY_TASK_ID"] !== undefined;
  const kubernetes = env["JOB_COMPLETION_INDEX"] !== undefined;
  if (slurm && kubernetes) {
    throw new ClusterError("--shard auto: both SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX are set; unset the one that does not belong to this job, or give --shard K/N");
  }
  if (slurm) return slurmShard(env, count);
  if (kubernetes) return kubernetesShard(env, count);
  if (env["SLURM_JOB_ID"] !== undefined) {
    throw new ClusterError(`--shard auto: Slurm job ${env["SLURM_JOB_ID"]} is not an array job (no SLURM_ARRAY_TASK_ID); submit it with sbatch --array=1-N, or give --shard K/N`);
  }
  throw new ClusterError(
    "--shard auto needs a Slurm array task (SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job pod (JOB_COMPLETION_INDEX), and neither is set here; give --shard K/N instead",
  );
}

function slurmShard(env: Environment, count: number | null): EngineShard {
  const id = variable(env, "SLURM_ARRAY_TASK_ID", 0);
  const min = variable(env, "SLURM_ARRAY_TASK_MIN", 0);
  const step = env["SLURM_ARRAY_TASK_STEP"] === undefined ? 1 : variable(env, "SLURM_ARRAY_TASK_STEP", 1);
  const max = env["SLURM_ARRAY_TASK_MAX"] === undefined ? null : variable(env, "SLURM_ARRAY_TASK_MAX", 0);
  const tasks = env["SLURM_ARRAY_TASK_COUNT"] === undefined ? null : variable(env, "SLURM_ARRAY_TASK_COUNT", 1);
  const span = max === null ? null : (max - min) / step + 1;
  if (tasks === null && span === null) {
    throw new ClusterError("--shard auto: SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX is; give --shard K/N");
  }
  const from = `SLURM_ARRAY_TASK_ID=${id}, SLURM_ARRAY_TASK_MIN=${min}` + (tasks === null ? `, SLURM_ARRAY_TASK_MAX=${max}` : `, SLURM_ARRAY_TASK_COUNT=${tasks}`);
  if (span !== null && (!Number.isInteger(span) || (tasks !== null && span !== tasks))) {
    throw new ClusterError(
      `--shard auto: the Slurm array is not a range ${min}-${max}${step === 1 ? "" : `:${step}`} of ${tasks ?? "?"} tasks (${from}); submit it as --array=1-N, or give --shard K/N`,
    );
  }
  const n = tasks ?? span!;
  const k = (id - min) / step + 1;
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new ClusterError(`--shard auto: task ${id} is not one of the ${n} tasks of the array starting at ${min} (${from}); submit it as --array=1-N, or give --shard K/N`);
  }
  if (count !== null && count !== n) throw new ClusterError(`--shard auto/${count}, but the Slurm array has ${n} tasks (${from})`);
  return { engine: "slurm", index: k, count: n, from };
}

function kubernetesShard(env: Environment, count: number | null): EngineShard {
  const index = variable(env, "JOB_COMPLETION_INDEX", 0);
  const fromEnv = env[SHARD_COUNT_VARIABLE] === undefined ? null : variable(env, SHARD_COUNT_VARIABLE, 1);
  if (count !== null && fromEnv !== null && count !== fromEnv) {
    throw new ClusterError(`--shard auto/${count}, but ${SHARD_COUNT_VARIABLE}=${fromEnv}; give one shard count`);
  }
  const n = count ?? fromEnv;
  if (n === null) {
    throw new ClusterError(`--shard auto: JOB_COMPLETION_INDEX=${index} tells the shard but not how many there are; give --shard auto/N (N = the Job's completions) or set ${SHARD_COUNT_VARIABLE}`);
  }
  if (index >= n) throw new ClusterError(`--shard auto: JOB_COMPLETION_INDEX=${index} is not below the shard count ${n} (it counts from 0)`);
  const from = `JOB_COMPLETION_INDEX=${index}, ` + (count !== null ? `--shard auto/${count}` : `${SHARD_COUNT_VARIABLE}=${fromEnv}`);
  return { engine: "kubernetes", index: index + 1, count: n, from };
}

function variable(env: Environment, name: string, least: number): number {
  return wholeNumber(env[name] ?? "", name, least);
}

function wholeNumber(text: string, name: string, least: number): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < least) throw new ClusterError(`${name} must be a whole number >= ${least}, got "${text}"`);
  return n;
}
