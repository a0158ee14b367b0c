import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";
import { STATUS_CODE, type VideoEntry } from "../src/store/types.js";
import type { Manifest } from "../src/store/manifest.js";
import { validateDataset } from "../src/validate/validate-dataset.js";
import { EXPORT_MARKER, exportDataset } from "../src/export/export-dataset.js";
import { flattenId } from "../src/export/layout.js";
import { parseLrnetText } from "../src/export/lrnet-txt.js";
import { buildSmallDataset, fake, original, SOURCE, syntheticVideo, videoFromShapes } from "./helpers/small-dataset.js";
import { NO_FIXTURES, lrnetFixtures, repoRoot, sharedTools } from "./helpers/paths.js";

const run = promisify(execFile);

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The files an export wrote for LRNet (its hidden marker, EXPORT_MARKER, aside: LRNet reads only the split folders). */
function filesUnder(dir: string): string[] {
  assert.ok(readdirSync(dir).includes(EXPORT_MARKER), `${dir} carries lrnet-data's export marker`);
  const found: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path);
      else if (path !== EXPORT_MARKER) found.push(path);
    }
  };
  walk("");
  return found.sort();
}

function actors(name: string, split: string): VideoEntry {
  return { id: `actors/c23/${name}`, path: `original_sequences/actors/c23/videos/${name}.mp4`, label: "real", split, method: "actors", compression: "c23", identities: [`actor:${name.slice(0, 2)}`] };
}

function dfd(name: string, split: string): VideoEntry {
  return {
    id: `DeepFakeDetection/c23/${name}`,
    path: `manipulated_sequences/DeepFakeDetection/c23/videos/${name}__X.mp4`,
    label: "fake",
    split,
    method: "DeepFakeDetection",
    compression: "c23",
    identities: [],
  };
}

