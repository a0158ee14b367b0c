import { LrnetDataError } from "../errors.js";

/** Why a write failed, in words a user acts on: the file system's errno codes that mean "not here, not now". */
const REASONS: Readonly<Record<string, string>> = {
  ENOSPC: "no space left on the device (disk full)",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a directory",
  ENOTDIR: "a part of the path is not a directory",
  EMFILE: "too many open files",
  EIO: "input/output error",
  ENOENT: "a folder on its path does not exist",
};

/**
 * A file or directory could not be written: one line naming it and the reason (`<path>: cannot write: disk full
 * (ENOSPC)`). `code` keeps the errno code for callers that branch on it.
 */
export class WriteError extends LrnetDataError {
  constructor(
    readonly path: string,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** `error` (from a write, rename, mkdir, fsync… of `path`) as a WriteError; a WriteError passes through. */
export function writeError(path: string, error: unknown, what = "cannot write"): WriteError {
  if (error instanceof WriteError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = code === undefined ? (error instanceof Error ? error.message.split("\n")[0]! : String(error)) : `${REASONS[code] ?? "failed"} (${code})`;
  return new WriteError(path, code, `${path}: ${what}: ${reason}`);
}
