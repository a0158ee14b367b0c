import { readdir, stat } from "node:fs/promises";
import { isAbsolute, join, resolve, sep } from "node:path";
import { MANIFEST_FILE } from "../store/manifest.js";
import { readManifest } from "../store/store.js";
import { ClusterError } from "./errors.js";
import { parseShardFolderName, shardFolderName } from "./shard-folder.js";

export interface MergeInputs {
  /** Build outputs to merge, in order. */
  shards: string[];
  /** Shard folders left out under --allow-missing-shards (missing, or holding no manifest yet). */
  notes: string[];
}

/**
 * What `lrnet-data merge` was given, as a list of build outputs. Each argument is one of:
 * - a build output (it holds manifest.json): used as it is;
 * - a parent folder of shard folders (`OUT` of `build -o OUT --shard …`, holding `shard-K-of-N/`): every
 *   shard folder in it. All must be of one N, none may be missing, each must hold a manifest whose shard is the
 *   one its name says; otherwise a ClusterError names the shard folder. With `allowMissing`, missing or empty
 *   shard folders are left out and noted instead;
 * - a glob (`*`, `?`, `[…]` in any path segment, for shells that do not expand it): the folders it matches.
 * Whether the shards' builds finished and share a configuration is checked by the merge itself.
 */
export async function resolveMergeInputs(args: readonly string[], allowMissing = false): Promise<MergeInputs> {
  const shards: string[] = [];
  const notes: string[] = [];
  for (const arg of args) {
    if (isGlob(arg)) {
      const dirs: string[] = [];
      for (const match of await expandGlob(arg)) if ((await stat(match).catch(() => null))?.isDirectory()) dirs.push(match);
      if (dirs.length === 0) throw new ClusterError(`${arg} matches no folder`);
      shards.push(...dirs);
      continue;
    }
    const dir = resolve(arg);
    const info = await stat(dir).catch(() => null);
    if (!info?.isDirectory()) throw new ClusterError(`${dir}: no such folder`);
    if (await isFile(join(dir, MANIFEST_FILE))) {
      shards.push(dir);
      continue;
    }
    const found = await shardFoldersIn(dir, allowMissing, notes);
    if (found.length === 0) {
      throw new ClusterError(`${dir} holds neither a ${MANIFEST_FILE} (a build output) nor shard-K-of-N folders (the -o of sharded builds)`);
    }
    shards.push(...found);
  }
  return { shards, notes };
}

async function shardFoldersIn(parent: string, allowMissing: boolean, notes: string[]): Promise<string[]> {
  const entries = await readdir(parent, { withFileTypes: true });
  const folders = entries
    .filter((e) => e.isDirectory())
    .map((e) => ({ name: e.name, spec: parseShardFolderName(e.name) }))
    .filter((f): f is { name: string; spec: NonNullable<typeof f.spec> } => f.spec !== null)
    .sort((a, b) => a.spec.index - b.spec.index || (a.name < b.name ? -1 : 1));
  if (folders.length === 0) return [];
  const counts = [...new Set(folders.map((f) => f.spec.count))].sort((a, b) => a - b);
  if (counts.length > 1) {
    const example = counts.map((n) => join(parent, folders.find((f) => f.spec.count === n)!.name));
    throw new ClusterError(`${parent} holds shards of builds split ${counts.join(" and ")} ways (${example.join(", ")}); move the other build's shard folders away`);
  }
  const count = counts[0]!;
  const result: string[] = [];
  for (let k = 1; k <= count; k++) {
    const expected = join(parent, shardFolderName({ index: k, count }));
    const matching = folders.filter((f) => f.spec.index === k);
    if (matching.length === 0) {
      if (allowMissing) {
        notes.push(`${expected} is missing: shard ${k} of ${count} left out`);
        continue;
      }
      throw new ClusterError(`${expected} is missing: shard ${k} of ${count} was not built here (or not copied here); run that shard, or pass --allow-missing-shards to merge a part`);
    }
    for (const folder of matching) {
      const dir = join(parent, folder.name);
      const manifest = await readManifest(dir);
      if (manifest === null) {
        if (allowMissing) {
          notes.push(`${dir} holds no ${MANIFEST_FILE} yet: shard ${k} of ${count} left out`);
          continue;
        }
        throw new ClusterError(`${dir} is incomplete: no ${MANIFEST_FILE}, its build has not committed anything; run that shard (again), or pass --allow-missing-shards to merge a part`);
      }
      const said = manifest.source.shard;
      if (said === null || said.index !== k || said.count !== count) {
        throw new ClusterError(`${dir} holds ${said === null ? "an unsharded build" : `shard ${said.index}/${said.count}`} (its ${MANIFEST_FILE} says so), not shard ${k}/${count} as its name says`);
      }
      result.push(dir);
    }
  }
  return result;
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isFile() === true;
}

function isGlob(text: string): boolean {
  return /[*?[]/.test(text);
}

/** Paths matching a glob whose wildcards (`*`, `?`, `[…]`) stay within one path segment; sorted. */
export async function expandGlob(pattern: string): Promise<string[]> {
  const absolute = isAbsolute(pattern) ? pattern : resolve(pattern);
  const segments = absolute.split(sep).filter((s) => s !== "");
  let paths: string[] = [sep];
  for (const segment of segments) {
    const next: string[] = [];
    if (!isGlob(segment)) {
      for (const p of paths) next.push(join(p, segment));
    } else {
      const matcher = globSegment(segment);
      for (const p of paths) {
        const names = await readdir(p).catch(() => [] as string[]);
        for (const name of names.sort()) if (matcher.test(name) && (segment.startsWith(".") || !name.startsWith("."))) next.push(join(p, name));
      }
    }
    paths = next;
  }
  const existing: string[] = [];
  for (const p of paths) if ((await stat(p).catch(() => null)) !== null) existing.push(p);
  return existing.sort();
}

function globSegment(segment: string): RegExp {
  let source = "";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else if (c === "[") {
      const end = segment.indexOf("]", i + 2);
      if (end === -1) {
        source += "\\[";
        continue;
      }
      let body = segment.slice(i + 1, end);
      if (body.startsWith("!")) body = `^${body.slice(1)}`;
      source += `[${body.replace(/\\/g, "\\\\")}]`;
      i = end;
    } else source += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}
