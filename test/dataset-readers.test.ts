/**
 * Independent readers open a built dataset unchanged, as their users would: DuckDB and Polars over the whole
 * `data/` folder with hive partitioning switched on, hyparquet file by file (as Hugging Face `datasets` reads).
 * Each must give every row, with the right types, the partition and label columns included and once only.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import pl from "nodejs-polars";
import { parquetMetadata, parquetReadObjects, parquetSchema } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { FRAME_STATUSES } from "../src/guard/guard.js";
import { SHAPE_VALUES } from "../src/shape/shape.js";
import { buildSmallDataset, ffppEntries, original, fake, syntheticVideo, type SmallVideo } from "./helpers/small-dataset.js";

const COLUMNS = ["video_id", "frame", "time_s", "landmarks", "raw", "status", "score", "label", "split", "method", "compression"];

/** One row as every reader should give it back (float32 values as JS numbers). */
interface Row {
  video_id: string;
  frame: number;
  time_s: number;
  landmarks: number[] | null;
  raw: number[] | null;
  status: string;
  score: number;
  label: string;
  split: string;
  method: string;
  compression: string;
}

function expectedRows(videos: readonly SmallVideo[]): Row[] {
  const rows: Row[] = [];
  for (const { entry, rows: r } of videos) {
    for (let i = 0; i < r.frame.length; i++) {
      const shape = (values: ArrayLike<number>, present: Uint8Array): number[] | null =>
        present[i] ? Array.from({ length: SHAPE_VALUES }, (_, k) => Math.fround(values[i * SHAPE_VALUES + k]!)) : null;
      rows.push({
        video_id: entry.id,
        frame: r.frame[i]!,
        time_s: r.timeS[i]!,
        landmarks: shape(r.landmarks, r.landmarksPresent),
        raw: shape(r.raw, r.rawPresent),
        status: FRAME_STATUSES[r.status[i]!]!,
        score: Math.fround(r.score[i]!),
        label: entry.label,
        split: entry.split,
        method: entry.method,
        compression: entry.compression,
      });
    }
  }
  return sortRows(rows);
}

function sortRows(rows: Row[]): Row[] {
  return rows.sort((a, b) => (a.video_id < b.video_id ? -1 : a.video_id > b.video_id ? 1 : a.frame - b.frame));
}

/** Normalises a reader's row object (arrays of any kind, missing lists) to a Row. */
function toRow(value: Record<string, unknown>): Row {
  const list = (v: unknown): number[] | null => (v === null || v === undefined ? null : Array.from(v as ArrayLike<number>, Number));
  return {
    video_id: String(value["video_id"]),
    frame: Number(value["frame"]),
    time_s: Number(value["time_s"]),
    landmarks: list(value["landmarks"]),
    raw: list(value["raw"]),
    status: String(value["status"]),
    score: Number(value["score"]),
    label: String(value["label"]),
    split: String(value["split"]),
    method: String(value["method"]),
    compression: String(value["compression"]),
  };
}

async function withDataset(run: (out: string, expected: Row[], files: string[]) => Promise<void>): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), "lrnet-readers-"));
  try {
    const videos = [
      ...ffppEntries(),
      original("010", "train", "c40"),
      fake("Face2Face", "010", "011", "test", "c40"),
    ].map((entry) => syntheticVideo(entry));
    // A video whose first frames have no calibrated landmarks: null lists must come back as nulls.
    videos[0]!.rows.landmarksPresent.fill(0, 0, 4);
    videos[0]!.rows.rawPresent.fill(0, 0, 2);
    const manifest = await buildSmallDataset(out, videos);
    const expected = expectedRows(videos);
    assert.ok(expected.some((r) => r.landmarks === null) && expected.some((r) => r.raw === null), "the data hold null shapes");
    await run(out, expected, manifest.data_files.map((f) => f.path));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

test("DuckDB (hive_partitioning = true) reads every row of data/ with its types, each column once", async () => {
  await withDataset(async (out, expected) => {
    const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
    const db = await instance.connect();
    try {
      const source = `read_parquet('${out}/data/**/*.parquet', hive_partitioning = true)`;
      const described = (await db.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`)).getRowObjectsJS();
      assert.deepEqual(
        described.map((c) => `${String(c["column_name"])}:${String(c["column_type"])}`),
        ["video_id:VARCHAR", "frame:INTEGER", "time_s:DOUBLE", "landmarks:FLOAT[]", "raw:FLOAT[]", "status:VARCHAR", "score:FLOAT", "label:VARCHAR", "split:VARCHAR", "method:VARCHAR", "compression:VARCHAR"],
      );
      const rows = (await db.runAndReadAll(`SELECT * FROM ${source}`)).getRowObjectsJS().map((r) => toRow(r as Record<string, unknown>));
      assert.equal(rows.length, expected.length);
      assert.deepEqual(sortRows(rows), expected);
      const c40 = (await db.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${source} WHERE compression = 'c40' AND split = 'test'`)).getRowObjectsJS();
      assert.equal(c40[0]!["n"], expected.filter((r) => r.compression === "c40" && r.split === "test").length);
    } finally {
      db.closeSync();
      instance.closeSync();
    }
  });
});

