import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { writeError } from "./write-error.js";

/** Temporary files are hidden (`.name.tmp-<pid>-<hex>`), so no reader's `*.parquet` glob or HF loader sees one. */
const TEMP_NAME = /^\..+\.tmp-\d+-[0-9a-f]{8}$/;

export function isTempFileName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/** A writer's token for its temporary names: `<pid>-<8 hex>`. An output's journal records the tokens it used. */
export function newTempToken(): string {
  return `${process.pid}-${randomBytes(4).toString("hex")}`;
}

/** The token of a temporary file name (`.name.tmp-<token>`), or null when it is not one. */
export function tempTokenOf(name: string): string | null {
  return TEMP_NAME.test(name) ? name.slice(name.lastIndexOf(".tmp-") + 5) : null;
}

export function tempPathFor(path: string, token = newTempToken()): string {
  return join(dirname(path), `.${basename(path)}.tmp-${token}`);
}

export interface DurableWriteOptions {
  /** Token for the temporary name (default: a fresh one); an output's store passes the token its journal recorded. */
  tempToken?: string;
}

/**
 * Writes `bytes` to `path` so that after a crash at any instant `path` holds either its old content (or does
 * not exist) or all of `bytes`: write a temporary file in the same directory, fsync it, rename it over `path`,
 * fsync the directory so the rename itself is durable.
 */
export async function writeFileDurably(path: string, bytes: Uint8Array | string, options: DurableWriteOptions = {}): Promise<void> {
  const temp = tempPathFor(path, options.tempToken);
  const handle = await open(temp, "wx").catch((error: unknown) => {
    throw writeError(path, error);
  });
  try {
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw writeError(path, error);
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw writeError(path, error);
  }
  await fsyncDirectory(dirname(path));
}

/** Makes a directory's entries (a rename, a new file) durable. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r").catch((error: unknown) => {
    throw writeError(dir, error, "cannot sync the directory");
  });
  try {
    await handle.sync();
  } catch (error) {
    // Some file systems (network mounts, some FUSE) refuse fsync on a directory; renames there are still atomic.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EINVAL" && code !== "ENOTSUP" && code !== "EPERM") throw writeError(dir, error, "cannot sync the directory");
  } finally {
    await handle.close();
  }
}

/**
 * `mkdir -p` that also fsyncs the parent of each directory it creates, so the new entries survive a crash.
 * Returns the directories it created, outermost first. Each level is made on its own, so a failure names the
 * directory and the real reason (a recursive mkdir on a read-only mount reports ENOENT).
 */
export async function makeDirectoryDurably(dir: string): Promise<string[]> {
  const missing = await missingDirectories(dir);
  for (const created of missing) {
    try {
      await mkdir(created);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw writeError(created, error, "cannot create the directory");
    }
    await fsyncDirectory(dirname(created));
  }
  return missing;
}

/** The directories `mkdir -p dir` would create, outermost first. */
export async function missingDirectories(dir: string): Promise<string[]> {
  const missing: string[] = [];
  let current = dir;
  for (;;) {
    const info = await stat(current).catch((error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? undefined : null));
    if (info !== undefined) break;
    missing.push(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return missing.reverse();
}

/** sha256 (hex) and size of a file, streamed. */
export async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), bytes };
}
