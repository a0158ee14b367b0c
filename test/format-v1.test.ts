/**
 * Outputs of older lrnet-data (dataset format 1: Hive directories, dictionary strings) stay readable: validate
 * holds them, export and report read them, merge combines them (keeping format 1), and a build refuses to add
 * format 2 files to them unless told to rebuild.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mergeShards } from "../src/batch/merge.js";
import { MergeError } from "../src/batch/errors.js";
import { ConfigurationChangedError } from "../src/store/errors.js";
import { DatasetStore } from "../src/store/store.js";
import { decodeDataFile } from "../src/store/data-file.js";
import { exportDataset } from "../src/export/export-dataset.js";
import { buildReport } from "../src/report/index.js";
import { validateDataset } from "../src/validate/index.js";
import { CONFIGURATION, SOURCE, buildSmallDataset, buildV1Dataset, ffppEntries, syntheticVideo } from "./helpers/small-dataset.js";

async function withRoot(run: (root: string) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "lrnet-v1-"));
  try {
    await run(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const allVideos = () => ffppEntries().map((e) => syntheticVideo(e));

test("format 1: validate holds it, export lrnet writes the same files as from format 2, report reads it", async () => {
  await withRoot(async (root) => {
    const v1 = join(root, "v1");
    const v2 = join(root, "v2");
    const manifest = await buildV1Dataset(v1, allVideos());
    await buildSmallDataset(v2, allVideos());
    assert.equal(manifest.format_version, 1);
    assert.ok(manifest.data_files.every((f) => /^data\/split=\w+\/method=\w+\/compression=\w+\/part-/.test(f.path)));
    assert.deepEqual(manifest.columns.filter((c) => c.type === "dictionary<int32, utf8>").map((c) => c.name), ["video_id", "status", "label", "split", "method", "compression"]);
    assert.deepEqual(manifest.configs[0]!.data_files.map((d) => d.path), ["data/split=train/**/*.parquet", "data/split=val/**/*.parquet", "data/split=test/**/*.parquet"]);

    const validation = await validateDataset(v1);
    assert.deepEqual(validation.findings.filter((f) => f.severity === "error"), []);
    assert.equal(validation.ok, true);
    assert.deepEqual(
      validation.checks.filter((c) => c.name === "schema").map((c) => c.errors),
      [0],
      "format 1 files checked against format 1's schema (against format 2's, their strings would be dictionaries)",
    );
    const v1File = readFileSync(join(v1, manifest.data_files[0]!.path));
    assert.deepEqual((await decodeDataFile(new Uint8Array(v1File), { columns: [], formatVersion: 2 })).schemaProblems[0], "column video_id is Dictionary<Int32, Utf8>, expected Utf8");
    assert.deepEqual((await decodeDataFile(new Uint8Array(v1File), { columns: [], formatVersion: 1 })).schemaProblems, []);

    const exported1 = await exportDataset(v1, { format: "lrnet", dir: join(root, "txt1"), block: 0 });
    const exported2 = await exportDataset(v2, { format: "lrnet", dir: join(root, "txt2"), block: 0 });
    assert.deepEqual(exported1.files, exported2.files);
    for (const file of exported1.files) assert.equal(readFileSync(join(root, "txt1", file.path), "utf8"), readFileSync(join(root, "txt2", file.path), "utf8"));

    const html = await buildReport(v1);
    assert.ok(html.includes("Deepfakes/c23/000_001"), "the report reads format 1 rows");
  });
});

test("format 1: merge keeps format 1, refuses to mix formats; a build into it needs --rebuild", async () => {
  await withRoot(async (root) => {
    const entries = ffppEntries();
    const a = join(root, "a");
    const b = join(root, "b");
    await buildV1Dataset(a, entries.slice(0, 6).map((e) => syntheticVideo(e)));
    await buildV1Dataset(b, entries.slice(6).map((e) => syntheticVideo(e)));
    const merged = await mergeShards({ shards: [a, b], out: join(root, "merged") });
    assert.equal(merged.manifest.format_version, 1);
    assert.equal(merged.videos, entries.length);
    const validation = await validateDataset(join(root, "merged"));
    assert.deepEqual(validation.findings.filter((f) => f.severity === "error"), []);
    assert.deepEqual(readdirSync(join(root, "merged", "data")).sort(), ["split=test", "split=train", "split=val"]);

    const c = join(root, "c");
    await buildSmallDataset(c, entries.slice(6).map((e) => syntheticVideo(e)));
    await assert.rejects(mergeShards({ shards: [a, c], out: join(root, "mixed") }), (error: Error) => {
      assert.ok(error instanceof MergeError);
      assert.match(error.message, /holds dataset format 2, .* format 1; rebuild the older shard/);
      return true;
    });

    await assert.rejects(DatasetStore.open(a, { configuration: CONFIGURATION, source: SOURCE }), (error: Error) => {
      assert.ok(error instanceof ConfigurationChangedError);
      assert.match(error.message, /holds dataset format 1 \(this lrnet-data writes 2, whose files sit in other directories\); rebuild it \(--rebuild\)/);
      return true;
    });
    const { store, resume } = await DatasetStore.open(a, { configuration: CONFIGURATION, source: SOURCE, rebuild: true });
    await store.close();
    assert.equal(resume.rebuilt, true);
    assert.equal(store.manifest.format_version, 2);
  });
});
