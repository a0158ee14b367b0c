import { readFile, readdir, rm, rmdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigurationChangedError, DatasetError, StoreError } from "./errors.js";
import { configurationFingerprint } from "./fingerprint.js";
import { hashFile, isTempFileName, makeDirectoryDurably, writeFileDurably } from "../io/durable-fs.js";
import {
  MANIFEST_FILE,
  MANIFEST_FORMAT_VERSION,
  addCommittedFile,
  addFailure,
  createManifest,
  removeDataFiles,
  validateManifest,
  withState,
  type BuildConfiguration,
  type Manifest,
  type ManifestSource,
  type VideoSummary,
} from "./manifest.js";
import { readToolInfo, type ToolInfo } from "../io/package-files.js";
import type { EncodedPart } from "./parquet-writer.js";
import { DATA_DIR } from "./partition.js";

const LOCK_FILE = ".lrnet-data.lock";

/** What an output directory holds for a given configuration. */
export interface CommittedState {
  manifest: Manifest | null;
  /** The manifest was made with this configuration (true when there is no manifest yet). */
  configurationMatches: boolean;
  /** Videos in the manifest whose data file exists with the recorded size and sha256 (empty if the configuration differs). */
  committed: Set<string>;
  /** Data files in the manifest that are missing or whose size or sha256 differ: their videos must be redone. */
  brokenFiles: { path: string; reason: string }[];
  /** `.parquet` files under data/ that the manifest does not list (a crash between rename and manifest update). */
  orphanFiles: string[];
  /** Temporary files left by a crash (relative paths). */
  tempFiles: string[];
}

/**
 * Tells which videos of an output directory are committed for `configuration`: listed in its manifest and in a
 * data file that exists with the recorded size and sha256. Reads only; changes nothing.
 */
export async function findCommittedVideos(outDir: string, configuration: BuildConfiguration): Promise<CommittedState> {
  const manifest = await readManifest(outDir);
  const { orphans, temps } = await scanOutput(outDir, new Set(manifest?.data_files.map((f) => f.path) ?? []));
  const state: CommittedState = {
    manifest,
    configurationMatches: true,
    committed: new Set(),
    brokenFiles: [],
    orphanFiles: orphans,
    tempFiles: temps,
  };
  if (!manifest) return state;
  state.configurationMatches = manifest.configuration_fingerprint === configurationFingerprint(configuration);
  for (const file of manifest.data_files) {
    const actual = await hashFile(join(outDir, file.path)).catch((error: NodeJS.ErrnoException) => error);
    let reason: string | undefined;
    if (actual instanceof Error) reason = actual.code === "ENOENT" ? "missing" : `unreadable (${actual.message})`;
    else if (actual.bytes !== file.bytes) reason = `${actual.bytes} bytes, the manifest says ${file.bytes}`;
    else if (actual.sha256 !== file.sha256) reason = `sha256 ${actual.sha256.slice(0, 12)}…, the manifest says ${file.sha256.slice(0, 12)}…`;
    if (reason) state.brokenFiles.push({ path: file.path, reason });
    else if (state.configurationMatches) for (const id of file.videos) state.committed.add(id);
  }
  return state;
}

/** The output's manifest, or null when there is none. A manifest that does not parse or fails its schema is a StoreError. */
export async function readManifest(outDir: string): Promise<Manifest | null> {
  const path = join(outDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new StoreError(`${path}: cannot read manifest (${(error as Error).message})`, path);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StoreError(`${path}: manifest is not valid JSON (${(error as Error).message})`, path);
  }
  const check = validateManifest(json);
  if (!check.valid) throw new StoreError(`${path}: manifest does not match its schema: ${check.errors.slice(0, 5).join("; ")}`, path);
  return json as Manifest;
}

export interface OpenStoreOptions {
  configuration: BuildConfiguration;
  source: ManifestSource;
  tool?: ToolInfo;
  /** When the directory was built with another configuration or layout: start over instead of refusing. */
  rebuild?: boolean;
}

