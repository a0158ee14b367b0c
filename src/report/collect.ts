import { join } from "node:path";
import type { Manifest, ManifestVideo } from "../store/manifest.js";
import { videosByFile } from "../store/manifest.js";
import { readFile } from "node:fs/promises";
import { decodeDataFile, type DataFileColumns } from "../store/data-file.js";
import { POINT_COUNT, SHAPE_VALUES } from "../shape/shape.js";

/** Landmarks drawn for a video to look at: iBUG 68-point indices (0-based) and what they are. */
export const TRACE_POINTS: readonly { index: number; name: string }[] = [
  { index: 30, name: "nose tip" },
  { index: 8, name: "chin" },
  { index: 48, name: "mouth corner" },
];

/** At most this many frames are drawn per trace (longer videos are thinned evenly). */
const MAX_TRACE_FRAMES = 900;

/** One landmark's horizontal position within the face over the video, raw and calibrated, in face sizes from its mean. */
export interface PointTrace {
  point: number;
  name: string;
  raw: (number | null)[];
  calibrated: (number | null)[];
}

export interface VideoTrace {
  /** Frame index of each drawn sample (every frame unless thinned). */
  frames: number[];
  /** Status of each drawn frame (detected, held, rejected, skipped). */
  status: string[];
  points: PointTrace[];
}

export interface VideoToLookAt {
  video: ManifestVideo;
  detectedShare: number;
  trace: VideoTrace | null;
  /** Why there is no trace (its data file is missing or unreadable). */
  traceError?: string;
}

/**
 * Reads the trajectories of the given videos from their data files (each file read once) and pairs them
 * with the videos. A file that cannot be read leaves its videos without a trace, with the reason.
 */
export async function collectTraces(outDir: string, videos: readonly ManifestVideo[]): Promise<Map<string, VideoToLookAt>> {
  const result = new Map<string, VideoToLookAt>();
  for (const [file, inFile] of videosByFile(videos)) {
    let columns: DataFileColumns | null = null;
    let error: string | undefined;
    try {
      const bytes = new Uint8Array(await readFile(join(outDir, file)));
      columns = (await decodeDataFile(bytes, { columns: ["video_id", "frame", "landmarks", "raw", "status"] })).columns;
    } catch (e) {
      error = `${file} could not be read (${(e as Error).message.split("\n")[0]})`;
    }
    for (const video of inFile) {
      const trace = columns ? traceOf(video, columns) : null;
      result.set(video.id, {
        video,
        detectedShare: detectedShare(video),
        trace,
        ...(trace ? {} : { traceError: error ?? `the rows of ${video.id} in ${file} do not match the manifest` }),
      });
    }
  }
  return result;
}

export function detectedShare(video: ManifestVideo): number {
  return video.frames > 0 ? video.status_counts.detected / video.frames : 0;
}

function traceOf(video: ManifestVideo, columns: DataFileColumns): VideoTrace | null {
  const { row_start: start, row_count: count } = video.data;
  const ids = columns.videoId;
  const landmarks = columns.landmarks;
  const raw = columns.raw;
  const status = columns.status;
  if (!ids || !landmarks || !raw || !status || start + count > columns.rows) return null;
  const code = ids.values.indexOf(video.id);
  for (let r = start; r < start + count; r++) if (ids.codes[r] !== code) return null;
  const stride = Math.max(1, Math.ceil(count / MAX_TRACE_FRAMES));
  const rows: number[] = [];
  for (let r = start; r < start + count; r += stride) rows.push(r);
  const rawFace = meanFaceSize(raw.values, raw.present, start, count);
  const calibratedFace = meanFaceSize(landmarks.values, landmarks.present, start, count);
  return {
    frames: rows.map((r) => columns.frame?.[r] ?? r - start),
    status: rows.map((r) => (status.codes[r]! >= 0 ? status.values[status.codes[r]!]! : "?")),
    points: TRACE_POINTS.map(({ index, name }) => ({
      point: index,
      name,
      raw: relativeTrack(raw.values, raw.present, rows, index, rawFace),
      calibrated: relativeTrack(landmarks.values, landmarks.present, rows, index, calibratedFace),
    })),
  };
}

/**
 * A point's horizontal position relative to the face's centre (the mean of the 68 points) in each row, in face
 * sizes, minus its average: how the point moves within the face. Head motion through the frame drops out, so
 * raw points (pixels) and calibrated points (crop units) share one scale. null where the row has no shape.
 */
function relativeTrack(values: Float32Array, present: Uint8Array, rows: readonly number[], point: number, face: number): (number | null)[] {
  const within = rows.map((r) => {
    if (!present[r] || !(face > 0)) return null;
    let cx = 0;
    for (let p = 0; p < POINT_COUNT; p++) cx += values[r * SHAPE_VALUES + 2 * p]!;
    return (values[r * SHAPE_VALUES + 2 * point]! - cx / POINT_COUNT) / face;
  });
  const known = within.filter((v): v is number => v !== null);
  const mean = known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : 0;
  return within.map((v) => (v === null ? null : Number((v - mean).toFixed(5))));
}

/** Mean over rows with a shape of the larger side of the points' bounding box (the jitter's face size). */
function meanFaceSize(values: Float32Array, present: Uint8Array, start: number, count: number): number {
  let sum = 0;
  let n = 0;
  for (let r = start; r < start + count; r++) {
    if (!present[r]) continue;
    let xMin = Infinity;
    let xMax = -Infinity;
    let yMin = Infinity;
    let yMax = -Infinity;
    for (let p = 0; p < POINT_COUNT; p++) {
      const x = values[r * SHAPE_VALUES + 2 * p]!;
      const y = values[r * SHAPE_VALUES + 2 * p + 1]!;
      if (x < xMin) xMin = x;
      if (x > xMax) xMax = x;
      if (y < yMin) yMin = y;
      if (y > yMax) yMax = y;
    }
    sum += Math.max(xMax - xMin, yMax - yMin);
    n++;
  }
  return n > 0 ? sum / n : 0;
}

/** The videos with the lowest share of detected frames, then the highest calibrated jitter. */
export function videosToLookAt(manifest: Manifest, count: number): { byDetection: ManifestVideo[]; byJitter: ManifestVideo[] } {
  const byDetection = [...manifest.videos].sort((a, b) => detectedShare(a) - detectedShare(b) || (a.id < b.id ? -1 : 1)).slice(0, count);
  const byJitter = manifest.videos
    .filter((v) => v.jitter.calibrated !== null)
    .sort((a, b) => b.jitter.calibrated! - a.jitter.calibrated! || (a.id < b.id ? -1 : 1))
    .slice(0, count);
  return { byDetection, byJitter };
}
