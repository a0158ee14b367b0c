import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { decodeNpyFloat32, encodeNpyFloat32, npyHeader } from "../src/export/npy/npy-file.js";
import { buildSmallDataset, buildV1Dataset, fake, ffppEntries, syntheticVideo, type SmallVideo } from "./helpers/small-dataset.js";
import { cli } from "./helpers/cli.js";
import { filesUnder } from "./helpers/hf-folder.js";

test("npy header: NPY 1.0 magic, '<f4', C order, the shape tuple, padded with spaces to 64 bytes and ended by a newline", () => {
  const header = npyHeader([45, 68, 2]);
  assert.equal(header.length, 128);
  assert.deepEqual([...header.subarray(0, 8)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  assert.equal(header[8]! | (header[9]! << 8), 118, "header length field = total − 10");
  const text = new TextDecoder("latin1").decode(header.subarray(10));
  assert.equal(text, `{'descr': '<f4', 'fortran_order': False, 'shape': (45, 68, 2), }`.padEnd(117, " ") + "\n");
  assert.equal(new TextDecoder("latin1").decode(npyHeader([7]).subarray(10)).trimEnd(), "{'descr': '<f4', 'fortran_order': False, 'shape': (7,), }");
  for (const frames of [0, 1, 99999, 123456789]) assert.equal(npyHeader([frames, 68, 2]).length % 64, 0);
  const values = Float32Array.from([1.5, -2.25, Number.NaN, 3e-8]);
  const bytes = encodeNpyFloat32([2, 2], values);
  const start = npyHeader([2, 2]).length;
  assert.equal(bytes.length, start + 16);
  assert.deepEqual([...bytes.subarray(start, start + 4)], [0x00, 0x00, 0xc0, 0x3f], "1.5 little-endian");
  const back = decodeNpyFloat32(bytes);
  assert.deepEqual(back.shape, [2, 2]);
  assert.deepEqual([...back.values], [...values]);
  assert.throws(() => encodeNpyFloat32([3, 2], values), /4 values for shape 3×2/);
});

/** Per video, its rows' landmarks (or raw points) as DuckDB reads them from the Parquet files, in frame order. */
async function shapesByDuckDb(out: string, column: "landmarks" | "raw"): Promise<Map<string, (number[] | null)[]>> {
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const db = await instance.connect();
  try {
    const rows = (await db.runAndReadAll(`SELECT video_id, ${column} AS shape FROM read_parquet('${out}/data/**/*.parquet') ORDER BY video_id, frame`)).getRowObjectsJS();
    const byVideo = new Map<string, (number[] | null)[]>();
    for (const row of rows) {
      const id = String(row["video_id"]);
      const list = byVideo.get(id) ?? [];
      list.push(row["shape"] === null ? null : (row["shape"] as number[]));
      byVideo.set(id, list);
    }
    return byVideo;
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

/** Checks that every video's .npy holds its Parquet rows exactly: (frames, 68, 2), NaN where the row is null. */
function assertRoundTrip(dir: string, parquet: Map<string, (number[] | null)[]>): number {
  const index = readFileSync(join(dir, "index.csv"), "utf8").trimEnd().split("\n");
  assert.equal(index[0], "id,label,split,method,compression,frames,file");
  let nan = 0;
  for (const line of index.slice(1)) {
    const [id, , , , , frames, file] = line.split(",");
    const expected = parquet.get(id!)!;
    assert.ok(expected, `${id} is in the dataset`);
    const { shape, values } = decodeNpyFloat32(new Uint8Array(readFileSync(join(dir, file!))));
    assert.deepEqual(shape, [expected.length, 68, 2], id);
    assert.equal(Number(frames), expected.length);
    expected.forEach((row, f) => {
      const got = Array.from(values.subarray(f * 136, (f + 1) * 136));
      if (row === null) {
        assert.ok(got.every(Number.isNaN), `${id} frame ${f}: NaN where the row has no points`);
        nan++;
      } else {
        assert.deepEqual(got, row, `${id} frame ${f}`);
      }
    });
  }
  assert.equal(index.length - 1, parquet.size, "one line per video");
  return nan;
}

test("export --format npy round-trips: each <id>.npy is (frames, 68, 2) float32 equal to the Parquet landmarks (NaN where null); --raw gives the pixel points", async () => {
  const root = mkdtempSync(join(tmpdir(), "lrnet-npy-"));
  try {
    const videos: SmallVideo[] = [...ffppEntries(), fake("Face2Face", "004", "005", "test", "c40")].map((e) => syntheticVideo(e));
    videos[1]!.rows.landmarksPresent.fill(0, 0, 6);
    videos[2]!.rows.rawPresent.fill(0, 10, 12);
    const out = join(root, "ds");
    await buildSmallDataset(out, videos, { videosPerFile: 2 });
    const dir = join(root, "npy");
    const result = await cli("export", out, "--format", "npy", "-o", dir);
    assert.equal(result.code, 0, result.stderr);
    const landmarks = await shapesByDuckDb(out, "landmarks");
    const nulls = [...landmarks.values()].flat().filter((r) => r === null).length;
    assert.ok(nulls >= 6);
    assert.equal(assertRoundTrip(dir, landmarks), nulls);
    assert.match(result.stdout, new RegExp(`^exported 13 videos \\([\\d,]+ frames, ${nulls} without landmarks as NaN\\)`));
    assert.ok(filesUnder(dir).includes("Deepfakes/c23/000_001.npy"), "the id's folders");
    assert.ok(filesUnder(dir).includes("Face2Face/c40/004_005.npy"));

    const rawDir = join(root, "npy-raw");
    assert.equal((await cli("export", out, "--format", "npy", "-o", rawDir, "--raw")).code, 0);
    assert.equal(assertRoundTrip(rawDir, await shapesByDuckDb(out, "raw")), 2);

    // numpy itself, where this machine has it.
    let numpy = false;
    try {
      execFileSync("python3", ["-c", "import numpy"], { stdio: "ignore" });
      numpy = true;
    } catch {
      numpy = false;
    }
    if (numpy) {
      const shape = execFileSync("python3", ["-c", `import numpy; a = numpy.load(${JSON.stringify(join(dir, "Deepfakes/c23/000_001.npy"))}); print(a.shape, a.dtype)`], { encoding: "utf8" });
      assert.equal(shape.trim(), `(${landmarks.get("Deepfakes/c23/000_001")!.length}, 68, 2) float32`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("export --format npy reads format 1 datasets too", async () => {
  const root = mkdtempSync(join(tmpdir(), "lrnet-npy-v1-"));
  try {
    const out = join(root, "v1");
    await buildV1Dataset(out, ffppEntries().slice(0, 4).map((e) => syntheticVideo(e)));
    const dir = join(root, "npy");
    assert.equal((await cli("export", out, "--format", "npy", "-o", dir)).code, 0);
    assertRoundTrip(dir, await shapesByDuckDb(out, "landmarks"));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
