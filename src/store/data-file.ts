import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { tableFromIPC, type Data, type DataType, type Schema, type Vector } from "apache-arrow";
import * as parquet from "parquet-wasm";
import { CURRENT_FORMAT_VERSION, type FormatVersion } from "./parquet-columns.js";
import { arrowSchema } from "./parquet-schema.js";
import { SHAPE_VALUES } from "../shape/shape.js";

/** The bytes of a data file and their sha256, computed while reading (one pass over the file). */
export interface HashedBytes {
  bytes: Uint8Array;
  sha256: string;
}

/** Reads a whole file once and hashes it. */
export async function readFileHashed(path: string): Promise<HashedBytes> {
  const bytes = new Uint8Array(await readFile(path));
  return { bytes, sha256: createHash("sha256").update(bytes).digest("hex") };
}

/** A string column as codes into `values`; code −1 marks a null. */
export interface DictionaryColumn {
  codes: Int32Array;
  values: string[];
}

/** A column of 68-point shapes: `values` holds `rows × 136` numbers, `present[i]` is 0 where row i is null. */
export interface ShapeColumn {
  values: Float32Array;
  present: Uint8Array;
  /** Null numbers inside non-null shapes (each shape must have 136 numbers). */
  innerNulls: number;
}

/** A data file's columns as plain arrays (any column that was not read is absent). */
export interface DataFileColumns {
  rows: number;
  videoId?: DictionaryColumn;
  frame?: Int32Array;
  timeS?: Float64Array;
  landmarks?: ShapeColumn;
  raw?: ShapeColumn;
  status?: DictionaryColumn;
  score?: Float32Array;
  label?: DictionaryColumn;
  split?: DictionaryColumn;
  method?: DictionaryColumn;
  compression?: DictionaryColumn;
}

export type DataColumnName = "video_id" | "frame" | "time_s" | "landmarks" | "raw" | "status" | "score" | "label" | "split" | "method" | "compression";

export interface DecodedDataFile {
  columns: DataFileColumns;
  /** Differences between the file's schema and the dataset's (names, order, types, nullability); empty when it matches. */
  schemaProblems: string[];
}

export interface DecodeOptions {
  /** Decode only these columns (all by default): skipping `raw` halves the work, its values being incompressible. */
  columns?: readonly DataColumnName[];
  /** Read only rows offset .. offset + limit − 1. */
  offset?: number;
  limit?: number;
  /** The format whose schema the file's is compared with (the current one by default). Either is decoded. */
  formatVersion?: FormatVersion;
}

const ALL_COLUMNS: readonly DataColumnName[] = arrowSchema().fields.map((f) => f.name as DataColumnName);

/**
 * Decodes a Parquet data file (parquet-wasm → Arrow IPC → apache-arrow) into plain arrays. A file that
 * parquet-wasm cannot read throws; a readable file with another schema returns its problems (the whole file's
 * schema is compared, whichever columns are decoded), and the columns that do have the expected type.
 */
