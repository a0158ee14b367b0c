/** `lrnet-data build` and `merge`: the per-video job, the worker pool, shards and the merge of shard outputs. */
export { runBuild, type BuildOptions, type BuildPlan, type BuildReporter, type BuildSignals, type BuildSummary, type VideoEvent } from "./run-build.js";
export { mergeShards, type MergeOptions, type MergeReport } from "./merge.js";
export { parseShard, selectShard, shardOf, type ShardSpec } from "./shard.js";
export { runVideoJob, VideoJobError, type JobInput, type JobOutput, type JobProgress } from "./video-job.js";
export { VideoPool, type VideoOutcome, type VideoPoolOptions } from "./pool.js";
export { buildConfiguration, BUILD_CALIBRATION_MODE } from "./configuration.js";
export { matchOpenFaceCsvs } from "./openface-match.js";
export { RowsAssembler, rowBuffers, type FrameRow } from "./rows-assembler.js";
export { BuildError, MergeError } from "./errors.js";
export type { LandmarkSource, VideoTask, VideoTaskResult, WorkerFault, WorkerMemory, WorkerMessage, WorkerSetup } from "./task.js";
