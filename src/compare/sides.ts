import { readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { LrnetDataError } from "../errors.js";
import { decodeDataFile, type DataFileColumns } from "../store/data-file.js";
import type { Manifest, ManifestVideo } from "../store/manifest.js";
import { readManifest } from "../store/store.js";
import { landmarkJitter } from "../store/jitter.js";
import { parseLrnetText } from "../export/lrnet-txt.js";
import { SHAPE_VALUES } from "../shape/shape.js";

/** A problem with an input of `compare`: one line naming the file. */
export class CompareError extends LrnetDataError {}

/** What one side says about one video, apart from its landmarks. */
export interface SideVideo {
  id: string;
  frames: number;
  /** Shares of the frames; null for a text file, which has no statuses. */
  detected: number | null;
  held: number | null;
  rejected: number | null;
  skipped: number | null;
  jitterRaw: number | null;
  jitterCalibrated: number | null;
}

/** One video's calibrated landmarks: row r is frame `frame[r]`, `present[r]` 0 where the row has none. */
export interface VideoLandmarkRows {
  frame: Int32Array;
  landmarks: Float32Array | Float64Array;
  present: Uint8Array;
}

/** A dataset (build output) or a single LRNet landmark text file. */
export interface ComparisonSide {
  path: string;
  kind: "dataset" | "text";
  /** The detector and mapping that made it, when the side records them. */
  describe: string;
  videos: Map<string, SideVideo>;
  rows(id: string): Promise<VideoLandmarkRows>;
}

export async function openSide(path: string): Promise<ComparisonSide> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CompareError(`${path}: ${code === "ENOENT" ? "not found" : `cannot read it (${code})`}`);
  }
  return isDirectory ? openDatasetSide(path) : openTextSide(path);
}

async function openDatasetSide(dir: string): Promise<ComparisonSide> {
  let manifest: Manifest | null;
  try {
    manifest = await readManifest(dir);
  } catch (error) {
    throw new CompareError((error as Error).message.split("\n")[0]!);
  }
  if (manifest === null) throw new CompareError(`${join(dir, "manifest.json")}: no manifest; compare takes build outputs or LRNet text files`);
  const byId = new Map<string, ManifestVideo>(manifest.videos.map((v) => [v.id, v]));
  const videos = new Map<string, SideVideo>();
  for (const v of manifest.videos) {
    const share = (n: number) => (v.frames > 0 ? n / v.frames : 0);
    videos.set(v.id, {
      id: v.id,
      frames: v.frames,
      detected: share(v.status_counts.detected),
      held: share(v.status_counts.held),
      rejected: share(v.status_counts.rejected),
      skipped: share(v.status_counts.skipped),
      jitterRaw: v.jitter.raw,
      jitterCalibrated: v.jitter.calibrated,
    });
  }
  // The last data file read stays decoded: videos of one file are usually compared one after the other.
  let cached: { file: string; columns: DataFileColumns } | null = null;
  const configuration = manifest.configuration;
  return {
    path: dir,
    kind: "dataset",
    describe: `${configuration.detector}${configuration.mapping_version && configuration.mapping_version !== "none" ? `, mapping ${configuration.mapping_version}` : ""}`,
    videos,
    async rows(id: string): Promise<VideoLandmarkRows> {
      const video = byId.get(id)!;
      const file = video.data.file;
      if (cached === null || cached.file !== file) {
        let bytes: Uint8Array;
        try {
          bytes = new Uint8Array(await readFile(join(dir, file)));
        } catch (error) {
          throw new CompareError(`${join(dir, file)}: cannot read it (${(error as NodeJS.ErrnoException).code})`);
        }
        cached = { file, columns: (await decodeDataFile(bytes, { columns: ["frame", "landmarks"] })).columns };
      }
      const { frame, landmarks, rows } = cached.columns;
      const { row_start: start, row_count: count } = video.data;
      if (!frame || !landmarks || start + count > rows) throw new CompareError(`${join(dir, file)}: rows of ${id} do not match the manifest (run validate)`);
      return {
        frame: frame.subarray(start, start + count),
        landmarks: landmarks.values.subarray(start * SHAPE_VALUES, (start + count) * SHAPE_VALUES),
        present: landmarks.present.subarray(start, start + count),
      };
    },
  };
}

/** An LRNet text file: one video, named by the file (up to its first dot); row i is output frame i. */
async function openTextSide(file: string): Promise<ComparisonSide> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new CompareError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code})`);
  }
  let parsed: Float64Array[];
  try {
    parsed = parseLrnetText(text, file);
  } catch (error) {
    throw new CompareError((error as Error).message);
  }
  if (parsed.length === 0) throw new CompareError(`${file}: no landmark rows`);
  const landmarks = new Float64Array(parsed.length * SHAPE_VALUES);
  parsed.forEach((row, r) => landmarks.set(row, r * SHAPE_VALUES));
  const rows: VideoLandmarkRows = {
    frame: Int32Array.from(parsed, (_, r) => r),
    landmarks,
    present: new Uint8Array(parsed.length).fill(1),
  };
  const id = basename(file).split(".")[0]!;
  const video: SideVideo = {
    id,
    frames: parsed.length,
    detected: null,
    held: null,
    rejected: null,
    skipped: null,
    jitterRaw: null,
    jitterCalibrated: landmarkJitter(landmarks, rows.present),
  };
  return { path: file, kind: "text", describe: "LRNet landmark text file", videos: new Map([[id, video]]), rows: async () => rows };
}
