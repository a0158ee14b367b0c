import { LrnetDataError } from "../errors.js";

/**
 * A cluster job that cannot be set up as asked: `--shard auto` outside an array task, job options that do not
 * fit, shard folders that do not belong together. One line, naming the variable, option or folder at fault.
 */
export class ClusterError extends LrnetDataError {}
