/** What `lrnet-data cluster` generates job files for: one sharded build, then one merge. */
export interface ClusterJob {
  /** Base name of the jobs (`NAME-build`, `NAME-merge`). */
  name: string;
  /** Shards, one per array task (Slurm) or completion index (Kubernetes). */
  shards: number;
  /** Worker threads per task; also the CPUs each task asks for. */
  workers: number;
  /** Memory each build task asks for, in MiB. */
  memoryMiB: number;
  /** `build` options passed on to every task, without --shard, --workers, --progress and --out. */
  buildArgs: string[];
  /** The build's -o: the folder every shard writes its shard-K-of-N folder in. */
  out: string;
  /** The merged dataset. */
  mergeOut: string;
  /** How a task runs lrnet-data: a shell snippet put as it is before `build` / `merge`. */
  exec: string;
  /** The command line that generated the files, for their header. */
  generatedBy: string;
}

/**
 * Memory to ask for a build task: MediaPipe builds peak near 250 MB plus 150 MB per worker (docs/build.md);
 * twice that leaves room for long videos and the allocator, since a task over its limit is killed.
 */
export function defaultMemoryMiB(workers: number): number {
  return 512 + 256 * workers;
}

/** Exit code of `build` when some videos failed: recorded in the manifest, so not a reason to fail a task. */
export const BUILD_EXIT_SOME_FAILED = 3;
