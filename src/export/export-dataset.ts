import { randomBytes } from "node:crypto";
import { LRNET_BLOCK_FRAMES } from "../calibrate/constants.js";
import { mkdir, readFile, readdir, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { resolveManifestPath } from "../store/confine.js";
import { DatasetError } from "../store/errors.js";
import { fsyncDirectory, writeFileDurably } from "../io/durable-fs.js";
import { outputOverlap } from "../io/path-overlap.js";
import { writeError } from "../io/write-error.js";
import type { Manifest, ManifestDataFile, ManifestVideo } from "../store/manifest.js";
import { incompleteness, videosByFile } from "../store/manifest.js";
import { readManifest } from "../store/store.js";
import { SHAPE_VALUES } from "../shape/shape.js";
import { decodeDataFile, readFileHashed, type DataColumnName, type DataFileColumns } from "../store/data-file.js";
import { ExportError } from "./errors.js";
import { exportLayoutFor, exportPathOf, type ExportLayout } from "./layout.js";
import { BlockAlignedLines } from "./block-aligned-lines.js";
import { formatLrnetLine } from "./lrnet-txt.js";

export interface ExportOptions {
  /** Only `lrnet` (LRNet's text files) for now. */
  format: "lrnet";
  /** The directory to write into. */
  dir: string;
  /**
   * Videos with at most this many frames with landmarks are left out: LRNet's loaders take no block from them
   * (blocks start at i = 0, block, … while i < n − block), its evaluation then misaligns its per-video labels,
   * and a one-line file crashes np.loadtxt's 2-D indexing. 0 keeps every video with at least two such frames.
   * Default 30.
   */
  block?: number;
  /** Write into an earlier export of lrnet-data that already has files (files of the same name are replaced). */
  overwrite?: boolean;
  /**
   * Export a dataset whose build has not finished or whose manifest does not hold together (refused otherwise):
   * what can be read is written, and the report lists what is missing.
   */
  allowIncomplete?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface ExportReport {
  dir: string;
  layout: ExportLayout;
  /** Files written, each with its video and line count. */
  files: { path: string; video: string; lines: number }[];
  /** Videos left out, with why. */
  skipped: { video: string; reason: string }[];
  /** Rows dropped because they had no landmarks. */
  droppedRows: number;
  /** Per folder (e.g. `DF/c23/train`): files written. */
  folders: Record<string, number>;
  /** Text files already in the written folders that this export did not write (LRNet would read them too). */
  foreignFiles: string[];
  /** With allowIncomplete: why the dataset is not whole (empty when it is). */
  incomplete: string[];
  /** Hidden staging folders of interrupted exports into the same directory, removed before this one. */
  removedStaging: string[];
  /** Videos the build failed on (in the manifest's failures): not in the dataset, so not exported. */
  failed: { video: string; error: string }[];
}

/** Inside each export (and its staging folder): names the folder as lrnet-data's, for --overwrite and for cleanup. */
export const EXPORT_MARKER = ".lrnet-data-export.json";

/**
 * Writes a dataset's calibrated landmarks as LRNet's text files: one file per video, one line per frame that
 * has landmarks (frames without are dropped), 136 values `%1.5f` space-separated. FF++ datasets go into LRNet's
 * tree `{Origin,DF,F2F,FS,NT,FSh,DFD,DFD_Origin}/{raw,c23,c40}/{train,val,test}/<clip>.txt`; others into
 * `<label>/<split>/<id>.txt` with each `/` of the id as `__` (see flattenId). A new or empty directory is written as a
 * whole (staged beside it, renamed into place); with `overwrite`, file by file, each atomically. Data files are
 * hashed while read and must match the manifest.
 */
export async function exportDataset(outDir: string, options: ExportOptions): Promise<ExportReport> {
  if (options.format !== "lrnet") throw new ExportError(`unknown export format "${String(options.format)}" (known: lrnet)`);
  const block = options.block ?? LRNET_BLOCK_FRAMES;
  if (!Number.isInteger(block) || block < 0) throw new ExportError(`block must be a whole number >= 0, got ${block}`);
  const manifest = await loadManifest(outDir);
  const incomplete = await checkExport(outDir, manifest, options.dir, options.allowIncomplete === true);
  const layout = exportLayoutFor(manifest.source.layout);
  const targets = planTargets(manifest.videos, layout);
  const removedStaging = await removeStaleStaging(options.dir);
  const target = await prepareDirectory(options.dir, options.overwrite ?? false);
  try {
    const report = await writeFiles(outDir, manifest, targets, target.root, options, layout, block);
    await target.finish();
    report.foreignFiles = await findForeignFiles(options.dir, report);
    report.incomplete = incomplete;
    report.removedStaging = removedStaging;
    report.failed = manifest.failures.map((f) => ({ video: f.id, error: f.error }));
    return report;
  } catch (error) {
    await target.abort();
    throw error;
  }
}

async function writeFiles(
  outDir: string,
  manifest: Manifest,
  targets: Map<string, string>,
  root: string,
  options: ExportOptions,
  layout: ExportLayout,
  block: number,
): Promise<ExportReport> {
  const report: ExportReport = { dir: options.dir, layout, files: [], skipped: [], droppedRows: 0, folders: {}, foreignFiles: [], incomplete: [], removedStaging: [], failed: [] };
  const minimum = Math.max(block + 1, 2);
  const videosOf = videosByFile(manifest.videos);
  const listed = new Set(manifest.data_files.map((f) => f.path));
  // With --allow-incomplete, videos whose data file is not listed are reported, never silently dropped.
  for (const [path, videos] of videosOf) {
    if (!listed.has(path)) for (const video of videos) report.skipped.push({ video: video.id, reason: `its data file ${path} is not in the manifest's data_files` });
  }
  let done = 0;
  for (const [index, file] of manifest.data_files.entries()) {
    let columns: DataFileColumns;
    try {
      columns = await readDataFile(outDir, file, ["video_id", "frame", "landmarks", "status"], index);
    } catch (error) {
      if (!(error instanceof ExportError) || options.allowIncomplete !== true) throw error;
      for (const video of videosOf.get(file.path) ?? []) report.skipped.push({ video: video.id, reason: error.message });
      continue;
    }
    for (const video of videosOf.get(file.path) ?? []) {
      let lines: string[];
      try {
        lines = videoLines(file, video, columns, block);
      } catch (error) {
        if (!(error instanceof ExportError) || options.allowIncomplete !== true) throw error;
        report.skipped.push({ video: video.id, reason: error.message });
        continue;
      }
      report.droppedRows += video.data.row_count - lines.length;
      if (lines.length < minimum) {
        report.skipped.push({
          video: video.id,
          reason: `${lines.length} frames with landmarks, ${block > 0 ? `LRNet takes no block of ${block} from fewer than ${block + 1}` : "fewer than 2"}`,
        });
      } else {
        const path = targets.get(video.id)!;
        const target = join(root, path);
        await mkdir(dirname(target), { recursive: true }).catch((error: unknown) => {
          throw writeError(dirname(target), error, "cannot create the directory");
        });
        await writeFileDurably(target, `${lines.join("\n")}\n`);
        report.files.push({ path, video: video.id, lines: lines.length });
        const folder = path.slice(0, path.lastIndexOf("/"));
        report.folders[folder] = (report.folders[folder] ?? 0) + 1;
      }
      options.onProgress?.(++done, manifest.videos.length);
    }
  }
  report.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return report;
}

/** The dataset's manifest; a missing or unreadable one is an ExportError (shared by every export format). */
/**
 * What every export checks before it writes: the dataset is complete and consistent (else refused in one line,
 * unless `allowIncomplete`: then the problems are returned for the report), and the target is apart from it.
 */
export async function checkExport(outDir: string, manifest: Manifest, dir: string, allowIncomplete: boolean): Promise<string[]> {
  const incomplete = incompleteness(manifest);
  if (incomplete.length > 0 && !allowIncomplete) {
    throw new ExportError(
      `${outDir}: not a complete dataset: ${incomplete[0]}${incomplete.length > 1 ? ` (and ${incomplete.length - 1} more)` : ""}; finish it (rerun its build), or pass --allow-incomplete to export what is there`,
    );
  }
  const overlap = await outputOverlap({ flag: "-o", path: dir }, [{ flag: "the dataset", path: outDir }]);
  if (overlap) throw new ExportError(`${overlap}: export into a directory apart from the dataset`);
  return incomplete;
}

export async function loadManifest(outDir: string): Promise<Manifest> {
  let manifest: Manifest | null;
  try {
    manifest = await readManifest(outDir);
  } catch (error) {
    if (error instanceof DatasetError) throw new ExportError(error.message);
    throw error;
  }
  if (!manifest) throw new ExportError(`${join(outDir, "manifest.json")}: no manifest; export needs the output directory of lrnet-data build`);
  return manifest;
}

/** Each video's file under the export directory; two videos that would share a file are an ExportError. */
function planTargets(videos: readonly ManifestVideo[], layout: ExportLayout): Map<string, string> {
  const targets = new Map<string, string>();
  const owner = new Map<string, string>();
  for (const video of videos) {
    const path = exportPathOf(video, layout);
    const other = owner.get(path.toLowerCase());
    // Compared case-insensitively: the export may land on a case-insensitive file system.
    if (other !== undefined) throw new ExportError(`videos ${other} and ${video.id} would both be exported to ${path}`);
    owner.set(path.toLowerCase(), video.id);
    targets.set(video.id, path);
  }
  return targets;
}

export interface ExportTarget {
  /** Where the files are written. */
  root: string;
  /** Makes the written files the export (renames the staging directory into place). */
  finish(): Promise<void>;
  /** Removes what was written when the export fails. */
  abort(): Promise<void>;
}

/**
 * A new or empty directory is filled as a whole: files go to a hidden staging directory beside it, renamed
 * into place at the end, so a failed or interrupted export leaves nothing a training run could pick up. With
 * `overwrite` into a directory that has files, each file is still written atomically, in place.
 */
export async function prepareDirectory(
  dir: string,
  overwrite: boolean,
  notEmpty = "LRNet reads every file in its folders, so export into an empty directory (or pass --overwrite)",
  /** Leave lrnet-data's marker in the finished export (false for a Hub folder, which must hold only its own files). */
  keepMarker = true,
): Promise<ExportTarget> {
  const info = await stat(dir).catch(() => null);
  if (info && !info.isDirectory()) throw new ExportError(`${dir}: exists and is not a directory`);
  const entries = info ? await readdir(dir) : [];
  const empty = entries.length === 0;
  if (!empty && !overwrite) throw new ExportError(`${dir}: not empty; ${notEmpty}`);
  if (!empty && !entries.includes(EXPORT_MARKER)) {
    throw new ExportError(`${dir}: not an export of lrnet-data (no ${EXPORT_MARKER}); --overwrite replaces files only in lrnet-data's own exports: export into a new or empty directory`);
  }
  if (!empty) return { root: dir, finish: async () => undefined, abort: async () => undefined };
  const parent = dirname(resolve(dir));
  const staging = join(parent, `.${basename(resolve(dir))}.export-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    await mkdir(parent, { recursive: true });
    await mkdir(staging);
    await writeFile(join(staging, EXPORT_MARKER), `${JSON.stringify({ format: "lrnet-data/export", pid: process.pid, created_at: new Date().toISOString() })}\n`);
  } catch (error) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw writeError(staging, error, "cannot create the export's staging folder");
  }
  return {
    root: staging,
    finish: async () => {
      if (!keepMarker) await rm(join(staging, EXPORT_MARKER), { force: true });
      try {
        if (info) await rmdir(dir);
        await rename(staging, dir);
      } catch (error) {
        throw writeError(dir, error, "cannot move the export into place");
      }
      await fsyncDirectory(parent);
    },
    abort: () => rm(staging, { recursive: true, force: true }),
  };
}

/**
 * Removes the staging folders that interrupted exports into `dir` left beside it: hidden, named
 * `.<dir>.export-<pid>-<hex>`, holding lrnet-data's export marker, and made by a process that is gone. Any
 * other folder, however named, is left alone.
 */
export async function removeStaleStaging(dir: string): Promise<string[]> {
  const parent = dirname(resolve(dir));
  const prefix = `.${basename(resolve(dir))}.export-`;
  const removed: string[] = [];
  for (const entry of await readdir(parent, { withFileTypes: true }).catch(() => [])) {
    if (!entry.isDirectory() || !entry.name.startsWith(prefix)) continue;
    const match = /^(\d+)-[0-9a-f]{8}$/.exec(entry.name.slice(prefix.length));
    if (!match) continue;
    const path = join(parent, entry.name);
    const marker = await readFile(join(path, EXPORT_MARKER), "utf8").catch(() => null);
    if (marker === null || !marker.includes('"lrnet-data/export"')) continue;
    const pid = Number(match[1]);
    if (pid !== process.pid && processAlive(pid)) continue;
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A data file's columns (video_id, frame, landmarks unless others are asked for), its sha256 checked against the manifest. */
export async function readDataFile(
  outDir: string,
  file: ManifestDataFile,
  wanted: readonly DataColumnName[] = ["video_id", "frame", "landmarks"],
  index?: number,
): Promise<DataFileColumns> {
  return decodeVerified(outDir, file, await readDataFileBytes(outDir, file, index), wanted);
}

/**
 * A data file's bytes, checked against the manifest's sha256 and size; its path goes through the manifest path
 * resolver (`index`: its place in data_files, for the message).
 */
export async function readDataFileBytes(outDir: string, file: ManifestDataFile, index?: number): Promise<Uint8Array> {
  let path: string;
  try {
    path = await resolveManifestPath(outDir, file.path, `data_files[${index ?? ""}].path`);
  } catch (error) {
    if (error instanceof DatasetError) throw new ExportError(error.message);
    throw error;
  }
  const content = await readFileHashed(path).catch((error: NodeJS.ErrnoException) => {
    throw new ExportError(`${path}: ${error.code === "ENOENT" ? "missing" : `cannot be read (${error.code ?? error.message})`}; run lrnet-data validate`);
  });
  if (content.sha256 !== file.sha256 || content.bytes.length !== file.bytes) {
    throw new ExportError(`${path}: sha256 or size differs from the manifest (the file changed since it was written); run lrnet-data validate`);
  }
  return content.bytes;
}

/** Decodes bytes read by readDataFileBytes; a column that is missing or of another type is an ExportError. */
export async function decodeVerified(outDir: string, file: ManifestDataFile, bytes: Uint8Array, wanted: readonly DataColumnName[]): Promise<DataFileColumns> {
  const path = join(outDir, file.path);
  try {
    const { columns } = await decodeDataFile(bytes, { columns: wanted });
    const missing = wanted.filter((name) => columns[COLUMN_KEY[name]] === undefined);
    if (missing.length > 0) throw new Error(`${missing.join(", ")} missing or of another type`);
    return columns;
  } catch (error) {
    throw new ExportError(`${path}: cannot be read as a data file (${(error as Error).message.split("\n")[0]}); run lrnet-data validate`);
  }
}

const COLUMN_KEY: Record<DataColumnName, Exclude<keyof DataFileColumns, "rows">> = {
  video_id: "videoId",
  frame: "frame",
  time_s: "timeS",
  landmarks: "landmarks",
  raw: "raw",
  status: "status",
  score: "score",
  label: "label",
  split: "split",
  method: "method",
  compression: "compression",
};

/**
 * The rows `[start, end)` of a video in its decoded data file, after checking that they are its own (its id on
 * each) and in frame order 0..n−1; anything else is an ExportError sending the user to validate.
 */
export function videoRowSpan(file: ManifestDataFile, video: ManifestVideo, columns: DataFileColumns): { start: number; end: number } {
  const ids = columns.videoId!;
  const frame = columns.frame!;
  const code = ids.values.indexOf(video.id);
  const start = video.data.row_start;
  const end = start + video.data.row_count;
  if (end > columns.rows) throw new ExportError(`${file.path}: video ${video.id} runs past the end of the file; run lrnet-data validate`);
  for (let r = start; r < end; r++) {
    if (ids.codes[r] !== code || frame[r] !== r - start) {
      throw new ExportError(`${file.path}: row ${r} is not frame ${r - start} of video ${video.id}; run lrnet-data validate`);
    }
  }
  return { start, end };
}

/** The video's frames with landmarks as LRNet text lines, after checking that its rows are its own and in frame order. */
function videoLines(file: ManifestDataFile, video: ManifestVideo, columns: DataFileColumns, block: number): string[] {
  const { values, present } = columns.landmarks!;
  const { start, end } = videoRowSpan(file, video, columns);
  const lostCode = columns.status ? columns.status.values.indexOf("lost") : -1;
  const lines: string[] = [];
  // Lines before a lost face are cut to whole blocks, so that none of LRNet's blocks spans it (BlockAlignedLines).
  const aligned = new BlockAlignedLines(block, (line) => {
    lines.push(line);
  });
  for (let r = start; r < end; r++) {
    if (lostCode >= 0 && columns.status!.codes[r] === lostCode) aligned.lost();
    else if (present[r]) aligned.push(formatLrnetLine(values.subarray(r * SHAPE_VALUES, (r + 1) * SHAPE_VALUES)));
  }
  aligned.finish();
  return lines;
}

async function findForeignFiles(dir: string, report: ExportReport): Promise<string[]> {
  const written = new Set(report.files.map((f) => f.path));
  const foreign: string[] = [];
  for (const folder of Object.keys(report.folders)) {
    for (const name of await readdir(join(dir, folder)).catch(() => [] as string[])) {
      const path = `${folder}/${name}`;
      if (!written.has(path) && !name.startsWith(".")) foreign.push(path);
    }
  }
  return foreign.sort();
}
