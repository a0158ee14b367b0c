import { shellCommand, shellQuote } from "./shell-quote.js";
import { BUILD_EXIT_SOME_FAILED, type ClusterJob } from "./cluster-job.js";

export interface SlurmOptions {
  /** `--time` of each build task (e.g. 08:00:00); the partition's default when absent. */
  time?: string;
  partition?: string;
  account?: string;
}

/**
 * A bash script to run once on a login node. It writes two job scripts next to the output (OUT/slurm/) and
 * submits them:
 * - build.sbatch, an array job of `shards` tasks; task K builds OUT/shard-K-of-N (`--shard auto` reads the
 *   array's variables), with `--cpus-per-task` = workers. It is requeue-safe: `--requeue` lets Slurm rerun a
 *   preempted or requeued task, `--open-mode=append` keeps the first run's log, and a rerun resumes the shard's
 *   build where it stopped. Exit 3 (some videos failed, listed in the manifest) counts as success;
 * - merge.sbatch, submitted with `--dependency=afterok:<array job>`: it starts once every task succeeded and
 *   merges OUT into the merged dataset.
 */
export function slurmSubmitScript(job: ClusterJob, slurm: SlurmOptions = {}): string {
  const logs = `${job.out}/logs`;
  const common = [
    ...(slurm.partition ? [`#SBATCH --partition=${slurm.partition}`] : []),
    ...(slurm.account ? [`#SBATCH --account=${slurm.account}`] : []),
  ];
  const build = [
    "#!/bin/bash",
    `#SBATCH --job-name=${job.name}-build`,
    `#SBATCH --array=1-${job.shards}`,
    `#SBATCH --cpus-per-task=${job.workers}`,
    `#SBATCH --mem=${job.memoryMiB}M`,
    ...(slurm.time ? [`#SBATCH --time=${slurm.time}`] : []),
    ...common,
    "#SBATCH --requeue",
    "#SBATCH --open-mode=append",
    `#SBATCH --output=${logs}/build-%A_%a.log`,
    "# Task K of the array builds shard K: --shard auto reads SLURM_ARRAY_TASK_ID, _MIN and _COUNT, and the shard",
    `# goes to ${job.out}/shard-K-of-${job.shards}. A task that runs again (requeued, preempted) resumes it.`,
    `${job.exec} build ${shellCommand(job.buildArgs)} \\`,
    `    --shard auto --workers "\${SLURM_CPUS_PER_TASK:-${job.workers}}" --progress lines -o ${shellQuote(job.out)}`,
    "code=$?",
    `# ${BUILD_EXIT_SOME_FAILED}: some videos failed; they are listed in the shard's manifest (and the merged one), and a rerun retries them.`,
    `if [ "$code" -eq ${BUILD_EXIT_SOME_FAILED} ]; then exit 0; fi`,
    'exit "$code"',
  ];
  const merge = [
    "#!/bin/bash",
    `#SBATCH --job-name=${job.name}-merge`,
    "#SBATCH --cpus-per-task=1",
    "#SBATCH --mem=2048M",
    ...common,
    `#SBATCH --output=${logs}/merge-%j.log`,
    `${job.exec} merge ${shellQuote(job.out)} -o ${shellQuote(job.mergeOut)}`,
  ];
  return [
    "#!/bin/bash",
    `# ${job.generatedBy}`,
    `# A sharded lrnet-data build on Slurm: an array of ${job.shards} tasks (one shard each), then a merge job.`,
    "# Run it once on a login node (bash submit.sh): it writes build.sbatch and merge.sbatch to",
    `# ${job.out}/slurm/ and submits them; logs go to ${logs}/.`,
    "# A failed task (exit 1, 4, or killed) leaves the merge job pending for ever (DependencyNeverSatisfied): fix",
    "# the cause, then rerun the task (it resumes its shard) and submit the merge again after it:",
    "#   scontrol requeue <array job>_<task>; scancel <merge job>",
    `#   sbatch --dependency=afterok:<array job>_<task> ${job.out}/slurm/merge.sbatch`,
    "set -euo pipefail",
    `out=${shellQuote(job.out)}`,
    'mkdir -p "$out/slurm" "$out/logs"',
    `cat > "$out/slurm/build.sbatch" <<'LRNET_DATA_BUILD'`,
    ...build,
    "LRNET_DATA_BUILD",
    `cat > "$out/slurm/merge.sbatch" <<'LRNET_DATA_MERGE'`,
    ...merge,
    "LRNET_DATA_MERGE",
    'array_job=$(sbatch --parsable "$out/slurm/build.sbatch")',
    'array_job=${array_job%%;*}  # --parsable prints JOBID[;CLUSTER]',
    'merge_job=$(sbatch --parsable --dependency=afterok:"$array_job" "$out/slurm/merge.sbatch")',
    "merge_job=${merge_job%%;*}",
    `echo "lrnet-data: submitted build array job $array_job (${job.shards} tasks) and merge job $merge_job (runs when every task succeeded)"`,
    'echo "lrnet-data: watch with squeue -j $array_job,$merge_job; logs in $out/logs/"',
    "",
  ].join("\n");
}
