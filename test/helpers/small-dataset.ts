import { DatasetStore } from "../../src/store/store.js";
import { encodePart } from "../../src/store/parquet-writer.js";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { addCommittedFile, createManifest, summarizeVideo, withState, type BuildConfiguration, type Manifest, type ManifestSource } from "../../src/store/manifest.js";
import { syntheticVideoRows } from "../../src/store/synthetic.js";
import { STATUS_CODE, type Partition, type VideoEntry } from "../../src/store/types.js";
import type { VideoRows } from "../../src/store/video-rows.js";
import { SHAPE_VALUES } from "../../src/shape/shape.js";

export const CONFIGURATION: BuildConfiguration = {
  detector: "openface",
  model_sha256: null,
  mode: "parity",
  mapping_version: "none",
  guard: { min_score: 0.5 },
  calibration: { scale: 1.2, shift_threshold: 1.42 },
};

export const SOURCE: ManifestSource = {
  layout: "ffpp",
  root: "/data/ffpp",
  splits_dir: "/data/ffpp/splits",
  list: null,
  filters: { methods: null, compression: null, splits_only: null },
  shard: null,
};

/** A FF++ original `youtube/<compression>/<name>`. */
export function original(name: string, split: string, compression = "c23"): VideoEntry {
  return {
    id: `youtube/${compression}/${name}`,
    path: `original_sequences/youtube/${compression}/videos/${name}.mp4`,
    label: "real",
    split,
    method: "youtube",
    compression,
    identities: [`youtube:${name}`],
  };
}

/** A FF++ manipulation `<method>/<compression>/<target>_<source>`. */
export function fake(method: string, target: string, source: string, split: string, compression = "c23"): VideoEntry {
  return {
    id: `${method}/${compression}/${target}_${source}`,
    path: `manipulated_sequences/${method}/${compression}/videos/${target}_${source}.mp4`,
    label: "fake",
    split,
    method,
    compression,
    identities: [`youtube:${target}`, `youtube:${source}`],
  };
}

/** Pairs [000, 001] in train, [002, 003] in val, [004, 005] in test: originals and Deepfakes both ways. */
export function ffppEntries(): VideoEntry[] {
  const pairs: [string, string, string][] = [
    ["000", "001", "train"],
    ["002", "003", "val"],
    ["004", "005", "test"],
  ];
  return pairs.flatMap(([a, b, split]) => [original(a, split), original(b, split), fake("Deepfakes", a, b, split), fake("Deepfakes", b, a, split)]);
}

export interface SmallVideo {
  entry: VideoEntry;
  rows: VideoRows;
}

/** Synthetic rows (calibrated values on the 0.005 grid) for an entry: 60–88 frames, seeded by its id. */
export function syntheticVideo(entry: VideoEntry, frames?: number): SmallVideo {
  let seed = 7;
  for (const ch of entry.id) seed = (seed * 31 + ch.charCodeAt(0)) >>> 0;
  return { entry, rows: syntheticVideoRows(entry, frames ?? 60 + (seed % 8) * 4, seed) };
}

/**
 * Rows whose calibrated landmarks are the given shapes (e.g. an LRNet text file), all detected; the raw points
 * are the same shapes in a 1280×720 frame.
 */
export function videoFromShapes(entry: VideoEntry, shapes: readonly Float64Array[]): SmallVideo {
  const n = shapes.length;
  const rows: VideoRows = {
    video: { id: entry.id, label: entry.label, split: entry.split, method: entry.method, compression: entry.compression },
    frame: Int32Array.from({ length: n }, (_, i) => i),
    timeS: Float64Array.from({ length: n }, (_, i) => i / 30),
    landmarks: new Float32Array(n * SHAPE_VALUES),
    landmarksPresent: new Uint8Array(n).fill(1),
    raw: new Float32Array(n * SHAPE_VALUES),
    rawPresent: new Uint8Array(n).fill(1),
    status: new Uint8Array(n).fill(STATUS_CODE.detected),
    score: new Float32Array(n).fill(0.95),
  };
  shapes.forEach((shape, i) => {
    rows.landmarks.set(shape, i * SHAPE_VALUES);
    for (let k = 0; k < SHAPE_VALUES; k++) rows.raw[i * SHAPE_VALUES + k] = shape[k]! * 100 + (k % 2 === 0 ? 640 : 360);
  });
  return { entry, rows };
}

