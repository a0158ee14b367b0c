/**
 * Errors a user can hit while laying out, writing or resuming a dataset. Each message is one line that names
 * the file (and the entry or line where it helps); `path` carries the file for callers that want it.
 */
export class DatasetError extends Error {
  readonly path: string | undefined;

  constructor(message: string, path?: string) {
    super(message);
    this.name = new.target.name;
    this.path = path;
  }
}

/** A layout declaration is malformed, or a dataset tree does not fit its layout. */
export class LayoutError extends DatasetError {}

/** An output directory's manifest was made with another configuration or layout. */
export class ConfigurationChangedError extends DatasetError {}

/** An output directory cannot be used (unreadable manifest, a manifest that fails its schema, …). */
export class StoreError extends DatasetError {}
