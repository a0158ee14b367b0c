import { IBUG_REGIONS } from "../sources/mesh-to-ibug.js";
import { compareLandmarkRows } from "../metrics/landmark-distance.js";
import { SHAPE_VALUES } from "../shape/shape.js";
import type { ComparisonSide, SideVideo, VideoLandmarkRows } from "./sides.js";

/** Per-side facts of one video in a comparison. */
export interface SideFacts {
  frames: number;
  detected_share: number | null;
  held_share: number | null;
  rejected_share: number | null;
  jitter_raw: number | null;
  jitter_calibrated: number | null;
}

export interface VideoComparison {
  id: string;
  /** Frames where both sides have calibrated landmarks. */
  frames_compared: number;
  /** NME: mean point distance over B's inter-ocular distance (eye centres), averaged over frames; null when no frame pairs. */
  nme: number | null;
  /** Mean point distance in LRNet's normalised units (the 400-pixel crop spans 2). */
  mean_distance: number | null;
  /** NME per iBUG region (jaw, brows, nose, eyes, mouth). */
  regions: Record<string, number> | null;
  a: SideFacts;
  b: SideFacts;
}

export interface ComparisonSummary {
  /** Videos on both sides. */
  videos: number;
  /** Of those, videos with at least one frame where both sides have landmarks. */
  videos_compared: number;
  frames_compared: number;
  nme_mean: number | null;
  nme_median: number | null;
  nme_max: number | null;
  regions: Record<string, number> | null;
  a: SideSummary;
  b: SideSummary;
  only_a: string[];
  only_b: string[];
}

export interface SideSummary {
  path: string;
  describe: string;
  videos: number;
  /** Means over the common videos (null where the side does not record it). */
  detected_share: number | null;
  held_share: number | null;
  rejected_share: number | null;
  jitter_raw: number | null;
  jitter_calibrated: number | null;
}

export interface Comparison {
  summary: ComparisonSummary;
  videos: VideoComparison[];
}

/**
 * Compares two sides video by video: calibrated landmarks frame by frame (same frame index, both present), with
 * B as the reference for the inter-ocular distance, plus each side's detection, status shares and jitter.
 * `onVideo` sees each video's rows (for plots) while they are in memory.
 */
export async function compareSides(
  a: ComparisonSide,
  b: ComparisonSide,
  onVideo?: (id: string, rowsA: VideoLandmarkRows, rowsB: VideoLandmarkRows, result: VideoComparison) => void,
): Promise<Comparison> {
  // Two single text files are one video, whatever the files are called.
  const pairs: [string, string][] =
    a.kind === "text" && b.kind === "text"
      ? [[[...a.videos.keys()][0]!, [...b.videos.keys()][0]!]]
      : [...a.videos.keys()].filter((id) => b.videos.has(id)).sort().map((id) => [id, id]);
  const paired = new Set(pairs.map(([id]) => id));
  const pairedB = new Set(pairs.map(([, id]) => id));
  const videos: VideoComparison[] = [];
  for (const [idA, idB] of pairs) {
    const rowsA = await a.rows(idA);
    const rowsB = await b.rows(idB);
    const result = compareVideo(idA, rowsA, rowsB, a.videos.get(idA)!, b.videos.get(idB)!);
    onVideo?.(idA, rowsA, rowsB, result);
    videos.push(result);
  }
  const compared = videos.filter((v) => v.nme !== null);
  const nmes = compared.map((v) => v.nme!).sort((x, y) => x - y);
  const mean = (values: number[]) => (values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length);
  const regions: Record<string, number> | null =
    compared.length === 0 ? null : Object.fromEntries(Object.keys(IBUG_REGIONS).map((name) => [name, mean(compared.map((v) => v.regions![name]!))!]));
  return {
    summary: {
      videos: pairs.length,
      videos_compared: compared.length,
      frames_compared: videos.reduce((s, v) => s + v.frames_compared, 0),
      nme_mean: mean(nmes),
      nme_median: nmes.length === 0 ? null : nmes.length % 2 ? nmes[nmes.length >> 1]! : (nmes[nmes.length / 2 - 1]! + nmes[nmes.length / 2]!) / 2,
      nme_max: nmes.length === 0 ? null : nmes[nmes.length - 1]!,
      regions,
      a: summarizeSide(a, videos.map((v) => v.a)),
      b: summarizeSide(b, videos.map((v) => v.b)),
      only_a: [...a.videos.keys()].filter((id) => !paired.has(id)).sort(),
      only_b: [...b.videos.keys()].filter((id) => !pairedB.has(id)).sort(),
    },
    videos,
  };
}

function compareVideo(id: string, rowsA: VideoLandmarkRows, rowsB: VideoLandmarkRows, a: SideVideo, b: SideVideo): VideoComparison {
  const rowOfFrameB = new Map<number, number>();
  for (let r = 0; r < rowsB.frame.length; r++) if (rowsB.present[r]) rowOfFrameB.set(rowsB.frame[r]!, r);
  const ours: Float32Array[] | Float64Array[] = [];
  const reference: (Float32Array | Float64Array)[] = [];
  for (let r = 0; r < rowsA.frame.length; r++) {
    if (!rowsA.present[r]) continue;
    const rb = rowOfFrameB.get(rowsA.frame[r]!);
    if (rb === undefined) continue;
    (ours as (Float32Array | Float64Array)[]).push(rowsA.landmarks.subarray(r * SHAPE_VALUES, (r + 1) * SHAPE_VALUES));
    reference.push(rowsB.landmarks.subarray(rb * SHAPE_VALUES, (rb + 1) * SHAPE_VALUES));
  }
  const distance = reference.length === 0 ? null : compareLandmarkRows(ours, reference, IBUG_REGIONS);
  return {
    id,
    frames_compared: reference.length,
    nme: distance?.nme ?? null,
    mean_distance: distance?.mean ?? null,
    regions: distance?.regionsNme ?? null,
    a: facts(a),
    b: facts(b),
  };
}

function facts(v: SideVideo): SideFacts {
  return {
    frames: v.frames,
    detected_share: v.detected,
    held_share: v.held,
    rejected_share: v.rejected,
    jitter_raw: v.jitterRaw,
    jitter_calibrated: v.jitterCalibrated,
  };
}

function summarizeSide(side: ComparisonSide, facts: readonly SideFacts[]): SideSummary {
  const mean = (pick: (f: SideFacts) => number | null): number | null => {
    const values = facts.map(pick).filter((v): v is number => v !== null);
    return values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length;
  };
  return {
    path: side.path,
    describe: side.describe,
    videos: side.videos.size,
    detected_share: mean((f) => f.detected_share),
    held_share: mean((f) => f.held_share),
    rejected_share: mean((f) => f.rejected_share),
    jitter_raw: mean((f) => f.jitter_raw),
    jitter_calibrated: mean((f) => f.jitter_calibrated),
  };
}
