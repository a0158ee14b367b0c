import { copyFile, link, open, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fsyncDirectory, hashFile, makeDirectoryDurably, tempPathFor, writeFileDurably, isTempFileName } from "../io/durable-fs.js";
import {
  MANIFEST_FILE,
  addCommittedFile,
  addFailure,
  createManifest,
  manifestInconsistencies,
  validateManifest,
  withState,
  type Manifest,
  type ManifestSource,
} from "../store/manifest.js";
import { readToolInfo } from "../io/package-files.js";
import { DATA_DIR } from "../store/partition.js";
import { readManifest } from "../store/store.js";
import { MergeError } from "./errors.js";

export interface MergeOptions {
  /** Output directories of `lrnet-data build` (usually one per `--shard K/N`). */
  shards: string[];
  out: string;
  /** Copy the data files instead of hard-linking them (linking falls back to copying across file systems anyway). */
  copy?: boolean;
  /** Merge K of N shards although some of the N are not given. */
  allowMissingShards?: boolean;
}

export interface MergeReport {
  out: string;
  shards: number;
  videos: number;
  failures: number;
  files: number;
  linked: number;
  copied: number;
  bytes: number;
  /** Notes worth printing (differing roots, missing shards allowed). */
  warnings: string[];
  manifest: Manifest;
}

interface Shard {
  dir: string;
  manifest: Manifest;
}

/**
 * `lrnet-data merge`: several build outputs (shards) → one dataset. The shards' manifests are trusted for
 * everything they record (summaries, row ranges); only the data files are verified, by size and sha256, after
 * they are hard-linked (or copied) into the output. Refuses, with one line, shards that were built with different
 * configurations or layouts, that overlap (a video in two shards), that are unfinished, or whose files are
 * missing or altered. The manifest is written last, atomically: until then the output is not a dataset.
 */
