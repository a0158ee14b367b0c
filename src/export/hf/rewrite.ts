import type { DataFileColumns, DictionaryColumn } from "../../store/data-file.js";
import type { ManifestDataFile, ManifestVideo } from "../../store/manifest.js";
import { encodePart, type EncodedPart } from "../../store/parquet-writer.js";
import { FRAME_STATUSES } from "../../guard/guard.js";
import type { VideoRows } from "../../store/video-rows.js";
import { SHAPE_VALUES } from "../../shape/shape.js";
import { ExportError } from "../errors.js";
import { videoRowSpan } from "../export-dataset.js";

/** Rows per row group when a file is rewritten: ~18 MB of uncompressed shapes, far under the Hub's 256 MiB. */
const REWRITE_ROW_GROUP_ROWS = 16384;

/**
 * A data file written again in the current format (plain strings, plain directories), its videos in the same
 * order: for format 1 datasets and for files whose row groups are too large to publish. `columns` must hold
 * every column.
 */
export function rewriteDataFile(file: ManifestDataFile, videos: readonly ManifestVideo[], columns: DataFileColumns): EncodedPart {
  const rows = videos.map((video) => videoRowsOf(file, video, columns));
  return encodePart(file.partition, rows, { rowGroupRows: REWRITE_ROW_GROUP_ROWS });
}

function videoRowsOf(file: ManifestDataFile, video: ManifestVideo, columns: DataFileColumns): VideoRows {
  const { start, end } = videoRowSpan(file, video, columns);
  const landmarks = columns.landmarks!;
  const raw = columns.raw!;
  return {
    video: { id: video.id, label: video.label, split: video.split, method: video.method, compression: video.compression },
    frame: columns.frame!.slice(start, end),
    timeS: columns.timeS!.slice(start, end),
    landmarks: landmarks.values.slice(start * SHAPE_VALUES, end * SHAPE_VALUES),
    landmarksPresent: landmarks.present.slice(start, end),
    raw: raw.values.slice(start * SHAPE_VALUES, end * SHAPE_VALUES),
    rawPresent: raw.present.slice(start, end),
    status: statusCodes(file, video, columns.status!, start, end),
    score: columns.score!.slice(start, end),
  };
}

function statusCodes(file: ManifestDataFile, video: ManifestVideo, status: DictionaryColumn, start: number, end: number): Uint8Array {
  const codeOf = status.values.map((value) => FRAME_STATUSES.indexOf(value as (typeof FRAME_STATUSES)[number]));
  const out = new Uint8Array(end - start);
  for (let r = start; r < end; r++) {
    const code = codeOf[status.codes[r]!] ?? -1;
    if (code < 0) throw new ExportError(`${file.path}: video ${video.id} frame ${r - start} has an unknown status; run lrnet-data validate`);
    out[r - start] = code;
  }
  return out;
}
