import {
  Field,
  Float32,
  Float64,
  Int32,
  RecordBatch,
  Struct,
  Table,
  makeData,
  tableToIPC,
  vectorFromArray,
  Utf8,
  type Data,
  type DataType,
} from "apache-arrow";
import * as parquet from "parquet-wasm";
import { SHAPE_VALUES } from "../shape/shape.js";
import { CURRENT_FORMAT_VERSION, parquetColumns, type FormatVersion } from "./parquet-columns.js";
import { arrowSchema, shapeListType, stringDictionaryType } from "./parquet-schema.js";
import { FRAME_STATUSES } from "../guard/guard.js";
import { LABELS } from "./types.js";
import { checkVideoRows, type VideoRows } from "./video-rows.js";

/** Where a video's rows sit in a data file: rows `rowStart .. rowStart + rowCount − 1` (0-based). */
export interface VideoRowRange {
  id: string;
  rowStart: number;
  rowCount: number;
}

export interface ParquetEncodeOptions {
  /** Rows per Parquet row group (readers parallelise and skip by row group). Default 16384. */
  rowGroupRows?: number;
  /** Written into the file's key-value metadata and "created by". */
  createdBy?: string;
  keyValueMetadata?: Record<string, string>;
  /** The format to write: the current one, or 1 (dictionary strings) for tests that plant old outputs. */
  formatVersion?: FormatVersion;
}

export interface EncodedParquet {
  bytes: Uint8Array;
  rows: number;
  videos: VideoRowRange[];
}

/**
 * Encodes videos' rows, in the order given, into one ZSTD-compressed Parquet file (see PARQUET_COLUMNS).
 * Float64 shapes are rounded to float32 here.
 */
export function encodeParquet(batches: readonly VideoRows[], options: ParquetEncodeOptions = {}): EncodedParquet {
  const { table, videos } = buildArrowTable(batches, options.formatVersion);
  const bytes = parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(table, "stream")), writerProperties(options));
  return { bytes, rows: table.numRows, videos };
}

/** The Arrow table of videos' rows, in the order given (float64 shapes rounded to float32). */
export function buildArrowTable(batches: readonly VideoRows[], version: FormatVersion = CURRENT_FORMAT_VERSION): { table: Table; videos: VideoRowRange[] } {
  for (const batch of batches) checkVideoRows(batch);
  const n = batches.reduce((sum, b) => sum + b.frame.length, 0);
  const frame = new Int32Array(n);
  const timeS = new Float64Array(n);
  const landmarks = new Float32Array(n * SHAPE_VALUES);
  const raw = new Float32Array(n * SHAPE_VALUES);
  const landmarksValid = new Uint8Array(Math.ceil(n / 8));
  const rawValid = new Uint8Array(Math.ceil(n / 8));
  const score = new Float32Array(n);
  const status = new Int32Array(n);
  const videoIndex = new Int32Array(n);
  const label = new Int32Array(n);
  const split = new DictionaryBuilder(n);
  const method = new DictionaryBuilder(n);
  const compression = new DictionaryBuilder(n);
  const videos: VideoRowRange[] = [];
  let landmarksNulls = 0;
  let rawNulls = 0;

  let at = 0;
  batches.forEach((batch, v) => {
    const count = batch.frame.length;
    videos.push({ id: batch.video.id, rowStart: at, rowCount: count });
    frame.set(batch.frame, at);
    timeS.set(batch.timeS, at);
    landmarks.set(batch.landmarks, at * SHAPE_VALUES);
    raw.set(batch.raw, at * SHAPE_VALUES);
    score.set(batch.score, at);
    status.set(batch.status, at);
    videoIndex.fill(v, at, at + count);
    label.fill(LABELS.indexOf(batch.video.label), at, at + count);
    split.fill(batch.video.split, at, count);
    method.fill(batch.video.method, at, count);
    compression.fill(batch.video.compression, at, count);
    for (let i = 0; i < count; i++) {
      const row = at + i;
      if (batch.landmarksPresent[i]) landmarksValid[row >> 3]! |= 1 << (row & 7);
      else landmarksNulls++;
      if (batch.rawPresent[i]) rawValid[row >> 3]! |= 1 << (row & 7);
      else rawNulls++;
    }
    at += count;
  });

  const schema = arrowSchema(version);
  const strings = (id: number, values: readonly string[], codes: Int32Array): Data<DataType> =>
    version === 1 ? dictionaryData(id, values, codes) : utf8Data(values, codes);
  const children: Data<DataType>[] = [
    strings(0, batches.map((b) => b.video.id), videoIndex),
    makeData({ type: new Int32(), length: n, data: frame }),
    makeData({ type: new Float64(), length: n, data: timeS }),
    shapeData(landmarks, landmarksValid, landmarksNulls, n),
    shapeData(raw, rawValid, rawNulls, n),
    strings(1, FRAME_STATUSES, status),
    makeData({ type: new Float32(), length: n, data: score }),
    strings(2, LABELS, label),
    strings(3, split.values, split.indices),
    strings(4, method.values, method.indices),
    strings(5, compression.values, compression.indices),
  ];
  const struct = makeData({ type: new Struct(schema.fields as Field[]), length: n, nullCount: 0, children });
  return { table: new Table([new RecordBatch(schema, struct)]), videos };
}