export async function mergeShards(options: MergeOptions): Promise<MergeReport> {
  if (options.shards.length === 0) throw new MergeError("merge needs at least one shard directory");
  const out = resolve(options.out);
  const dirs = options.shards.map((d) => resolve(d));
  const duplicateDir = dirs.find((d, i) => dirs.indexOf(d) !== i);
  if (duplicateDir) throw new MergeError(`${duplicateDir} is given twice`);
  if (dirs.includes(out)) throw new MergeError(`the output ${out} is also one of the shards; merge into a new directory`);

  const shards: Shard[] = [];
  for (const dir of dirs) shards.push({ dir, manifest: await readShard(dir) });
  const warnings: string[] = [];
  const source = mergedSource(shards, options.allowMissingShards === true, warnings);
  checkDisjoint(shards);
  await checkFilesPresent(shards);

  await prepareOutput(out);
  // The files are linked as they are, so the merged dataset keeps its shards' format.
  const formatVersion = shards[0]!.manifest.format_version;
  let manifest = createManifest({ tool: readToolInfo(), configuration: shards[0]!.manifest.configuration, source, formatVersion });
  let linked = 0;
  let copied = 0;
  let bytes = 0;
  let files = 0;
  const touchedDirs = new Set<string>();
  for (const shard of shards) {
    const m = shard.manifest;
    const byId = new Map(m.videos.map((v) => [v.id, v]));
    for (const file of m.data_files) {
      const how = await placeFile(join(shard.dir, file.path), join(out, file.path), file, options.copy === true, shard.dir);
      if (how === "linked") linked++;
      else copied++;
      bytes += file.bytes;
      files++;
      touchedDirs.add(dirname(join(out, file.path)));
      const ranges = file.videos.map((id) => {
        const video = byId.get(id)!;
        return { id, rowStart: video.data.row_start, rowCount: video.data.row_count };
      });
      manifest = addCommittedFile(
        manifest,
        { path: file.path, sha256: file.sha256, bytes: file.bytes, rows: file.rows, partition: file.partition, videos: ranges },
        ranges.map((r) => byId.get(r.id)!),
      );
    }
    for (const failure of m.failures) manifest = addFailure(manifest, { id: failure.id, path: failure.path, error: failure.error }, new Date(failure.at));
  }
  for (const dir of touchedDirs) await fsyncDirectory(dir);
  manifest = withState(manifest, "complete");

  const check = validateManifest(manifest);
  const problems = [...check.errors, ...manifestInconsistencies(manifest)];
  if (problems.length > 0) throw new MergeError(`the merged manifest would be inconsistent: ${problems.slice(0, 3).join("; ")}`);
  await writeFileDurably(join(out, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return {
    out,
    shards: shards.length,
    videos: manifest.videos.length,
    failures: manifest.failures.length,
    files,
    linked,
    copied,
    bytes,
    warnings,
    manifest,
  };
}

async function readShard(dir: string): Promise<Manifest> {
  let manifest: Manifest | null;
  try {
    manifest = await readManifest(dir);
  } catch (error) {
    throw new MergeError((error as Error).message);
  }
  if (!manifest) throw new MergeError(`${dir}: no ${MANIFEST_FILE} (not the output of lrnet-data build)`);
  if (manifest.state !== "complete") {
    throw new MergeError(`${dir}: its build has not finished (manifest state "${manifest.state}"); rerun that build to complete it first`);
  }
  const problems = manifestInconsistencies(manifest);
  if (problems.length > 0) throw new MergeError(`${join(dir, MANIFEST_FILE)}: ${problems[0]}`);
  return manifest;
}

/** The merged output's source block; refuses shards that do not belong together. */
function mergedSource(shards: Shard[], allowMissing: boolean, warnings: string[]): ManifestSource {
  const first = shards[0]!;
  const a = first.manifest;
  for (const shard of shards.slice(1)) {
    const b = shard.manifest;
    if (b.configuration_fingerprint !== a.configuration_fingerprint) {
      throw new MergeError(
        `${shard.dir} was built with another configuration than ${first.dir} (fingerprint ${b.configuration_fingerprint.slice(0, 12)}… vs ${a.configuration_fingerprint.slice(0, 12)}…); shards must share it`,
      );
    }
    if (b.format_version !== a.format_version) {
      throw new MergeError(`${shard.dir} holds dataset format ${b.format_version}, ${first.dir} format ${a.format_version}; rebuild the older shard (--rebuild) so that all share one`);
    }
    if (b.source.layout !== a.source.layout) {
      throw new MergeError(`${shard.dir} was built from layout ${b.source.layout}, ${first.dir} from ${a.source.layout}`);
    }
    if (b.source.root !== a.source.root) warnings.push(`${shard.dir} read its videos from ${b.source.root}, ${first.dir} from ${a.source.root}; the merged manifest names ${a.source.root}`);
  }

  const specs = shards.map((s) => s.manifest.source.shard);
  let shard: ManifestSource["shard"] = null;
  if (specs.some((s) => s !== null)) {
    const unsharded = shards.find((s) => s.manifest.source.shard === null);
    if (unsharded) throw new MergeError(`${unsharded.dir} is not a shard (built without --shard) but other outputs are; merge shards of one build`);
    const count = specs[0]!.count;
    const other = shards.find((s) => s.manifest.source.shard!.count !== count);
    if (other) throw new MergeError(`${other.dir} is shard ${other.manifest.source.shard!.index}/${other.manifest.source.shard!.count}, not one of ${count}`);
    const seen = new Map<number, string>();
    for (const s of shards) {
      const index = s.manifest.source.shard!.index;
      if (seen.has(index)) throw new MergeError(`${s.dir} and ${seen.get(index)} are both shard ${index}/${count}: shards overlap`);
      seen.set(index, s.dir);
    }
    const filters = JSON.stringify(a.source.filters);
    const differs = shards.find((s) => JSON.stringify(s.manifest.source.filters) !== filters);
    if (differs) throw new MergeError(`${differs.dir} was built with other filters (--methods/--compression/--splits-only) than ${first.dir}`);
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
    if (missing.length > 0) {
      if (!allowMissing) {
        throw new MergeError(`shard${missing.length > 1 ? "s" : ""} ${missing.join(", ")} of ${count} not given; add them, or pass --allow-missing-shards to merge a part`);
      }
      warnings.push(`shards ${missing.join(", ")} of ${count} are missing: the merged dataset holds only part of the videos`);
      shard = null;
    }
  }
  return { ...a.source, filters: unionFilters(shards.map((s) => s.manifest.source.filters)), shard };
}

/** Unsharded builds of different subsets (e.g. one per method) merge into their union; null means "no filter". */
function unionFilters(all: ManifestSource["filters"][]): ManifestSource["filters"] {
  const union = (pick: (f: ManifestSource["filters"]) => string[] | null): string[] | null =>
    all.some((f) => pick(f) === null) ? null : [...new Set(all.flatMap((f) => pick(f)!))].sort();
  return { methods: union((f) => f.methods), compression: union((f) => f.compression), splits_only: union((f) => f.splits_only) };
}

function checkDisjoint(shards: Shard[]): void {
  const owner = new Map<string, string>();
  const files = new Map<string, string>();
  for (const shard of shards) {
    const ids = [...shard.manifest.videos.map((v) => v.id), ...shard.manifest.failures.map((f) => f.id)];
    for (const id of ids) {
      const other = owner.get(id);
      if (other !== undefined) throw new MergeError(`video ${id} is in both ${other} and ${shard.dir}: shards overlap`);
      owner.set(id, shard.dir);
    }
    for (const file of shard.manifest.data_files) {
      const other = files.get(file.path);
      if (other !== undefined) throw new MergeError(`${file.path} is in both ${other} and ${shard.dir}: shards overlap`);
      files.set(file.path, shard.dir);
    }
  }
}

/** Every listed data file exists with its recorded size (the sha256 is checked as each is placed). */
async function checkFilesPresent(shards: Shard[]): Promise<void> {
  for (const shard of shards) {
    for (const file of shard.manifest.data_files) {
      const path = join(shard.dir, file.path);
      const info = await stat(path).catch(() => null);
      if (!info?.isFile()) throw new MergeError(`${path}: missing, though ${join(shard.dir, MANIFEST_FILE)} lists it`);
      if (info.size !== file.bytes) {
        throw new MergeError(`${path}: ${info.size} bytes, but ${join(shard.dir, MANIFEST_FILE)} says ${file.bytes}; the shard's file was altered`);
      }
    }
  }
}

/** The output must be new, empty, or hold only what an interrupted merge left (no manifest: not yet a dataset). */
async function prepareOutput(out: string): Promise<void> {
  const entries = await readdir(out).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [] as string[];
    throw new MergeError(`${out}: cannot use it as the output (${error.code ?? error.message})`);
  });
  const leftovers = entries.every((name) => name === DATA_DIR || isTempFileName(name));
  if (entries.length > 0 && !leftovers) {
    throw new MergeError(`${out} is not empty${entries.includes(MANIFEST_FILE) ? " (it holds a dataset)" : ""}; merge into a new or empty directory`);
  }
  for (const name of entries) await rm(join(out, name), { recursive: true, force: true });
  await makeDirectoryDurably(out);
}

