import { LrnetDataError } from "../errors.js";
/**
 * Errors a user can hit while laying out, writing or resuming a dataset. Each message is one line that names
 * the file (and the entry or line where it helps); `path` carries the file for callers that want it.
 */
export class DatasetError extends LrnetDataError {
  readonly path: string | undefined;

  constructor(message: string, path?: string) {
    super(message);
    this.path = path;
  }
}

/** An output directory's manifest was made with another configuration or layout. */
export class ConfigurationChangedError extends DatasetError {}

/** An output directory cannot be used (unreadable manifest, a manifest that fails its schema, …). */
export class StoreError extends DatasetError {}
