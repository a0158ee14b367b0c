import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { rowGroupBytes } from "../../store/data-file.js";
import {
  MANIFEST_FILE,
  addCommittedFile,
  addFailure,
  createManifest,
  videosByFile,
  withState,
  type Manifest,
  type ManifestDataFile,
} from "../../store/manifest.js";
import { CURRENT_FORMAT_VERSION } from "../../store/parquet-columns.js";
import { writeFileDurably } from "../../io/durable-fs.js";
import { checkExport, decodeVerified, loadManifest, prepareDirectory, readDataFileBytes } from "../export-dataset.js";
import { CARD_FILE, datasetCard } from "./card.js";
import { CROISSANT_FILE, croissantOf } from "./croissant.js";
import { rewriteDataFile } from "./rewrite.js";

/** A row group above this is rewritten: the Hub's viewer and many readers want row groups well under 256 MiB. */
export const MAX_ROW_GROUP_BYTES = 128 * 1024 * 1024;

export interface HfExportOptions {
  dir: string;
  /** Hugging Face license id (`cc-by-nc-4.0`, `other`, …). Default `other`. */
  license?: string;
  /** The source datasets' terms, as text for the card; default: what the layout's source is known to require, marked for the owner. */
  sourceTerms?: string;
  /** The dataset's name in the card; default: the output directory's name. */
  name?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface HfExportReport {
  dir: string;
  files: { path: string; bytes: number; rows: number; how: "copied" | "rewritten"; largestRowGroupBytes: number }[];
  videos: number;
}

/**
 * A folder that can be uploaded to the Hugging Face Hub as it is: the data files (copied when they already are in
 * the current format with small row groups, else rewritten), `manifest.json` describing exactly those files,
 * `README.md` (dataset card with the `configs` block) and `croissant.json`. The folder is itself a dataset that
 * `lrnet-data validate` accepts. Written as a whole into a new or empty directory.
 */
export async function exportHf(outDir: string, options: HfExportOptions): Promise<HfExportReport> {
  const source = await loadManifest(outDir);
  // A Hub folder is published as the whole dataset: an unfinished or inconsistent one is always refused.
  await checkExport(outDir, source, options.dir, false);
  // Never into a folder with files: stale data files would match the card's globs.
  const target = await prepareDirectory(options.dir, false, "a Hub folder must hold only this export's files (the card's globs would take stale data files), so export into a new or empty directory", false);
  try {
    const report: HfExportReport = { dir: options.dir, files: [], videos: source.videos.length };
    let manifest = createManifest({ tool: source.tool, configuration: source.configuration, source: source.source, now: new Date(source.created_at) });
    const videosOf = videosByFile(source.videos);
    let done = 0;
    for (const [index, file] of source.data_files.entries()) {
      const videos = [...(videosOf.get(file.path) ?? [])].sort((a, b) => a.data.row_start - b.data.row_start);
      const bytes = await readDataFileBytes(outDir, file, index);
      const groups = await rowGroupBytes(bytes);
      const keep = source.format_version === CURRENT_FORMAT_VERSION && Math.max(0, ...groups) <= MAX_ROW_GROUP_BYTES;
      const part = keep
        ? { ...committedOf(file, videos.map((v) => ({ id: v.id, rowStart: v.data.row_start, rowCount: v.data.row_count }))), bytes }
        : rewritten(file, videos, await decodeVerified(outDir, file, bytes, ALL_COLUMNS));
      await mkdir(dirname(join(target.root, part.path)), { recursive: true });
      await writeFileDurably(join(target.root, part.path), part.bytes);
      manifest = addCommittedFile(manifest, { ...part, bytes: part.bytes.length }, videos);
      report.files.push({
        path: part.path,
        bytes: part.bytes.length,
        rows: part.rows,
        how: keep ? "copied" : "rewritten",
        largestRowGroupBytes: Math.max(0, ...(keep ? groups : await rowGroupBytes(part.bytes))),
      });
      done += videos.length;
      options.onProgress?.(done, source.videos.length);
    }
    for (const failure of source.failures) manifest = addFailure(manifest, failure, new Date(failure.at));
    manifest = withState(manifest, source.state, new Date(source.updated_at));
    const text = { name: options.name ?? defaultName(outDir), description: description(manifest), license: options.license ?? "other", sourceTerms: options.sourceTerms };
    await writeFileDurably(join(target.root, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await writeFileDurably(join(target.root, CARD_FILE), datasetCard(manifest, text));
    await writeFileDurably(join(target.root, CROISSANT_FILE), `${JSON.stringify(croissantOf(manifest, text), null, 2)}\n`);
    await target.finish();
    return report;
  } catch (error) {
    await target.abort();
    throw error;
  }
}

const ALL_COLUMNS = ["video_id", "frame", "time_s", "landmarks", "raw", "status", "score", "label", "split", "method", "compression"] as const;

function committedOf(file: ManifestDataFile, videos: { id: string; rowStart: number; rowCount: number }[]) {
  return { path: file.path, sha256: file.sha256, rows: file.rows, partition: file.partition, videos };
}

function rewritten(file: ManifestDataFile, videos: Parameters<typeof rewriteDataFile>[1], columns: Parameters<typeof rewriteDataFile>[2]) {
  const part = rewriteDataFile(file, videos, columns);
  return { path: part.path, sha256: part.sha256, rows: part.rows, partition: part.partition, videos: part.videos, bytes: part.bytes };
}

function defaultName(outDir: string): string {
  const base = outDir.replace(/[\\/]+$/, "").split(/[\\/]/).pop() ?? "";
  return base === "" || base === "." ? "lrnet-data landmarks" : `${base} (lrnet-data landmarks)`;
}

function description(manifest: Manifest): string {
  return (
    `Calibrated 68-point facial landmarks, one row per video frame, of ${manifest.videos.length} videos ` +
    `(${Object.entries(manifest.splits).map(([split, s]) => `${split} ${s.video_count}`).join(", ")}), made with ${manifest.tool.name} ` +
    "for landmark-based deepfake detectors such as LRNet (Sun et al., CVPR 2021). The videos themselves are not included."
  );
}