/** Links (or copies) one data file to its place under a temporary name, verifies it, then renames it. */
async function placeFile(
  from: string,
  to: string,
  expected: { sha256: string; bytes: number; path: string },
  forceCopy: boolean,
  shardDir: string,
): Promise<"linked" | "copied"> {
  await makeDirectoryDurably(dirname(to));
  const temp = tempPathFor(to);
  let how: "linked" | "copied" = "copied";
  try {
    if (!forceCopy) {
      try {
        await link(from, temp);
        how = "linked";
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") throw error;
      }
    }
    if (how === "copied") {
      await copyFile(from, temp);
      const handle = await open(temp, "r+");
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    const actual = await hashFile(temp);
    if (actual.bytes !== expected.bytes || actual.sha256 !== expected.sha256) {
      throw new MergeError(
        `${from}: ${actual.bytes} bytes, sha256 ${actual.sha256.slice(0, 12)}…, but ${join(shardDir, MANIFEST_FILE)} says ${expected.bytes} bytes, ${expected.sha256.slice(0, 12)}…; the shard's file was altered`,
      );
    }
    await rename(temp, to);
    return how;
  } catch (error) {
    await rm(temp, { force: true });
    if (error instanceof MergeError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new MergeError(`${from}: missing, though ${join(shardDir, MANIFEST_FILE)} lists it`);
    throw new MergeError(`${from}: cannot copy it into ${dirname(to)} (${code ?? (error as Error).message})`);
  }
}
