/**
 * The columns of a dataset's data files as plain data, per format version. Kept apart from the Arrow types
 * (parquet-schema.ts) so that what only needs the column list (manifests, in every build worker) does not load
 * apache-arrow (a worker's imports: 0.33 s of CPU instead of 0.70 s).
 */
import { SHAPE_VALUES } from "../shape/shape.js";

/** The dataset format versions this code reads; it writes the last. See docs/python.md, "Layout". */
export type FormatVersion = 1 | 2;
export const FORMAT_VERSIONS: readonly FormatVersion[] = [1, 2];
export const CURRENT_FORMAT_VERSION: FormatVersion = 2;

export interface ParquetColumn {
  name: string;
  type: string;
  nullable: boolean;
}

const SHAPE_TYPE = `fixed_size_list<float32>[${SHAPE_VALUES}]`;

/**
 * The columns of every data file, in order (format 2). Strings are plain `string` (Parquet still
 * dictionary-encodes their pages), and the files sit in plain directories `data/<split>/<method>/<compression>/`,
 * not Hive `key=value` ones: `split`, `method` and `compression` are then columns of the files only, never also
 * of the paths, which every reader opens the same way (pyarrow.dataset with partitioning="hive", Polars and
 * DuckDB with hive partitioning on, Spark, and Hugging Face `datasets`, which reads files one by one and so
 * needs every column inside them).
 */
export const PARQUET_COLUMNS: readonly ParquetColumn[] = [
  { name: "video_id", type: "string", nullable: false },
  { name: "frame", type: "int32", nullable: false },
  { name: "time_s", type: "float64", nullable: false },
  { name: "landmarks", type: SHAPE_TYPE, nullable: true },
  { name: "raw", type: SHAPE_TYPE, nullable: true },
  { name: "status", type: "string", nullable: false },
  { name: "score", type: "float32", nullable: false },
  { name: "label", type: "string", nullable: false },
  { name: "split", type: "string", nullable: false },
  { name: "method", type: "string", nullable: false },
  { name: "compression", type: "string", nullable: false },
];

/**
 * Format 1 (read, never written): the same columns with every string dictionary-encoded with int32 indices, in
 * Hive directories `data/split=…/method=…/compression=…/`. pyarrow.dataset(partitioning="hive") refused it
 * ("Unable to merge: Field split has incompatible types: dictionary<…> vs string") and Spark refuses columns
 * that are both in the files and in the paths.
 */
export const PARQUET_COLUMNS_V1: readonly ParquetColumn[] = PARQUET_COLUMNS.map((c) => ({
  ...c,
  type: c.type === "string" ? "dictionary<int32, utf8>" : c.type,
}));

export function parquetColumns(version: FormatVersion = CURRENT_FORMAT_VERSION): readonly ParquetColumn[] {
  return version === 1 ? PARQUET_COLUMNS_V1 : PARQUET_COLUMNS;
}
