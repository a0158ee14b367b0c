import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Temporary files are hidden (`.name.tmp-<pid>-<hex>`), so no reader's `*.parquet` glob or HF loader sees one. */
const TEMP_NAME = /^\..+\.tmp-\d+-[0-9a-f]{8}$/;

export function isTempFileName(name: string): boolean {
  return TEMP_NAME.test(name);
}

export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
}

/**
 * Writes `bytes` to `path` so that after a crash at any instant `path` holds either its old content (or does
 * not exist) or all of `bytes`: write a temporary file in the same directory, fsync it, rename it over `path`,
 * fsync the directory so the rename itself is durable.
 */
export async function writeFileDurably(path: string, bytes: Uint8Array | string): Promise<void> {
  const temp = tempPathFor(path);
  const handle = await open(temp, "wx");
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await fsyncDirectory(dirname(path));
}

/** Makes a directory's entries (a rename, a new file) durable. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } catch (error) {
    // Some file systems (network mounts, some FUSE) refuse fsync on a directory; renames there are still atomic.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EINVAL" && code !== "ENOTSUP" && code !== "EPERM") throw error;
  } finally {
    await handle.close();
  }
}

/** `mkdir -p` that also fsyncs the parent of each directory it creates, so the new entries survive a crash. */
export async function makeDirectoryDurably(dir: string): Promise<void> {
  const missing: string[] = [];
  let current = dir;
  for (;;) {
    const info = await stat(current).catch(() => undefined);
    if (info) break;
    missing.push(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  if (missing.length === 0) return;
  await mkdir(dir, { recursive: true });
  for (const created of missing.reverse()) await fsyncDirectory(dirname(created));
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
