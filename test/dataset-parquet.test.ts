import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { tableFromIPC } from "apache-arrow";
import * as parquetWasm from "parquet-wasm";
import { PartWriter, encodePart, type EncodedPart } from "../src/store/parquet-writer.js";
import { encodeParquet } from "../src/store/parquet-encode.js";
import { syntheticVideoRows } from "../src/store/synthetic.js";
import { PARQUET_COLUMNS } from "../src/store/parquet-columns.js";
import { FRAME_STATUSES } from "../src/guard/guard.js";
import type { RowVideo, VideoRows } from "../src/store/video-rows.js";
import { DatasetError } from "../src/store/errors.js";

const SHAPE = 136;

function video(id: string, split: string, method: string, label: "real" | "fake" = "fake", compression = "c23"): RowVideo {
  return { id, label, split, method, compression };
}

function writeParts(dir: string, parts: readonly EncodedPart[]): void {
  for (const part of parts) {
    mkdirSync(dirname(join(dir, part.path)), { recursive: true });
    writeFileSync(join(dir, part.path), part.bytes);
  }
}

async function withDuckDb<T>(run: (db: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const connection = await instance.connect();
  try {
    return await run(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function rows(db: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await db.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

test("part writer: per-partition files, rolling after N rows, row ranges, sha256 and names", () => {
  const writer = new PartWriter({ rowsPerPart: 250, maxBufferedRows: 10_000 });
  const a = syntheticVideoRows(video("Deepfakes/c23/000_001", "train", "Deepfakes"), 200, 1);
  const b = syntheticVideoRows(video("youtube/c23/000", "train", "youtube", "real"), 120, 2);
  const c = syntheticVideoRows(video("Deepfakes/c23/001_000", "train", "Deepfakes"), 100, 3);
  assert.deepEqual(writer.add(a), [], "200 rows < 250: buffered");
  assert.deepEqual(writer.add(b), [], "another partition");
  assert.equal(writer.bufferedRows, 320);
  const rolled = writer.add(c);
  assert.equal(rolled.length, 1, "Deepfakes reached 300 ≥ 250 rows");
  const part = rolled[0]!;
  assert.equal(part.rows, 300);
  assert.deepEqual(part.videos, [
    { id: "Deepfakes/c23/000_001", rowStart: 0, rowCount: 200 },
    { id: "Deepfakes/c23/001_000", rowStart: 200, rowCount: 100 },
  ]);
  assert.equal(part.sha256, createHash("sha256").update(part.bytes).digest("hex"));
  assert.equal(part.path, `data/train/Deepfakes/c23/part-${part.sha256.slice(0, 16)}.parquet`);
  assert.deepEqual(writer.pendingVideoIds(), ["youtube/c23/000"]);
  const rest = writer.flush();
  assert.deepEqual(rest.map((p) => [p.path.split("/part-")[0], p.rows]), [["data/train/youtube/c23", 120]]);
  assert.equal(writer.bufferedRows, 0);
  assert.throws(() => writer.add(a), /video Deepfakes\/c23\/000_001 was given to the part writer twice/);
});

test("part writer: the memory cap writes the fullest partition early", () => {
  const writer = new PartWriter({ rowsPerPart: 1000, maxBufferedRows: 250 });
  assert.equal(writer.add(syntheticVideoRows(video("a", "train", "m1"), 100, 1)).length, 0);
  assert.equal(writer.add(syntheticVideoRows(video("b", "train", "m2"), 120, 2)).length, 0);
  const early = writer.add(syntheticVideoRows(video("c", "train", "m2"), 50, 3));
  assert.deepEqual(early.map((p) => [p.partition.method, p.rows]), [["m2", 170]]);
  assert.equal(writer.bufferedRows, 100);
});

test("part writer: a partition waiting longer than maxBufferAgeMs is written", () => {
  const writer = new PartWriter({ rowsPerPart: 1000, maxBufferAgeMs: 60_000 });
  assert.equal(writer.add(syntheticVideoRows(video("a", "train", "m1"), 10, 1), 1_000).length, 0);
  assert.equal(writer.add(syntheticVideoRows(video("b", "train", "m2"), 10, 2), 30_000).length, 0);
  assert.deepEqual(writer.flushStale(61_000).map((p) => p.partition.method), ["m1"]);
  assert.deepEqual(writer.add(syntheticVideoRows(video("c", "train", "m2"), 10, 3), 90_000).map((p) => [p.partition.method, p.rows]), [["m2", 20]]);
  assert.equal(writer.bufferedRows, 0);
});

test("the file's embedded Arrow schema gives Arrow readers (pyarrow, parquet-rs) plain strings and fixed_size_list<float32>[136]; format 1 wrote dictionaries", () => {
  const rows = [syntheticVideoRows(video("v", "train", "m"), 5, 1)];
  const schemaOf = (bytes: Uint8Array): { fields: string[]; split: unknown; id: unknown } => {
    const table = tableFromIPC(parquetWasm.readParquet(bytes).intoIPCStream());
    assert.equal(table.numRows, 5);
    return {
      fields: table.schema.fields.map((f) => `${f.name}: ${String(f.type)}${f.nullable ? "?" : ""}`),
      split: table.getChild("split")!.get(4),
      id: table.getChild("video_id")!.get(3),
    };
  };
  const current = encodePart({ split: "train", method: "m", compression: "c23" }, rows);
  assert.deepEqual(schemaOf(current.bytes), {
    fields: [
      "video_id: Utf8",
      "frame: Int32",
      "time_s: Float64",
      "landmarks: FixedSizeList[136]<Float32>?",
      "raw: FixedSizeList[136]<Float32>?",
      "status: Utf8",
      "score: Float32",
      "label: Utf8",
      "split: Utf8",
      "method: Utf8",
      "compression: Utf8",
    ],
    split: "train",
    id: "v",
  });
  assert.equal(current.path.startsWith("data/train/m/c23/part-"), true);
  const v1 = encodePart({ split: "train", method: "m", compression: "c23" }, rows, { formatVersion: 1 });
  const old = schemaOf(v1.bytes);
  assert.deepEqual(old.fields.filter((f) => f.includes("Dictionary")).length, 6);
  assert.deepEqual([old.split, old.id], ["train", "v"]);
  assert.equal(v1.path.startsWith("data/split=train/method=m/compression=c23/part-"), true);
});

test("bad row arrays are one-line errors naming the video", () => {
  const good = syntheticVideoRows(video("v1", "train", "m"), 10, 1);
  assert.throws(() => encodeParquet([{ ...good, raw: new Float32Array(5) }]), (e: Error) => {
    assert.ok(e instanceof DatasetError);
    assert.equal(e.message, "video v1: raw has 5 values, expected 1360 for 10 frames");
    return true;
  });
  const status = good.status.slice();
  status[3] = 9;
  assert.throws(() => encodeParquet([{ ...good, status }]), /video v1: frame 3 has status code 9/);
  assert.throws(() => encodePart({ split: "val", method: "m", compression: "c23" }, [good]), /does not belong to partition data\/val\/m\/c23/);
});

test("DuckDB reads the parts back: row counts, exact float32 values, nulls, statuses and Hive partition columns", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lrnet-parquet-"));
  try {
    const inputs: VideoRows[] = [
      syntheticVideoRows(video("Deepfakes/c23/000_001", "train", "Deepfakes"), 300, 1),
      syntheticVideoRows(video("Deepfakes/c23/001_000", "train", "Deepfakes"), 150, 2),
      syntheticVideoRows(video("youtube/c23/000", "train", "youtube", "real"), 200, 3),
      syntheticVideoRows(video("youtube/c40/002", "test", "youtube", "real", "c40"), 98, 4),
    ];
    // Float64 calibrated values must come back as their float32 rounding.
    const f64 = inputs[3]!;
    const landmarks64 = new Float64Array(f64.landmarks.length);
    for (let i = 0; i < landmarks64.length; i++) landmarks64[i] = (i % 401) * 0.005 - 1;
    inputs[3] = { ...f64, landmarks: landmarks64 };
    // A video with no calibrated landmarks in its first 5 frames while raw points exist.
    const first = inputs[0]!;
    first.landmarksPresent.fill(0, 0, 5);

    const writer = new PartWriter({ rowsPerPart: 400 });
    const parts = [...inputs.flatMap((v) => writer.add(v)), ...writer.flush()];
    writeParts(dir, parts);
    assert.equal(parts.reduce((s, p) => s + p.rows, 0), 748);

    await withDuckDb(async (db) => {
      const glob = `'${dir}/data/**/*.parquet'`;
      const described = await rows(db, `DESCRIBE SELECT * FROM read_parquet(${glob}, hive_partitioning = true)`);
      assert.deepEqual(
        described.map((c) => c["column_name"]),
        PARQUET_COLUMNS.map((c) => c.name),
        "the partition columns are read once, in file order: no duplicate columns",
      );
      assert.deepEqual(
        described.map((c) => c["column_type"]),
        ["VARCHAR", "INTEGER", "DOUBLE", "FLOAT[]", "FLOAT[]", "VARCHAR", "FLOAT", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR"],
      );

      const counts = await rows(
        db,
        `SELECT video_id, split, method, compression, label, count(*)::INTEGER AS n, min(frame) AS lo, max(frame) AS hi
         FROM read_parquet(${glob}, hive_partitioning = true) GROUP BY ALL ORDER BY video_id`,
      );
      assert.deepEqual(counts, [
        { video_id: "Deepfakes/c23/000_001", split: "train", method: "Deepfakes", compression: "c23", label: "fake", n: 300, lo: 0, hi: 299 },
        { video_id: "Deepfakes/c23/001_000", split: "train", method: "Deepfakes", compression: "c23", label: "fake", n: 150, lo: 0, hi: 149 },
        { video_id: "youtube/c23/000", split: "train", method: "youtube", compression: "c23", label: "real", n: 200, lo: 0, hi: 199 },
        { video_id: "youtube/c40/002", split: "test", method: "youtube", compression: "c40", label: "real", n: 98, lo: 0, hi: 97 },
      ]);

      // Filtering on a partition column works with hive partitioning on (the directories are plain names).
      const pruned = await rows(db, `SELECT count(*)::INTEGER AS n FROM read_parquet(${glob}, hive_partitioning = true) WHERE compression = 'c40'`);
      assert.equal(pruned[0]!["n"], 98);

      // Every value of a few rows, exactly as float32.
      for (const [v, frame] of [[0, 7], [0, 299], [1, 0], [3, 50]] as const) {
        const input = inputs[v]!;
        const [row] = await rows(
          db,
          `SELECT landmarks, raw, status, score, time_s FROM read_parquet(${glob}) WHERE video_id = '${input.video.id}' AND frame = ${frame}`,
        );
        const expectLandmarks = Array.from(input.landmarks.subarray(frame * SHAPE, (frame + 1) * SHAPE), Math.fround);
        const expectRaw = Array.from(input.raw.subarray(frame * SHAPE, (frame + 1) * SHAPE), Math.fround);
        assert.deepEqual(row!["landmarks"], input.landmarksPresent[frame] ? expectLandmarks : null);
        assert.deepEqual(row!["raw"], input.rawPresent[frame] ? expectRaw : null);
        assert.equal(row!["status"], FRAME_STATUSES[input.status[frame]!]);
        assert.equal(row!["score"], input.score[frame]);
        assert.equal(row!["time_s"], input.timeS[frame]);
      }
      const [f64row] = await rows(db, `SELECT landmarks FROM read_parquet(${glob}) WHERE video_id = 'youtube/c40/002' AND frame = 1`);
      assert.equal((f64row!["landmarks"] as number[])[0], Math.fround(landmarks64[SHAPE]!));
      assert.notEqual(Math.fround(landmarks64[SHAPE]!), landmarks64[SHAPE], "the value really was rounded");

      const nulls = await rows(
        db,
        `SELECT video_id, count(*) FILTER (WHERE landmarks IS NULL)::INTEGER AS no_landmarks, count(*) FILTER (WHERE raw IS NULL)::INTEGER AS no_raw,
                count(*) FILTER (WHERE status = 'skipped')::INTEGER AS skipped, count(*) FILTER (WHERE status = 'held')::INTEGER AS held
         FROM read_parquet(${glob}) GROUP BY ALL ORDER BY video_id`,
      );
      const expectNulls = inputs.map((v) => ({
        video_id: v.video.id,
        no_landmarks: v.landmarksPresent.filter((p) => p === 0).length,
        no_raw: v.rawPresent.filter((p) => p === 0).length,
        skipped: v.status.filter((s) => s === 3).length,
        held: v.status.filter((s) => s === 1).length,
      }));
      assert.deepEqual(nulls, expectNulls);
      assert.equal(expectNulls[0]!.no_landmarks, 5 + 3, "5 forced nulls plus the synthetic skipped frames (96, 193, 290)");

      // Row ranges reported by the writer are the rows' positions in their file.
      for (const part of parts) {
        for (const range of part.videos) {
          const [span] = await rows(
            db,
            `SELECT min(file_row_number)::INTEGER AS lo, max(file_row_number)::INTEGER AS hi, count(*)::INTEGER AS n
             FROM read_parquet('${join(dir, part.path)}', file_row_number = true) WHERE video_id = '${range.id}'`,
          );
          assert.deepEqual(span, { lo: range.rowStart, hi: range.rowStart + range.rowCount - 1, n: range.rowCount });
        }
        assert.equal(readFileSync(join(dir, part.path)).length, part.bytes.length);
      }

      const meta = await rows(db, `SELECT DISTINCT compression FROM parquet_metadata(${glob})`);
      assert.deepEqual(meta.map((m) => m["compression"]), ["ZSTD"]);
      const kv = await rows(db, `SELECT DISTINCT decode(key) AS key FROM parquet_kv_metadata(${glob})`);
      assert.ok(kv.some((k) => k["key"] === "ARROW:schema"), "the Arrow schema (dictionary and fixed-size list types) is embedded for pyarrow");
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