export interface ResumeReport {
  /** Videos already committed: a rerun skips exactly these. */
  committed: ReadonlySet<string>;
  removedTempFiles: string[];
  removedOrphanFiles: string[];
  /** Listed data files that were missing or corrupt, dropped from the manifest with their videos. */
  droppedFiles: { path: string; reason: string }[];
  /** The previous content was deleted because the configuration or layout changed (`rebuild`). */
  rebuilt: boolean;
}

/**
 * The output directory of a build: commits data files and keeps `manifest.json` in step, so that a crash at
 * any instant loses at most the uncommitted videos and never leaves one twice. Order of a commit: data file
 * to a temporary name, fsync, rename, fsync directory; then the manifest the same way. A crash after the data
 * file's rename but before the manifest's leaves an orphan file that the next `open` deletes (its videos are
 * not in the manifest, so they are redone: nothing is lost, nothing doubled).
 */
export class DatasetStore {
  private current: Manifest;
  private committedIds: Set<string>;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly outDir: string,
    manifest: Manifest,
  ) {
    this.current = manifest;
    this.committedIds = new Set(manifest.videos.map((v) => v.id));
  }

  /** Opens (or creates) an output directory: cleans up after a crash, checks the configuration, writes the manifest. */
  static async open(outDir: string, options: OpenStoreOptions): Promise<{ store: DatasetStore; resume: ResumeReport }> {
    await makeDirectoryDurably(outDir);
    await acquireLock(outDir);
    try {
      return await DatasetStore.openLocked(outDir, options);
    } catch (error) {
      await releaseLock(outDir);
      throw error;
    }
  }

  private static async openLocked(outDir: string, options: OpenStoreOptions): Promise<{ store: DatasetStore; resume: ResumeReport }> {
    let state = await findCommittedVideos(outDir, options.configuration);
    let rebuilt = false;
    const previous = state.manifest;
    if (previous) {
      const mismatch = !state.configurationMatches
        ? `was built with another configuration (${describeChange(previous.configuration, options.configuration)})`
        : previous.source.layout !== options.source.layout
          ? `was built from layout ${previous.source.layout}, not ${options.source.layout}`
          : previous.format_version !== MANIFEST_FORMAT_VERSION
            ? `holds dataset format ${previous.format_version} (this lrnet-data writes ${MANIFEST_FORMAT_VERSION}, whose files sit in other directories)`
            : undefined;
      if (mismatch) {
        if (!options.rebuild) {
          throw new ConfigurationChangedError(`${outDir} ${mismatch}; rebuild it (--rebuild) or choose another output directory`, outDir);
        }
        await rm(join(outDir, DATA_DIR), { recursive: true, force: true });
        await rm(join(outDir, MANIFEST_FILE), { force: true });
        rebuilt = true;
        state = await findCommittedVideos(outDir, options.configuration);
      }
    }

    for (const path of [...state.tempFiles, ...state.orphanFiles, ...state.brokenFiles.map((f) => f.path)]) {
      await rm(join(outDir, path), { force: true });
    }
    await pruneEmptyDirectories(join(outDir, DATA_DIR));

    const tool = options.tool ?? readToolInfo();
    let manifest: Manifest;
    if (state.manifest) {
      manifest = removeDataFiles(state.manifest, state.brokenFiles.map((f) => f.path));
      manifest = withState({ ...manifest, tool, source: options.source }, "building");
    } else {
      manifest = createManifest({ tool, configuration: options.configuration, source: options.source });
    }
    await writeFileDurably(join(outDir, MANIFEST_FILE), manifestText(manifest));
    const store = new DatasetStore(outDir, manifest);
    return {
      store,
      resume: {
        committed: new Set(store.current.videos.map((v) => v.id)),
        removedTempFiles: state.tempFiles,
        removedOrphanFiles: state.orphanFiles,
        droppedFiles: state.brokenFiles,
        rebuilt,
      },
    };
  }

  /** The manifest as last written. */
  get manifest(): Manifest {
    return this.current;
  }

  isCommitted(id: string): boolean {
    return this.committedIds.has(id);
  }

  /** Writes a data file durably, then the manifest that lists it and its videos. Calls are serialised. */
  commitPart(part: EncodedPart, summaries: readonly VideoSummary[]): Promise<void> {
    return this.serialise(async () => {
      const next = addCommittedFile(
        this.current,
        { path: part.path, sha256: part.sha256, bytes: part.bytes.length, rows: part.rows, partition: part.partition, videos: part.videos },
        summaries,
      );
      const path = join(this.outDir, part.path);
      await makeDirectoryDurably(join(path, ".."));
      await writeFileDurably(path, part.bytes);
      try {
        await this.writeManifest(next);
      } catch (error) {
        // Unlisted, the file would still be globbed by readers: take it back (the next open would anyway).
        await rm(path, { force: true }).catch(() => undefined);
        throw error;
      }
    });
  }

  /** Records a video's failure in the manifest (a later build retries it). */
  recordFailure(failure: { id: string; path: string; error: string }): Promise<void> {
    return this.serialise(() => this.writeManifest(addFailure(this.current, failure)));
  }

  /** Marks the build complete. */
  complete(): Promise<void> {
    return this.serialise(() => this.writeManifest(withState(this.current, "complete")));
  }

  /** Waits for pending commits and releases the directory. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    await releaseLock(this.outDir);
  }

  private async writeManifest(next: Manifest): Promise<void> {
    await writeFileDurably(join(this.outDir, MANIFEST_FILE), manifestText(next));
    this.current = next;
    this.committedIds = new Set(next.videos.map((v) => v.id));
  }

  private serialise(step: () => Promise<void>): Promise<void> {
    if (this.closed) return Promise.reject(new DatasetError(`the store of ${this.outDir} is closed`));
    const run = this.queue.then(step);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function manifestText(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

async function scanOutput(outDir: string, listed: ReadonlySet<string>): Promise<{ orphans: string[]; temps: string[] }> {
  const orphans: string[] = [];
  const temps: string[] = [];
  for (const name of await readdir(outDir).catch(() => [] as string[])) {
    if (isTempFileName(name)) temps.push(name);
  }
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(join(outDir, relative), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = `${relative}/${entry.name}`;
      if (entry.isDirectory()) await walk(path);
      else if (isTempFileName(entry.name)) temps.push(path);
      else if (entry.name.endsWith(".parquet") && !listed.has(path)) orphans.push(path);
    }
  };
  await walk(DATA_DIR);
  return { orphans: orphans.sort(), temps: temps.sort() };
}

async function pruneEmptyDirectories(dir: string): Promise<boolean> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
  if (!entries) return false;
  let empty = true;
  for (const entry of entries) {
    if (!entry.isDirectory() || !(await pruneEmptyDirectories(join(dir, entry.name)))) empty = false;
  }
  if (empty) await rmdir(dir).catch(() => undefined);
  return empty;
}

function describeChange(before: BuildConfiguration, after: BuildConfiguration): string {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changed = keys.filter((k) => configurationFingerprint(before[k] ?? null) !== configurationFingerprint(after[k] ?? null));
  return changed.length > 0 ? `changed: ${changed.join(", ")}` : "fingerprints differ";
}

async function acquireLock(outDir: string): Promise<void> {
  const path = join(outDir, LOCK_FILE);
  try {
    await writeFile(path, `${process.pid}\n`, { flag: "wx" });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const holder = Number.parseInt(await readFile(path, "utf8").catch(() => ""), 10);
  if (Number.isInteger(holder) && holder !== process.pid && processAlive(holder)) {
    throw new StoreError(`${outDir} is being written by another build (process ${holder}); wait for it or stop it`, outDir);
  }
  await writeFile(path, `${process.pid}\n`);
}

async function releaseLock(outDir: string): Promise<void> {
  await rm(join(outDir, LOCK_FILE), { force: true });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
