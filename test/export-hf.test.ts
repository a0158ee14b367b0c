import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { validateDataset } from "../src/validate/index.js";
import { buildSmallDataset, buildV1Dataset, fake, ffppEntries, original, syntheticVideo, type SmallVideo } from "./helpers/small-dataset.js";
import { cli } from "./helpers/cli.js";
import { checkHfFolder } from "./helpers/hf-folder.js";

function videos(): SmallVideo[] {
  return [...ffppEntries(), original("010", "test", "c40"), original("011", "test", "c40"), fake("Face2Face", "010", "011", "test", "c40")].map((e) => syntheticVideo(e));
}

async function withDirs(run: (root: string) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "lrnet-hf-"));
  try {
    await run(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Every row of a folder's data files as DuckDB reads them, in video and frame order. */
async function allRows(dir: string): Promise<unknown[]> {
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const db = await instance.connect();
  try {
    return (await db.runAndReadAll(`SELECT * FROM read_parquet('${dir}/data/**/*.parquet') ORDER BY video_id, frame`)).getRowObjectsJS();
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

test("export --format hf: card YAML parses and its configs globs match exactly the data files; croissant.json lists every file with sha256 and every column", async () => {
  await withDirs(async (root) => {
    const out = join(root, "ffpp-c23");
    const manifest = await buildSmallDataset(out, videos(), {
      videosPerFile: 1,
      failures: [{ id: "Deepfakes/c23/008_009", path: "manipulated_sequences/Deepfakes/c23/videos/008_009.mp4", error: "no face in any frame" }],
    });
    const dir = join(root, "hub");
    const terms = join(root, "terms.md");
    writeFileSync(terms, "FaceForensics++ Terms of Use: non-commercial research only.\n");
    const result = await cli("export", out, "--format", "hf", "-o", dir, "--license", "cc-by-nc-4.0", "--source-terms", `@${terms}`);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^exported 15 videos in 15 data files \(15 copied, 0 rewritten; largest row group 0\.\d MiB\)/);

    const checked = checkHfFolder(dir);
    assert.equal(checked.card.license, "cc-by-nc-4.0");
    assert.deepEqual(checked.card.task_categories, ["video-classification"]);
    assert.deepEqual(checked.card.size_categories, ["1K<n<10K"]);
    assert.deepEqual(
      checked.card.configs.map((c) => [c.config_name, c.data_files.map((d) => `${d.split}=${d.path}`)]),
      [
        ["all", ["train=data/train/*/*/*.parquet", "val=data/val/*/*/*.parquet", "test=data/test/*/*/*.parquet"]],
        ["Deepfakes-c23", ["train=data/train/Deepfakes/c23/*.parquet", "val=data/val/Deepfakes/c23/*.parquet", "test=data/test/Deepfakes/c23/*.parquet"]],
        ["Face2Face-c40", ["test=data/test/Face2Face/c40/*.parquet"]],
        ["youtube-c23", ["train=data/train/youtube/c23/*.parquet", "val=data/val/youtube/c23/*.parquet", "test=data/test/youtube/c23/*.parquet"]],
        ["youtube-c40", ["test=data/test/youtube/c40/*.parquet"]],
      ],
    );
    // The body: counts per split/method/compression/label, provenance, loading, the terms given.
    const frames = (split: string, method: string, compression: string): number =>
      manifest.videos.filter((v) => v.split === split && v.method === method && v.compression === compression).reduce((s, v) => s + v.rows, 0);
    assert.ok(checked.body.includes(`| train | Deepfakes | c23 | fake | 2 | ${frames("train", "Deepfakes", "c23")} |`), "counts per split/method/label");
    assert.ok(checked.body.includes(`| test | Face2Face | c40 | fake | 1 | ${frames("test", "Face2Face", "c40")} |`));
    assert.ok(checked.body.includes("1 videos failed and are not included"));
    assert.ok(checked.body.includes("Calibration: LRNet's") && checked.body.includes('"shift_threshold":1.42'), "calibration constants");
    assert.ok(checked.body.includes("Decoding: ffmpeg (version not recorded)"), "the decoder as the manifest has it");
    assert.ok(checked.body.includes('load_dataset("parquet", data_files={"train": "data/train/*/*/*.parquet"})'));
    assert.ok(checked.body.includes("FaceForensics++ Terms of Use: non-commercial research only."));
    assert.equal(checked.croissant["license"], "cc-by-nc-4.0");
    assert.match(String(checked.croissant["rai:personalSensitiveInformation"]), /TODO\(owner\)/);
    assert.match(String(checked.croissant["rai:dataAnnotationProtocol"]), /official split files/);

    // The data files are the dataset's, byte for byte; the folder is a dataset that validate accepts.
    for (const file of manifest.data_files) assert.deepEqual(readFileSync(join(dir, file.path)), readFileSync(join(out, file.path)), file.path);
    assert.deepEqual(checked.manifest.videos, manifest.videos);
    assert.deepEqual(checked.manifest.failures, manifest.failures);
    const validation = await validateDataset(dir);
    assert.deepEqual(validation.findings.filter((f) => f.severity === "error" && f.check !== "failures"), []);
  });
});

test("export --format hf of a format 1 dataset rewrites its files in the current format, every row kept", async () => {
  await withDirs(async (root) => {
    const out = join(root, "v1");
    const v1 = await buildV1Dataset(out, videos());
    assert.ok(v1.data_files.every((f) => f.path.startsWith("data/split=")));
    const dir = join(root, "hub");
    const result = await cli("export", out, "--format", "hf", "-o", dir);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /in 8 data files \(0 copied, 8 rewritten;/);
    const checked = checkHfFolder(dir);
    assert.equal(checked.card.license, "other");
    assert.equal(checked.manifest.format_version, 2);
    assert.match(checked.body, /TODO\(owner\): quote the Terms of Use you accepted/, "FF++'s terms are named for the owner to confirm");
    const rows = await allRows(dir);
    assert.equal(rows.length, v1.videos.reduce((s, v) => s + v.rows, 0));
    assert.deepEqual(rows, await allRows(out), "the same rows and values as the format 1 files");
    const validation = await validateDataset(dir);
    assert.deepEqual(validation.findings.filter((f) => f.severity === "error"), []);
  });
});

test("export: options of another format and unknown formats are usage errors", async () => {
  await withDirs(async (root) => {
    const out = join(root, "ds");
    await buildSmallDataset(out, videos().slice(0, 2));
    const raw = await cli("export", out, "--format", "hf", "-o", join(root, "x"), "--raw");
    assert.equal(raw.code, 2);
    assert.match(raw.stderr, /--raw applies to --format npy, not hf/);
    const license = await cli("export", out, "--format", "npy", "-o", join(root, "x"), "--license", "mit");
    assert.equal(license.code, 2);
    const unknown = await cli("export", out, "--format", "csv", "-o", join(root, "x"));
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--format csv is not known \(known: lrnet, hf, npy\)/);
    const overwrite = await cli("export", out, "--format", "hf", "-o", join(root, "x"), "--overwrite");
    assert.equal(overwrite.code, 2);
    assert.match(overwrite.stderr, /--overwrite applies to --format lrnet or npy, not hf/);
    writeFileSync(join(root, "taken.txt"), "x");
    const taken = await cli("export", out, "--format", "hf", "-o", root);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /not empty; a Hub folder must hold only this export's files/);
  });
});