export async function decodeDataFile(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodedDataFile> {
  // ParquetFile, unlike readParquet, honours a column projection (parquet-wasm 0.8).
  const file = await parquet.ParquetFile.fromFile(new Blob([bytes]));
  try {
    const fileSchema = tableFromIPC(file.schema().intoIPCStream()).schema;
    const schemaProblems = compareSchema(fileSchema, options.formatVersion ?? CURRENT_FORMAT_VERSION);
    const inFile = new Set(fileSchema.fields.map((f) => f.name));
    const wanted = (options.columns ?? ALL_COLUMNS).filter((name) => inFile.has(name));
    if (wanted.length === 0) {
      const metadata = file.metadata();
      const fileMetadata = metadata.fileMetadata();
      const rows = fileMetadata.numRows();
      fileMetadata.free();
      metadata.free();
      return { columns: { rows }, schemaProblems };
    }
    const wasmTable = await file.read({
      // One record batch per file (or per 1M rows) keeps the arrays contiguous: no concatenation below.
      batchSize: 1 << 20,
      columns: [...wanted],
      ...(options.offset !== undefined ? { offset: options.offset } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
    });
    const table = tableFromIPC(wasmTable.intoIPCStream());
    const columns: DataFileColumns = { rows: table.numRows };
    const typeOf = new Map(arrowSchema().fields.map((f) => [f.name, String(f.type)]));
    const take = <K extends keyof DataFileColumns>(key: K, name: DataColumnName, read: (v: Vector) => DataFileColumns[K]): void => {
      const vector = wanted.includes(name) ? table.getChild(name) : null;
      if (!vector) return;
      const type = String(vector.type);
      // Strings are plain in format 2 and dictionary<int32, utf8> in format 1: both are read.
      if (type === typeOf.get(name) || (typeOf.get(name) === "Utf8" && type === "Dictionary<Int32, Utf8>")) columns[key] = read(vector);
    };
    take("videoId", "video_id", dictionaryColumn);
    take("frame", "frame", (v) => numberColumn(v, Int32Array));
    take("timeS", "time_s", (v) => numberColumn(v, Float64Array));
    take("landmarks", "landmarks", shapeColumn);
    take("raw", "raw", shapeColumn);
    take("status", "status", dictionaryColumn);
    take("score", "score", (v) => numberColumn(v, Float32Array));
    take("label", "label", dictionaryColumn);
    take("split", "split", dictionaryColumn);
    take("method", "method", dictionaryColumn);
    take("compression", "compression", dictionaryColumn);
    return { columns, schemaProblems };
  } finally {
    file.free();
  }
}

/** The uncompressed size in bytes of each row group of a Parquet file (readers hold one row group at a time). */
export async function rowGroupBytes(bytes: Uint8Array): Promise<number[]> {
  const file = await parquet.ParquetFile.fromFile(new Blob([bytes]));
  try {
    const metadata = file.metadata();
    const sizes = metadata.rowGroups().map((group) => {
      const size = group.totalByteSize();
      group.free();
      return size;
    });
    metadata.free();
    return sizes;
  } finally {
    file.free();
  }
}

/** One line per difference between a file's Arrow schema and the dataset's columns. */
export function compareSchema(actual: Schema, version: FormatVersion = CURRENT_FORMAT_VERSION): string[] {
  const expected = arrowSchema(version).fields;
  const problems: string[] = [];
  const names = actual.fields.map((f) => f.name);
  if (names.join(",") !== expected.map((f) => f.name).join(",")) {
    problems.push(`columns are [${names.join(", ")}], expected [${expected.map((f) => f.name).join(", ")}]`);
  }
  for (const want of expected) {
    const got = actual.fields.find((f) => f.name === want.name);
    if (!got) continue;
    if (String(got.type) !== String(want.type)) problems.push(`column ${want.name} is ${String(got.type)}, expected ${String(want.type)}`);
    if (got.nullable !== want.nullable) problems.push(`column ${want.name} is ${got.nullable ? "nullable" : "not nullable"}, expected ${want.nullable ? "nullable" : "not nullable"}`);
  }
  return problems;
}

type NumberArray = Int32Array | Float32Array | Float64Array;

function numberColumn<T extends NumberArray>(vector: Vector, Kind: { new (length: number): T }): T {
  const out = new Kind(vector.length);
  let at = 0;
  for (const data of vector.data) {
    const values = data.values as T;
    out.set(values.subarray(data.offset, data.offset + data.length), at);
    at += data.length;
  }
  return out;
}

/** A string column (plain or dictionary-encoded) as codes into its distinct values. */
function dictionaryColumn(vector: Vector): DictionaryColumn {
  if (String(vector.type) === "Utf8") return utf8Column(vector);
  const codes = new Int32Array(vector.length);
  const values: string[] = [];
  const index = new Map<string, number>();
  let at = 0;
  for (const data of vector.data as Data<DataType>[]) {
    const dictionary = (data.dictionary?.toArray() ?? []) as (string | null)[];
    const remap = dictionary.map((value) => {
      const text = value ?? "";
      let code = index.get(text);
      if (code === undefined) {
        code = values.push(text) - 1;
        index.set(text, code);
      }
      return code;
    });
    const indices = data.values as Int32Array;
    for (let i = 0; i < data.length; i++) {
      codes[at + i] = isValid(data, i) ? (remap[indices[data.offset + i]!] ?? -1) : -1;
    }
    at += data.length;
  }
  return { codes, values };
}

/** Rows usually repeat the previous row's string (a video's id, its split, …): compared as bytes, decoded once. */
function utf8Column(vector: Vector): DictionaryColumn {
  const codes = new Int32Array(vector.length);
  const values: string[] = [];
  const index = new Map<string, number>();
  const decoder = new TextDecoder();
  let at = 0;
  let previous: Uint8Array | null = null;
  let previousCode = -1;
  for (const data of vector.data as Data<DataType>[]) {
    const offsets = data.valueOffsets as Int32Array;
    const bytes = data.values as Uint8Array;
    for (let i = 0; i < data.length; i++) {
      if (!isValid(data, i)) {
        codes[at + i] = -1;
        continue;
      }
      const value = bytes.subarray(offsets[data.offset + i]!, offsets[data.offset + i + 1]!);
      if (previous === null || !sameBytes(previous, value)) {
        const text = decoder.decode(value);
        let code = index.get(text);
        if (code === undefined) {
          code = values.push(text) - 1;
          index.set(text, code);
        }
        previous = value;
        previousCode = code;
      }
      codes[at + i] = previousCode;
    }
    at += data.length;
  }
  return { codes, values };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function shapeColumn(vector: Vector): ShapeColumn {
  const rows = vector.length;
  const chunks = vector.data as Data<DataType>[];
  // The usual case, one chunk: a view on the decoded buffer, no copy.
  const single = chunks.length === 1 ? chunks[0]! : null;
  const values = single
    ? (single.children[0]!.values as Float32Array).subarray(
        single.children[0]!.offset + single.offset * SHAPE_VALUES,
        single.children[0]!.offset + (single.offset + rows) * SHAPE_VALUES,
      )
    : new Float32Array(rows * SHAPE_VALUES);
  const present = new Uint8Array(rows);
  let innerNulls = 0;
  let at = 0;
  for (const data of chunks) {
    const child = data.children[0]!;
    if (!single) {
      const start = child.offset + data.offset * SHAPE_VALUES;
      values.set((child.values as Float32Array).subarray(start, start + data.length * SHAPE_VALUES), at * SHAPE_VALUES);
    }
    const childHasNulls = child.nullCount > 0;
    for (let i = 0; i < data.length; i++) {
      const valid = isValid(data, i);
      present[at + i] = valid ? 1 : 0;
      if (valid && childHasNulls) {
        for (let k = 0; k < SHAPE_VALUES; k++) if (!isValid(child, (data.offset + i) * SHAPE_VALUES + k)) innerNulls++;
      }
    }
    at += data.length;
  }
  return { values, present, innerNulls };
}

/** Row i of `data` (relative to its offset) is not null. */
function isValid(data: Data<DataType>, i: number): boolean {
  const bitmap = data.nullBitmap;
  if (!bitmap || bitmap.length === 0) return true;
  const bit = data.offset + i;
  return ((bitmap[bit >> 3]! >> (bit & 7)) & 1) === 1;
}
