import { Dictionary, Field, FixedSizeList, Float32, Float64, Int32, Schema, Utf8 } from "apache-arrow";
import { SHAPE_VALUES } from "../shape/shape.js";

/**
 * The columns of every data file, in order. String columns are dictionary-encoded with int32 indices:
 * `split`, `method` and `compression` are also the Hive partition keys, and pyarrow infers partition keys as
 * dictionary<int32, utf8>; storing them with exactly that type lets `pq.read_table("data")` unify the file and
 * path fields instead of failing with "Unable to merge … string vs dictionary". DuckDB (`hive_partitioning`)
 * and Polars read the column once; Hugging Face `datasets` reads files one by one and needs them in the file.
 */
export const PARQUET_COLUMNS = [
  { name: "video_id", type: "dictionary<int32, utf8>", nullable: false },
  { name: "frame", type: "int32", nullable: false },
  { name: "time_s", type: "float64", nullable: false },
  { name: "landmarks", type: `fixed_size_list<float32>[${SHAPE_VALUES}]`, nullable: true },
  { name: "raw", type: `fixed_size_list<float32>[${SHAPE_VALUES}]`, nullable: true },
  { name: "status", type: "dictionary<int32, utf8>", nullable: false },
  { name: "score", type: "float32", nullable: false },
  { name: "label", type: "dictionary<int32, utf8>", nullable: false },
  { name: "split", type: "dictionary<int32, utf8>", nullable: false },
  { name: "method", type: "dictionary<int32, utf8>", nullable: false },
  { name: "compression", type: "dictionary<int32, utf8>", nullable: false },
] as const;

export type ParquetColumnName = (typeof PARQUET_COLUMNS)[number]["name"];

export function shapeListType(): FixedSizeList<Float32> {
  // The child is nullable like pyarrow's list_(float32(), 136), so readers that cast to that type need no change.
  return new FixedSizeList(SHAPE_VALUES, new Field("item", new Float32(), true));
}

/** Dictionary ids must differ per column within one IPC stream. */
export function stringDictionaryType(id: number): Dictionary<Utf8, Int32> {
  return new Dictionary(new Utf8(), new Int32(), id);
}

export function arrowSchema(): Schema {
  let dictionaryId = 0;
  const fields = PARQUET_COLUMNS.map((column) => {
    switch (column.type) {
      case "dictionary<int32, utf8>":
        return new Field(column.name, stringDictionaryType(dictionaryId++), column.nullable);
      case "int32":
        return new Field(column.name, new Int32(), column.nullable);
      case "float64":
        return new Field(column.name, new Float64(), column.nullable);
      case "float32":
        return new Field(column.name, new Float32(), column.nullable);
      default:
        return new Field(column.name, shapeListType(), column.nullable);
    }
  });
  return new Schema(fields);
}