test("Polars (scanParquet with hivePartitioning) reads every row with String, Int32, Float64, Float32 and FixedSizeList(Float32, 136)", async () => {
  await withDataset(async (out, expected) => {
    const frame = await pl.scanParquet(`${out}/data/**/*.parquet`, { hivePartitioning: true }).collect();
    assert.deepEqual(
      Object.entries(frame.schema).map(([name, type]) => `${name}:${String(type)}`),
      [
        "video_id:DataType(String)",
        "frame:DataType(Int32)",
        "time_s:DataType(Float64)",
        "landmarks:DataType(FixedSizeList(DataType(Float32),136))",
        "raw:DataType(FixedSizeList(DataType(Float32),136))",
        "status:DataType(String)",
        "score:DataType(Float32)",
        "label:DataType(String)",
        "split:DataType(String)",
        "method:DataType(String)",
        "compression:DataType(String)",
      ],
    );
    const rows = frame.toRecords().map((r) => toRow(r as Record<string, unknown>));
    assert.equal(rows.length, expected.length);
    assert.deepEqual(sortRows(rows), expected);
    const c40 = await pl
      .scanParquet(`${out}/data/**/*.parquet`, { hivePartitioning: true })
      .filter(pl.col("compression").eq(pl.lit("c40")))
      .collect();
    assert.equal(c40.height, expected.filter((r) => r.compression === "c40").length);
  });
});

test("hyparquet reads every file (one by one, as Hugging Face datasets does) with UTF8 strings, INT32, DOUBLE, FLOAT and LIST<FLOAT>", async () => {
  await withDataset(async (out, expected, files) => {
    const rows: Row[] = [];
    for (const path of files) {
      const bytes = readFileSync(join(out, path));
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      const schema = parquetSchema(parquetMetadata(buffer));
      assert.deepEqual(
        schema.children.map((c) => `${c.element.name}:${c.element.type ?? c.element.converted_type}${c.element.converted_type === "UTF8" ? "/UTF8" : ""}`),
        [
          "video_id:BYTE_ARRAY/UTF8",
          "frame:INT32",
          "time_s:DOUBLE",
          "landmarks:LIST",
          "raw:LIST",
          "status:BYTE_ARRAY/UTF8",
          "score:FLOAT",
          "label:BYTE_ARRAY/UTF8",
          "split:BYTE_ARRAY/UTF8",
          "method:BYTE_ARRAY/UTF8",
          "compression:BYTE_ARRAY/UTF8",
        ],
        path,
      );
      for (const list of schema.children.filter((c) => c.element.converted_type === "LIST")) {
        assert.equal(list.children[0]!.children[0]!.element.type, "FLOAT", `${path}: ${list.element.name} holds float32`);
      }
      const objects = await parquetReadObjects({ file: buffer, compressors });
      assert.deepEqual(Object.keys(objects[0]!), COLUMNS, `${path}: every column, partition columns included, in order`);
      rows.push(...objects.map((r) => toRow(r)));
    }
    assert.equal(rows.length, expected.length);
    assert.deepEqual(sortRows(rows), expected);
  });
});
