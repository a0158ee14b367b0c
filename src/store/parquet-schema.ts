/** The Arrow types of the data files' columns (parquet-columns.ts lists them as plain data). */
import { Dictionary, Field, FixedSizeList, Float32, Float64, Int32, Schema, Utf8 } from "apache-arrow";
import { SHAPE_VALUES } from "../shape/shape.js";
import { CURRENT_FORMAT_VERSION, type FormatVersion, parquetColumns } from "./parquet-columns.js";

export function shapeListType(): FixedSizeList<Float32> {
  // The child is nullable like pyarrow's list_(float32(), 136), so readers that cast to that type need no change.
  return new FixedSizeList(SHAPE_VALUES, new Field("item", new Float32(), true));
}

/** Dictionary ids must differ per column within one IPC stream (format 1 only). */
export function stringDictionaryType(id: number): Dictionary<Utf8, Int32> {
  return new Dictionary(new Utf8(), new Int32(), id);
}

export function arrowSchema(version: FormatVersion = CURRENT_FORMAT_VERSION): Schema {
  let dictionaryId = 0;
  const fields = parquetColumns(version).map((column) => {
    switch (column.type) {
      case "string":
        return new Field(column.name, new Utf8(), column.nullable);
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
