import { open, readFile, readdir, rm, rmdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fsyncDirectory, hashFile, makeDirectoryDurably, missingDirectories, newTempToken, tempTokenOf, writeFileDurably } from "../io/durable-fs.js";
import { writeError } from "../io/write-error.js";
import { isSameOrInside, realPathOf } from "../io/path-overlap.js";
import { pathEscape, resolveManifestPath } from "./confine.js";
import { StoreError } from "./errors.js";
import { MANIFEST_FILE, MANIFEST_FORMAT, validateManifest, type Manifest } from "./manifest.js";

/**
 * How lrnet-data knows which files of an output directory are its own, so that it deletes nothing else.
 *
 * - The marker `.lrnet-data-output.json` is written when lrnet-data creates the directory or takes an empty
 *   one; a non-empty directory without it is not ours and is refused (an older lrnet-data output, recognised by
 *   its manifest, is adopted: the marker is added and the data files whose sha256 match the manifest are recorded).
 * - The journal `.lrnet-data-journal` records, before each is created, every data file and directory, and the
 *   token of every writer's temporary names (`.name.tmp-<token>`). Appends are fsynced first, so a file on disk
 *   that the journal does not name was not written by lrnet-data, whatever its name.
 * - Cleanup (temporary files of a crash, an orphan data file, `--rebuild`) removes only journalled files,
 *   temporary files with a journalled token, and the fixed names below; anything else stays where it is.
 */
export const OWNER_FILE = ".lrnet-data-output.json";
export const JOURNAL_FILE = ".lrnet-data-journal";
export const LOCK_FILE = ".lrnet-data.lock";

/** Names lrnet-data gives files at the top of its outputs. */
const OWN_NAMES: ReadonlySet<string> = new Set([OWNER_FILE, JOURNAL_FILE, LOCK_FILE, MANIFEST_FILE]);

export type OutputKind = "build" | "merge";

export interface ClaimReport {
  /** The directory was created or taken empty now. */
  created: boolean;
  /** An output of an older lrnet-data (a manifest, no marker) was adopted; its recorded files are listed. */
  adopted: string[] | null;
}

export class OwnedOutput {
  private constructor(
    readonly outDir: string,
    /** This run's token for its temporary names (journalled). */
    readonly token: string,
    private readonly files: Set<string>,
    private readonly dirs: Set<string>,
    private readonly tokens: Set<string>,
  ) {}

  /**
   * Takes `outDir` as an output: creates it (with the marker) when missing, marks it when empty, opens its
   * journal when marked. A directory with other content is refused in one line, naming it.
   */
  static async claim(outDir: string, kind: OutputKind): Promise<{ output: OwnedOutput; claim: ClaimReport }> {
    const entries = await readdir(outDir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return null;
      if (error.code === "ENOTDIR") throw new StoreError(`${outDir}: exists and is not a directory`, outDir);
      throw writeError(outDir, error, "cannot open the output directory");
    });
    let claim: ClaimReport = { created: false, adopted: null };
    if (entries === null || entries.length === 0) {
      if (entries === null) await makeDirectoryDurably(outDir);
      await writeMarker(outDir, kind);
      claim = { created: true, adopted: null };
    } else if (!entries.includes(OWNER_FILE)) {
      const legacy = entries.includes(MANIFEST_FILE) ? await legacyManifest(outDir) : null;
      if (!legacy) {
        throw new StoreError(
          `${outDir}: not empty and not an lrnet-data output (no ${OWNER_FILE}); lrnet-data writes only into a new or empty directory or one it made: choose another output directory`,
          outDir,
        );
      }
      const files = await verifiedFiles(outDir, legacy);
      await writeMarker(outDir, kind);
      await appendJournal(outDir, files.map((f) => `file ${f}`));
      claim = { created: false, adopted: files };
    }
    const journal = await readJournal(outDir);
    const output = new OwnedOutput(outDir, newTempToken(), journal.files, journal.dirs, journal.tokens);
    await output.append([`token ${output.token}`]);
    return { output, claim };
  }

  /** The journal names this file (a path relative to the output). */
  ownsFile(path: string): boolean {
    return this.files.has(path);
  }

  /** A temporary file name whose token the journal records. */
  ownsTemp(name: string): boolean {
    const token = tempTokenOf(name);
    return token !== null && this.tokens.has(token);
  }

  /** Records files and directories about to be created (fsynced before returning). */
  async recordCreation(paths: { files?: readonly string[]; dirs?: readonly string[] }): Promise<void> {
    const lines: string[] = [];
    for (const dir of paths.dirs ?? []) if (!this.dirs.has(dir)) lines.push(`dir ${dir}`);
    for (const file of paths.files ?? []) if (!this.files.has(file)) lines.push(`file ${file}`);
    if (lines.length > 0) await this.append(lines);
  }

  /**
   * Makes the directory `relative` (and any missing parent below the output), journalling each before it is
   * created. Returns its path.
   */
  async makeDirectory(relative: string): Promise<string> {
    const segments = relative.split("/");
    const path = join(this.outDir, ...segments);
    const missing = new Set(await missingDirectories(path));
    const dirs = segments.map((_, i) => segments.slice(0, i + 1).join("/")).filter((d) => missing.has(join(this.outDir, ...d.split("/"))));
    await this.recordCreation({ dirs });
    await makeDirectoryDurably(path);
    return path;
  }

  /** Removes a journalled file (relative path); returns false and leaves it when the journal does not name it. */
  async removeOwnedFile(path: string): Promise<boolean> {
    if (!this.files.has(path) && !this.ownsTemp(path.slice(path.lastIndexOf("/") + 1)) && !OWN_NAMES.has(path)) return false;
    if (pathEscape(path)) return false;
    // The entry itself is removed (a link, not what it points to), and only when its folder is really inside the output.
    const absolute = join(this.outDir, ...path.split("/"));
    const parent = await realPathOf(dirname(absolute));
    if (!isSameOrInside(parent, await realPathOf(this.outDir))) return false;
    await rm(join(parent, basename(absolute)), { force: true }).catch((error: unknown) => {
      throw writeError(absolute, error, "cannot remove");
    });
    return true;
  }

  /** Removes the journalled directories that are empty, deepest first. */
  async pruneOwnedDirectories(): Promise<void> {
    const dirs = [...this.dirs].sort((a, b) => b.split("/").length - a.split("/").length || (a < b ? 1 : -1));
    for (const dir of dirs) {
      const path = join(this.outDir, ...dir.split("/"));
      const entries = await readdir(path).catch(() => null);
      if (entries !== null && entries.length === 0) await rmdir(path).catch(() => undefined);
    }
  }

  /** Every journalled file (relative paths). */
  ownedFiles(): string[] {
    return [...this.files].sort();
  }

  /**
   * Rewrites the journal to name only `keep` (the files the manifest lists), the directories still there and
   * this run's token: it stays as small as the output. Written atomically under this run's (journalled) token.
   */
  async compact(keep: readonly string[]): Promise<void> {
    const dirs: string[] = [];
    for (const dir of this.dirs) if ((await readdir(join(this.outDir, ...dir.split("/"))).catch(() => null)) !== null) dirs.push(dir);
    const lines = [`token ${this.token}`, ...dirs.sort().map((d) => `dir ${d}`), ...[...new Set(keep)].sort().map((f) => `file ${f}`)];
    await writeFileDurably(join(this.outDir, JOURNAL_FILE), lines.join("\n") + "\n", { tempToken: this.token });
    this.files.clear();
    this.dirs.clear();
    this.tokens.clear();
    for (const line of lines) addEntry(line, this.files, this.dirs, this.tokens);
  }

  private async append(lines: readonly string[]): Promise<void> {
    await appendJournal(this.outDir, lines);
    for (const line of lines) addEntry(line, this.files, this.dirs, this.tokens);
  }
}

