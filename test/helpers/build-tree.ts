/**
 * Small dataset trees for `lrnet-data build` tests, made at test time: generated clips (lossless, textured,
 * moving) at FF++-shaped paths, the official-style split files, and an OpenFace CSV per video that follows the
 * texture's motion. Generated clips hold no face, so these builds use `--openface`.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, extname, join } from "node:path";
import { makeOpenFaceCsv, type OpenFaceCsvRow } from "./openface-csv.js";
import { squareShape } from "./synthetic-shape.js";
import { makeMovingTextureClip } from "./synthetic-video.js";

export interface TreeVideo {
  /** Path under the root, e.g. `original_sequences/youtube/c23/videos/000.mp4`. */
  path: string;
  /** Video id as the layout names it (the CSV goes to `<openface>/<id>.csv`). */
  id: string;
  frames: number;
  /** Texture seed and motion speed, so that videos differ. */
  seed: number;
  /** `ok` (default): every row successful; `failed`: every row has success 0; `none`: no CSV. */
  csv?: "ok" | "failed" | "none";
  /** Rows in the CSV (default: one per frame). */
  csvFrames?: number;
}

export interface BuildTree {
  root: string;
  splits: string;
  openface: string;
  videos: TreeVideo[];
}

/** FF++'s split files: each pair [a, b] puts a, b, a_b and b_a in that split. */
export type PairSplits = Record<"train" | "val" | "test", [string, string][]>;

export async function makeBuildTree(videos: TreeVideo[], splits: PairSplits, base?: string): Promise<BuildTree> {
  const dir = base ?? mkdtempSync(join(tmpdir(), "lrnet-build-"));
  const root = join(dir, "ffpp");
  const splitsDir = join(dir, "splits");
  const openface = join(dir, "openface");
  mkdirSync(splitsDir, { recursive: true });
  for (const [split, pairs] of Object.entries(splits)) writeFileSync(join(splitsDir, `${split}.json`), JSON.stringify(pairs));
  await writeTreeVideos(root, openface, videos);
  return { root, splits: splitsDir, openface, videos };
}

/**
 * Writes each video as a generated clip at `root/<path>` and, unless its `csv` is `none`, an OpenFace CSV that
 * follows the clip's motion at `openface/<id>.csv`.
 */
export async function writeTreeVideos(root: string, openface: string, videos: readonly TreeVideo[]): Promise<void> {
  for (const video of videos) {
    const folder = join(root, dirname(video.path));
    mkdirSync(folder, { recursive: true });
    const speed = 1 + (video.seed % 3);
    await makeMovingTextureClip({
      width: 160,
      height: 120,
      frames: video.frames,
      fps: 25,
      offsets: (i) => [i * speed, i % 2],
      codec: "h264-lossless",
      seed: video.seed,
      dir: folder,
      name: basename(video.path, extname(video.path)),
    });
    if (video.csv === "none") continue;
    const rows: OpenFaceCsvRow[] = Array.from({ length: video.csvFrames ?? video.frames }, (_, i) =>
      video.csv === "failed"
        ? { frame: i + 1, success: false, confidence: 0 }
        : { frame: i + 1, shape: squareShape(70 + i * speed, 60 + (i % 2), 44 + (video.seed % 5)), confidence: 0.9 + (video.seed % 9) / 100 },
    );
    const csvPath = join(openface, `${video.id}.csv`);
    mkdirSync(dirname(csvPath), { recursive: true });
    writeFileSync(csvPath, makeOpenFaceCsv(rows));
  }
}

/**
 * `pairs` FF++ pairs: for pair p the originals 2p and 2p+1 (youtube, c23) and the Deepfakes clip 2p_2p+1, with
 * `frames(i)` frames for the i-th video. Pairs go to train, test, val, train, … in turn.
 */
export function ffppVideos(pairs: number, frames: (index: number) => number = (i) => 10 + (i % 6)): { videos: TreeVideo[]; splits: PairSplits } {
  const videos: TreeVideo[] = [];
  const splits: PairSplits = { train: [], val: [], test: [] };
  const order = ["train", "test", "val"] as const;
  for (let p = 0; p < pairs; p++) {
    const a = String(2 * p).padStart(3, "0");
    const b = String(2 * p + 1).padStart(3, "0");
    splits[order[p % 3]!].push([a, b]);
    for (const name of [a, b]) {
      const i = videos.length;
      videos.push({ path: `original_sequences/youtube/c23/videos/${name}.mp4`, id: `youtube/c23/${name}`, frames: frames(i), seed: i + 1 });
    }
    const i = videos.length;
    videos.push({ path: `manipulated_sequences/Deepfakes/c23/videos/${a}_${b}.mp4`, id: `Deepfakes/c23/${a}_${b}`, frames: frames(i), seed: i + 1 });
  }
  return { videos, splits };
}

/** Per video, read back with DuckDB from the Parquet files (Hive partitions on): counts and exact value digests. */
export interface VideoReadBack {
  video_id: string;
  n: number;
  frames: string;
  split: string;
  method: string;
  compression: string;
  label: string;
  statuses: string;
  landmarks: string;
  raw: string;
  scores: string;
  times: string;
}

export async function readBack(out: string): Promise<VideoReadBack[]> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const db = await instance.connect();
  try {
    const reader = await db.runAndReadAll(
      `SELECT video_id, count(*)::INTEGER AS n,
              string_agg(frame::VARCHAR, ',' ORDER BY frame) AS frames,
              any_value(split) AS split, any_value(method) AS method, any_value(compression) AS compression, any_value(label) AS label,
              string_agg(status, ',' ORDER BY frame) AS statuses,
              md5(string_agg(coalesce(landmarks::VARCHAR, 'null'), ';' ORDER BY frame)) AS landmarks,
              md5(string_agg(coalesce(raw::VARCHAR, 'null'), ';' ORDER BY frame)) AS raw,
              md5(string_agg(score::VARCHAR, ';' ORDER BY frame)) AS scores,
              md5(string_agg(time_s::VARCHAR, ';' ORDER BY frame)) AS times
       FROM read_parquet('${out}/data/**/*.parquet', hive_partitioning = true)
       GROUP BY video_id ORDER BY video_id`,
    );
    return reader.getRowObjectsJson() as unknown as VideoReadBack[];
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}