export interface BuildOptions {
  /** Changes a video's rows after its manifest summary was made, so only the data disagree with the manifest. */
  tamper?: (video: SmallVideo) => void;
  /** Videos per data file (per partition); default: all of a partition in one file. */
  videosPerFile?: number;
  /** The manifest's source block (default: an FF++ layout). */
  source?: ManifestSource;
  /** Failures to record (id, path, error). */
  failures?: { id: string; path: string; error: string }[];
}

/**
 * Builds a dataset in `outDir` the way `lrnet-data build` commits it: store, one Parquet part per partition
 * (or per `videosPerFile` videos), manifest summaries from the rows. Returns the manifest and the videos.
 */
export async function buildSmallDataset(outDir: string, videos: readonly SmallVideo[], options: BuildOptions = {}): Promise<Manifest> {
  const { store } = await DatasetStore.open(outDir, { configuration: CONFIGURATION, source: options.source ?? SOURCE, tool: { name: "lrnet-data", version: "0.1.0" } });
  try {
    const groups = new Map<string, SmallVideo[]>();
    for (const video of videos) {
      const key = `${video.entry.split}/${video.entry.method}/${video.entry.compression}`;
      groups.set(key, [...(groups.get(key) ?? []), video]);
    }
    for (const group of groups.values()) {
      const size = options.videosPerFile ?? group.length;
      for (let i = 0; i < group.length; i += size) {
        const chunk = group.slice(i, i + size);
        const summaries = chunk.map((v) => summarizeVideo(v.entry, v.rows, { bytes: 1000 + v.rows.frame.length, sha256: "a".repeat(64) }));
        for (const video of chunk) options.tamper?.(video);
        const partition: Partition = { split: chunk[0]!.entry.split, method: chunk[0]!.entry.method, compression: chunk[0]!.entry.compression };
        await store.commitPart(encodePart(partition, chunk.map((v) => v.rows)), summaries);
      }
    }
    for (const failure of options.failures ?? []) await store.recordFailure(failure);
    await store.complete();
    return store.manifest;
  } finally {
    await store.close();
  }
}

/**
 * Writes a dataset exactly as lrnet-data wrote format 1 (Hive directories `data/split=…/method=…/compression=…/`,
 * dictionary-encoded strings, `format_version: 1`), one file per partition, complete: what older builds left.
 */
export async function buildV1Dataset(outDir: string, videos: readonly SmallVideo[]): Promise<Manifest> {
  let manifest = createManifest({ tool: { name: "lrnet-data", version: "0.1.0" }, configuration: CONFIGURATION, source: SOURCE, formatVersion: 1 });
  const groups = new Map<string, SmallVideo[]>();
  for (const video of videos) {
    const key = `${video.entry.split}/${video.entry.method}/${video.entry.compression}`;
    groups.set(key, [...(groups.get(key) ?? []), video]);
  }
  for (const group of groups.values()) {
    const first = group[0]!.entry;
    const part = encodePart({ split: first.split, method: first.method, compression: first.compression }, group.map((v) => v.rows), { formatVersion: 1 });
    mkdirSync(dirname(join(outDir, part.path)), { recursive: true });
    writeFileSync(join(outDir, part.path), part.bytes);
    const summaries = group.map((v) => summarizeVideo(v.entry, v.rows, { bytes: 1000 + v.rows.frame.length, sha256: "a".repeat(64) }));
    manifest = addCommittedFile(manifest, { ...part, bytes: part.bytes.length }, summaries);
  }
  manifest = withState(manifest, "complete");
  writeFileSync(join(outDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
