import { LrnetDataError } from "../errors.js";
/**
 * Errors a user can hit while building or merging a dataset: one line, naming the file, the shard or the
 * option at fault. `BuildError` stops a build (exit 1); a single video's failure is not an error but an entry
 * in the manifest's `failures`.
 */
export class BuildError extends LrnetDataError {}

/** Shard outputs that cannot be merged (overlapping, made with different configurations, files missing or altered). */
export class MergeError extends LrnetDataError {}