/** The output directory carries lrnet-data's marker. */
export async function isMarkedOutput(outDir: string): Promise<boolean> {
  return (await readdir(outDir).catch(() => [] as string[])).includes(OWNER_FILE);
}

async function writeMarker(outDir: string, kind: OutputKind): Promise<void> {
  const text = `${JSON.stringify({ format: "lrnet-data/output", format_version: 1, created_by: kind, created_at: new Date().toISOString() }, null, 2)}\n`;
  await writeExclusive(join(outDir, OWNER_FILE), text, "wx");
}

async function appendJournal(outDir: string, lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  await writeExclusive(join(outDir, JOURNAL_FILE), lines.join("\n") + "\n", "a");
}

/** Writes (or appends) and fsyncs the file and its directory: the entry is on disk before anything it announces. */
async function writeExclusive(path: string, text: string, flag: "wx" | "a"): Promise<void> {
  let handle;
  try {
    handle = await open(path, flag);
  } catch (error) {
    if (flag === "wx" && (error as NodeJS.ErrnoException).code === "EEXIST") return;
    throw writeError(path, error);
  }
  try {
    await handle.writeFile(text);
    await handle.sync();
  } catch (error) {
    throw writeError(path, error);
  } finally {
    await handle.close().catch(() => undefined);
  }
  await fsyncDirectory(join(path, ".."));
}

async function readJournal(outDir: string): Promise<{ files: Set<string>; dirs: Set<string>; tokens: Set<string> }> {
  const journal = { files: new Set<string>(), dirs: new Set<string>(), tokens: new Set<string>() };
  const text = await readFile(join(outDir, JOURNAL_FILE), "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw new StoreError(`${join(outDir, JOURNAL_FILE)}: cannot read lrnet-data's journal (${error.code ?? error.message})`, outDir);
  });
  // A torn last line (a crash during an append) is ignored: what it announced was not created yet.
  const lines = text.split("\n");
  if (!text.endsWith("\n")) lines.pop();
  for (const line of lines) addEntry(line, journal.files, journal.dirs, journal.tokens);
  return journal;
}

function addEntry(line: string, files: Set<string>, dirs: Set<string>, tokens: Set<string>): void {
  const space = line.indexOf(" ");
  if (space < 0) return;
  const kind = line.slice(0, space);
  const value = line.slice(space + 1);
  if (kind === "token" && /^\d+-[0-9a-f]{8}$/.test(value)) tokens.add(value);
  else if ((kind === "file" || kind === "dir") && pathEscape(value) === null) (kind === "file" ? files : dirs).add(value);
}

/** The manifest of an output written before the marker existed, or null when `manifest.json` is not one. */
async function legacyManifest(outDir: string): Promise<Manifest | null> {
  try {
    const json: unknown = JSON.parse(await readFile(join(outDir, MANIFEST_FILE), "utf8"));
    if ((json as { format?: unknown }).format !== MANIFEST_FORMAT || !validateManifest(json).valid) return null;
    return json as Manifest;
  } catch {
    return null;
  }
}

/** The listed data files that are, byte for byte (size and sha256), what the manifest recorded writing. */
async function verifiedFiles(outDir: string, manifest: Manifest): Promise<string[]> {
  const files: string[] = [];
  for (const file of manifest.data_files) {
    if (pathEscape(file.path) !== null) continue;
    const path = await resolveManifestPath(outDir, file.path, "data_files[].path").catch(() => null);
    const actual = path === null ? null : await hashFile(path).catch(() => null);
    if (actual && actual.bytes === file.bytes && actual.sha256 === file.sha256) files.push(file.path);
  }
  return files;
}
