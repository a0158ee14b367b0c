import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { ManifestVideo } from "../../store/manifest.js";
import { videosByFile } from "../../store/manifest.js";
import { POINT_COUNT, SHAPE_VALUES } from "../../shape/shape.js";
import { writeFileDurably } from "../../io/durable-fs.js";
import { ExportError } from "../errors.js";
import { loadManifest, prepareDirectory, readDataFile, videoRowSpan } from "../export-dataset.js";
import { flattenId } from "../layout.js";
import { encodeNpyFloat32 } from "./npy-file.js";

export const NPY_INDEX_FILE = "index.csv";
export const NPY_INDEX_COLUMNS = ["id", "label", "split", "method", "compression", "frames", "file"] as const;

export interface NpyExportOptions {
  dir: string;
  /** The detector's points in frame pixels instead of the calibrated landmarks. */
  raw?: boolean;
  overwrite?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface NpyExportReport {
  dir: string;
  /** Per video: its file (relative to dir) and frame count. */
  files: { path: string; video: string; frames: number }[];
  /** Frames written as NaN because they had no points. */
  nanFrames: number;
}

/**
 * Writes one `<id>.npy` per video (the id's "/" as folders, each part flattened as in the LRNet export), shape
 * (frames, 68, 2) float32: every decoded frame in order, so that index i is frame i; a frame without points
 * (before the first detection, or raw points never found) is 136 NaNs. Plus `index.csv` with one line per video.
 * Like every export, a new or empty directory is written as a whole, and data files are checked by sha256.
 */
export async function exportNpy(outDir: string, options: NpyExportOptions): Promise<NpyExportReport> {
  const manifest = await loadManifest(outDir);
  const column = options.raw ? "raw" : "landmarks";
  const paths = planNpyPaths(manifest.videos);
  const target = await prepareDirectory(options.dir, options.overwrite ?? false, "export into a new or empty directory (or pass --overwrite)");
  try {
    const report: NpyExportReport = { dir: options.dir, files: [], nanFrames: 0 };
    const videosOf = videosByFile(manifest.videos);
    let done = 0;
    for (const file of manifest.data_files) {
      const columns = await readDataFile(outDir, file, ["video_id", "frame", column]);
      const shapes = columns[column]!;
      for (const video of videosOf.get(file.path) ?? []) {
        const { start, end } = videoRowSpan(file, video, columns);
        const frames = end - start;
        const values = new Float32Array(frames * SHAPE_VALUES);
        values.set(shapes.values.subarray(start * SHAPE_VALUES, end * SHAPE_VALUES));
        for (let r = start; r < end; r++) {
          if (shapes.present[r]) continue;
          values.fill(Number.NaN, (r - start) * SHAPE_VALUES, (r - start + 1) * SHAPE_VALUES);
          report.nanFrames++;
        }
        const path = paths.get(video.id)!;
        await mkdir(dirname(join(target.root, path)), { recursive: true });
        await writeFileDurably(join(target.root, path), encodeNpyFloat32([frames, POINT_COUNT, 2], values));
        report.files.push({ path, video: video.id, frames });
        options.onProgress?.(++done, manifest.videos.length);
      }
    }
    const byId = new Map(report.files.map((f) => [f.video, f]));
    const lines = [NPY_INDEX_COLUMNS.join(",")];
    for (const video of manifest.videos) {
      const written = byId.get(video.id)!;
      lines.push([video.id, video.label, video.split, video.method, video.compression, String(written.frames), written.path].map(csvField).join(","));
    }
    await writeFileDurably(join(target.root, NPY_INDEX_FILE), `${lines.join("\n")}\n`);
    await target.finish();
    report.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return report;
  } catch (error) {
    await target.abort();
    throw error;
  }
}

/** `Deepfakes/c23/000_003` → `Deepfakes/c23/000_003.npy`; two videos on one file (compared ignoring case) are an ExportError. */
function planNpyPaths(videos: readonly ManifestVideo[]): Map<string, string> {
  const paths = new Map<string, string>();
  const owner = new Map<string, string>();
  for (const video of videos) {
    const parts = video.id.split("/");
    if (parts.some((p) => p === "")) throw new ExportError(`video ${video.id}: an id with an empty path part cannot name a file`);
    const path = `${parts.map(flattenId).join("/")}.npy`;
    const other = owner.get(path.toLowerCase());
    if (other !== undefined) throw new ExportError(`videos ${other} and ${video.id} would both be exported to ${path}`);
    owner.set(path.toLowerCase(), video.id);
    paths.set(video.id, path);
  }
  return paths;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