function writerProperties(options: ParquetEncodeOptions): parquet.WriterProperties {
  // Measured on 10,000 synthetic rows: dictionary pages on the float lists make files 8 % larger and writes
  // 2–3× slower than plain + ZSTD, and list statistics only cost time. parquet-wasm can only address top-level
  // columns, so both are switched off globally and switched back on for the scalar columns.
  let props = new parquet.WriterPropertiesBuilder()
    .setCompression(parquet.Compression.ZSTD)
    .setMaxRowGroupSize(options.rowGroupRows ?? 16384)
    .setDictionaryEnabled(false)
    .setStatisticsEnabled(parquet.EnabledStatistics.None);
  for (const column of parquetColumns(options.formatVersion)) {
    if (column.type.startsWith("fixed_size_list")) continue;
    props = props.setColumnStatisticsEnabled(column.name, parquet.EnabledStatistics.Page);
    if (column.type === "string" || column.type.startsWith("dictionary")) props = props.setColumnDictionaryEnabled(column.name, true);
  }
  if (options.createdBy) props = props.setCreatedBy(options.createdBy);
  if (options.keyValueMetadata) props = props.setKeyValueMetadata(new Map(Object.entries(options.keyValueMetadata)));
  return props.build();
}

function shapeData(values: Float32Array, validity: Uint8Array, nullCount: number, n: number): Data<DataType> {
  const child = makeData({ type: new Float32(), length: n * SHAPE_VALUES, data: values });
  return makeData({ type: shapeListType(), length: n, nullCount, nullBitmap: nullCount > 0 ? validity : null, child });
}

function dictionaryData(id: number, values: readonly string[], indices: Int32Array): Data<DataType> {
  const dictionary = vectorFromArray([...values], new Utf8());
  return makeData({ type: stringDictionaryType(id), length: indices.length, data: indices, dictionary });
}

/** A plain string column: row i holds values[codes[i]]; each distinct value is encoded to UTF-8 once. */
function utf8Data(values: readonly string[], codes: Int32Array): Data<DataType> {
  const encoder = new TextEncoder();
  const encoded = values.map((v) => encoder.encode(v));
  const valueOffsets = new Int32Array(codes.length + 1);
  let bytes = 0;
  for (let i = 0; i < codes.length; i++) {
    bytes += encoded[codes[i]!]!.length;
    valueOffsets[i + 1] = bytes;
  }
  const data = new Uint8Array(bytes);
  for (let i = 0; i < codes.length; i++) data.set(encoded[codes[i]!]!, valueOffsets[i]!);
  return makeData({ type: new Utf8(), length: codes.length, nullCount: 0, valueOffsets, data });
}

/** Builds a string column whose values are constant over runs of rows, as codes into its distinct values. */
class DictionaryBuilder {
  readonly indices: Int32Array;
  readonly values: string[] = [];

  constructor(length: number) {
    this.indices = new Int32Array(length);
  }

  fill(value: string, start: number, count: number): void {
    let index = this.values.indexOf(value);
    if (index < 0) index = this.values.push(value) - 1;
    this.indices.fill(index, start, start + count);
  }
}