/** Per video, its frames with landmarks as read by DuckDB (an independent Parquet reader), in frame order. */
async function landmarksByDuckDb(out: string): Promise<Map<string, number[][]>> {
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const db = await instance.connect();
  try {
    const reader = await db.runAndReadAll(
      `SELECT video_id, frame, landmarks FROM read_parquet('${out}/data/**/*.parquet', hive_partitioning = true)
       WHERE landmarks IS NOT NULL ORDER BY video_id, frame`,
    );
    const byVideo = new Map<string, number[][]>();
    for (const row of reader.getRowObjectsJson() as { video_id: string; landmarks: number[] }[]) {
      byVideo.set(row.video_id, [...(byVideo.get(row.video_id) ?? []), row.landmarks.map(Number)]);
    }
    return byVideo;
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

/** `%1.5f` by another route than formatLrnetLine: Intl rounding of the value DuckDB read. */
function printf5(value: number): string {
  return (value === 0 ? 0 : value).toLocaleString("en-US", { minimumFractionDigits: 5, maximumFractionDigits: 5, useGrouping: false });
}

test("export --format lrnet: LRNet's FF++ tree, one line per frame with landmarks, %1.5f values as in the Parquet", async () => {
  const out = tempDir("lrnet-export-ds-");
  const dir = join(tempDir("lrnet-export-"), "lrnet");
  try {
    const videos = [
      syntheticVideo(original("000", "train"), 120), // frame 96 has no landmarks: dropped
      syntheticVideo(original("001", "val"), 64),
      syntheticVideo(fake("Deepfakes", "000", "001", "train"), 70),
      syntheticVideo(fake("Face2Face", "000", "001", "train", "c40"), 62),
      syntheticVideo(fake("FaceSwap", "001", "000", "test", "c0"), 61),
      syntheticVideo(fake("NeuralTextures", "001", "000", "test", "raw"), 65),
      syntheticVideo(fake("FaceShifter", "000", "001", "test"), 66),
      syntheticVideo(actors("01__walking", "test"), 67),
      syntheticVideo(dfd("01_02__walking", "test"), 68),
      syntheticVideo(original("002", "train"), 30), // 30 frames: no block of 30, left out
    ];
    await buildSmallDataset(out, videos, { videosPerFile: 1 });
    const report = await exportDataset(out, { format: "lrnet", dir });
    assert.equal(report.layout, "lrnet-ffpp");
    assert.deepEqual(filesUnder(dir), [
      "DF/c23/train/000_001.txt",
      "DFD/c23/test/01_02__walking.txt",
      "DFD_Origin/c23/test/01__walking.txt",
      "F2F/c40/train/000_001.txt",
      "FS/raw/test/001_000.txt",
      "FSh/c23/test/000_001.txt",
      "NT/raw/test/001_000.txt",
      "Origin/c23/train/000.txt",
      "Origin/c23/val/001.txt",
    ]);
    assert.deepEqual(report.skipped, [{ video: "youtube/c23/002", reason: "30 frames with landmarks, LRNet takes no block of 30 from fewer than 31" }]);
    assert.equal(report.droppedRows, 1, "frame 96 of youtube/c23/000");
    assert.deepEqual(report.foreignFiles, []);

    const expected = await landmarksByDuckDb(out);
    for (const file of report.files) {
      const text = readFileSync(join(dir, file.path), "utf8");
      assert.ok(text.endsWith("\n"));
      const lines = text.slice(0, -1).split("\n");
      const rows = expected.get(file.video)!;
      assert.equal(lines.length, rows.length, file.path);
      assert.equal(file.lines, rows.length);
      lines.forEach((line, i) => assert.equal(line, rows[i]!.map(printf5).join(" "), `${file.path} line ${i + 1}`));
    }
    assert.equal(expected.get("youtube/c23/000")!.length, 119);
    assert.equal(readFileSync(join(dir, "Origin/c23/train/000.txt"), "utf8").split("\n")[0]!.split(" ").length, 136);
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(join(dir, ".."), { recursive: true, force: true });
  }
});

test("export --format lrnet: where the face was lost, the lines before the gap are cut to whole blocks, so no block spans it", async () => {
  const out = tempDir("lrnet-export-lost-ds-");
  const dir = join(tempDir("lrnet-export-lost-"), "lrnet");
  try {
    const video = syntheticVideo(original("000", "train"), 100);
    // Frames 40–44: the face had left (lost, no landmarks); the guard held frames 35–39 before that.
    for (let f = 40; f < 45; f++) {
      video.rows.status[f] = STATUS_CODE.lost;
      video.rows.landmarksPresent[f] = 0;
      video.rows.rawPresent[f] = 0;
    }
    await buildSmallDataset(out, [video]);
    const validation = await validateDataset(out);
    assert.equal(validation.ok, true, JSON.stringify(validation.findings.slice(0, 3)));
    const report = await exportDataset(out, { format: "lrnet", dir });
    const text = readFileSync(join(dir, "Origin/c23/train/000.txt"), "utf8");
    const lines = text.slice(0, -1).split("\n");
    const stored = await landmarksByDuckDb(out);
    const present = Array.from({ length: 100 }, (_, f) => f).filter((f) => video.rows.landmarksPresent[f] === 1);
    const before = present.filter((f) => f < 40);
    const after = present.filter((f) => f >= 45);
    assert.equal(before.length, 40);
    const frames = [...before.slice(0, 30), ...after];
    const byFrame = new Map(present.map((f, i) => [f, stored.get("youtube/c23/000")![i]!]));
    assert.equal(lines.length, 30 + after.length, "the 40 frames before the gap cut to 30, then those after it");
    lines.forEach((line, i) => assert.equal(line, byFrame.get(frames[i]!)!.map(printf5).join(" "), `line ${i + 1} is frame ${frames[i]}`));
    // LRNet's blocks start at 0, 30, 60: each lies wholly before or wholly after the gap.
    for (let start = 0; start + 30 <= lines.length; start += 30) {
      const blockFrames = frames.slice(start, start + 30);
      assert.ok(blockFrames.every((f) => f < 40) || blockFrames.every((f) => f >= 45), `block at line ${start} lies on one side of the gap`);
    }
    assert.equal(report.droppedRows, 100 - lines.length, "the lost frames, those cut before them, and any without landmarks");
    assert.equal(validation.figures.blocks, Math.floor((lines.length - 1) / 30), "validate counts the blocks the export gives");
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(join(dir, ".."), { recursive: true, force: true });
  }
});

test("export --format lrnet: other layouts go to <label>/<split>/<id with / as __>.txt", async () => {
  const out = tempDir("lrnet-export-ds-");
  const dir = tempDir("lrnet-export-");
  try {
    const entry = (id: string, label: "real" | "fake", split: string): VideoEntry => ({
      id,
      path: `${id}.mp4`,
      label,
      split,
      method: "folder",
      compression: "none",
      identities: [],
    });
    const ids = ["real/celeb/id0_0001", "fake/celeb/id0_id1_0001", "fake/odd%name", ".hidden/clip"];
    await buildSmallDataset(out, [syntheticVideo(entry(ids[0]!, "real", "train")), syntheticVideo(entry(ids[1]!, "fake", "train")), syntheticVideo(entry(ids[2]!, "fake", "test")), syntheticVideo(entry(ids[3]!, "real", "test"))], {
      source: { ...SOURCE, layout: "folder", splits_dir: null },
    });
    const report = await exportDataset(out, { format: "lrnet", dir });
    assert.equal(report.layout, "label-split");
    assert.deepEqual(filesUnder(dir), [
      "fake/test/fake__odd%name.txt",
      "fake/train/fake__celeb__id0_id1_0001.txt",
      "real/test/_hidden__clip.txt",
      "real/train/real__celeb__id0_0001.txt",
    ]);
    assert.equal(flattenId("end_to_end/000_M004"), "end_to_end__000_M004");
    assert.equal(flattenId("a\\b\tc"), "a__b_c");

    const clash = tempDir("lrnet-export-clash-");
    try {
      await buildSmallDataset(clash, [syntheticVideo(entry("a__b/c", "fake", "train")), syntheticVideo(entry("a/b__c", "fake", "train"))], {
        source: { ...SOURCE, layout: "folder", splits_dir: null },
      });
      await assert.rejects(exportDataset(clash, { format: "lrnet", dir: join(clash, "..", "never-written") }), /videos a\/b__c and a__b\/c would both be exported to fake\/train\/a__b__c\.txt|videos a__b\/c and a\/b__c would both be exported to fake\/train\/a__b__c\.txt/);
    } finally {
      rmSync(clash, { recursive: true, force: true });
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});

test("export: refuses a non-empty directory and a changed data file, leaving no partial file", async () => {
  const out = tempDir("lrnet-export-ds-");
  const dir = tempDir("lrnet-export-");
  try {
    const manifest: Manifest = await buildSmallDataset(out, [syntheticVideo(original("000", "train")), syntheticVideo(original("001", "train"))]);
    writeFileSync(join(dir, "notes.txt"), "mine\n");
    await assert.rejects(exportDataset(out, { format: "lrnet", dir }), { name: "ExportError", message: /not empty; LRNet reads every file/ });
    await assert.rejects(exportDataset(out, { format: "lrnet", dir, overwrite: true }), { name: "ExportError", message: /not an export of lrnet-data \(no \.lrnet-data-export\.json\)/ });
    assert.deepEqual(readdirSync(dir), ["notes.txt"], "--overwrite touches no folder lrnet-data did not export into");
    rmSync(join(dir, "notes.txt"));
    await exportDataset(out, { format: "lrnet", dir });
    writeFileSync(join(dir, "notes.txt"), "mine\n");
    await assert.rejects(exportDataset(out, { format: "lrnet", dir }), { name: "ExportError", message: /not empty; LRNet reads every file/ });
    const report = await exportDataset(out, { format: "lrnet", dir, overwrite: true });
    assert.equal(report.files.length, 2);
    assert.equal(readFileSync(join(dir, "notes.txt"), "utf8"), "mine\n", "files it did not write stay");

    const fresh = join(dir, "again");
    const path = join(out, manifest.data_files[0]!.path);
    const bytes = readFileSync(path);
    bytes[100]! ^= 1;
    writeFileSync(path, bytes);
    await assert.rejects(exportDataset(out, { format: "lrnet", dir: fresh }), {
      name: "ExportError",
      message: new RegExp(`${manifest.data_files[0]!.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: sha256 or size differs from the manifest`),
    });
    assert.equal(existsSync(fresh), false, "a failed export leaves no directory");
    assert.deepEqual(readdirSync(dir).filter((name) => name.startsWith(".again")), [], "nor its staging directory");
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});

test("export of LRNet's fixture landmarks: identical text, and LRNet's model scores them real and fake", { skip: lrnetFixtures && sharedTools ? false : NO_FIXTURES }, async () => {
  const out = tempDir("lrnet-export-ds-");
  const dir = tempDir("lrnet-export-");
  try {
    const fixture = (name: string) => readFileSync(join(lrnetFixtures!, name), "utf8");
    const realText = fixture("ff_real.lrnet.txt");
    const fakeText = fixture("ff_fake.lrnet.txt");
    await buildSmallDataset(out, [
      videoFromShapes(original("000", "test"), parseLrnetText(realText, "ff_real.lrnet.txt")),
      videoFromShapes(fake("Deepfakes", "000", "003", "test"), parseLrnetText(fakeText, "ff_fake.lrnet.txt")),
    ]);
    const report = await exportDataset(out, { format: "lrnet", dir });
    assert.deepEqual(report.files.map((f) => f.path), ["DF/c23/test/000_003.txt", "Origin/c23/test/000.txt"]);
    assert.equal(readFileSync(join(dir, "Origin/c23/test/000.txt"), "utf8"), realText);
    assert.equal(readFileSync(join(dir, "DF/c23/test/000_003.txt"), "utf8"), fakeText);

    const { stdout } = await run(process.execPath, [join(sharedTools!, "lrnet-score.mjs"), "--json", join(dir, "Origin/c23/test/000.txt"), join(dir, "DF/c23/test/000_003.txt")], {
      cwd: repoRoot,
    });
    const scores = JSON.parse(stdout) as { label: string; frames: number; score: number }[];
    assert.deepEqual(scores.map((s) => [s.label, s.frames]), [
      ["real", 757],
      ["fake", 757],
    ]);
    assert.equal(scores[0]!.score, 0.12);
    assert.equal(scores[1]!.score, 1);
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});

test("export CLI: usage errors and a one-line summary", async () => {
  const cli = join(repoRoot, "bin", "lrnet-data.js");
  const out = tempDir("lrnet-export-ds-");
  const dir = join(tempDir("lrnet-export-"), "x");
  try {
    await buildSmallDataset(out, [syntheticVideo(original("000", "train")), syntheticVideo(fake("Deepfakes", "000", "001", "train"))]);
    const missing = await run(process.execPath, [cli, "export", out, "--format", "lrnet"]).catch((e: { code: number; stderr: string }) => e);
    assert.equal((missing as { code: number }).code, 2);
    assert.match((missing as { stderr: string }).stderr, /-o DIR is required/);
    const wrong = await run(process.execPath, [cli, "export", out, "--format", "csv", "-o", dir]).catch((e: { code: number; stderr: string }) => e);
    assert.match((wrong as { stderr: string }).stderr, /--format csv is not known/);
    const ok = await run(process.execPath, [cli, "export", out, "--format", "lrnet", "-o", dir]);
    assert.match(ok.stdout, /^exported 2 videos \(\d+ lines; 0 frames without landmarks dropped\) into .* as LRNet's FF\+\+ tree/);
    assert.match(ok.stdout, /\n {2}DF\/c23\/train: 1\n {2}Origin\/c23\/train: 1\n/);
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(join(dir, ".."), { recursive: true, force: true });
  }
});
