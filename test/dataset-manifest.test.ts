import { test } from "node:test";
import assert from "node:assert/strict";
import {
  addCommittedFile,
  addFailure,
  createManifest,
  manifestInconsistencies,
  removeDataFiles,
  summarizeVideo,
  validateManifest,
  type BuildConfiguration,
  type Manifest,
  type ManifestSource,
} from "../src/store/manifest.js";
import { encodePart } from "../src/store/parquet-writer.js";
import { syntheticVideoRows } from "../src/store/synthetic.js";
import { landmarkJitter } from "../src/store/jitter.js";
import { canonicalJson, configurationFingerprint } from "../src/store/fingerprint.js";
import type { VideoEntry } from "../src/store/types.js";
import { DatasetError } from "../src/store/errors.js";

const SHAPE = 136;

const configuration: BuildConfiguration = {
  detector: "mediapipe-face-landmarker",
  model_sha256: "a".repeat(64),
  mode: "parity",
  mapping_version: "1",
  guard: { min_score: 0.5, max_hold: 5 },
  calibration: { scale: 1.2, shift_threshold: 1.42, lk_window: 15 },
};

const source: ManifestSource = {
  layout: "ffpp",
  root: "/data/ffpp",
  splits_dir: "/data/ffpp/splits",
  list: null,
  filters: { methods: ["Deepfakes", "youtube"], compression: ["c23"], splits_only: null },
  shard: null,
};

const entries: VideoEntry[] = [
  { id: "Deepfakes/c23/000_003", path: "manipulated_sequences/Deepfakes/c23/videos/000_003.mp4", label: "fake", split: "train", method: "Deepfakes", compression: "c23", identities: ["youtube:000", "youtube:003"] },
  { id: "Deepfakes/c23/003_000", path: "manipulated_sequences/Deepfakes/c23/videos/003_000.mp4", label: "fake", split: "train", method: "Deepfakes", compression: "c23", identities: ["youtube:003", "youtube:000"] },
  { id: "youtube/c23/001", path: "original_sequences/youtube/c23/videos/001.mp4", label: "real", split: "test", method: "youtube", compression: "c23", identities: ["youtube:001"] },
];

function builtManifest(): Manifest {
  let manifest = createManifest({ tool: { name: "lrnet-data", version: "0.1.0" }, configuration, source, now: new Date("2025-01-02T03:04:05Z") });
  const rows = entries.map((e, i) => syntheticVideoRows(e, 120 + i * 10, i + 1));
  const summaries = entries.map((e, i) => summarizeVideo(e, rows[i]!, { bytes: 1000 + i, sha256: String(i).repeat(64) }));
  const fakes = encodePart({ split: "train", method: "Deepfakes", compression: "c23" }, rows.slice(0, 2));
  const real = encodePart({ split: "test", method: "youtube", compression: "c23" }, rows.slice(2));
  for (const part of [fakes, real]) {
    manifest = addCommittedFile(
      manifest,
      { path: part.path, sha256: part.sha256, bytes: part.bytes.length, rows: part.rows, partition: part.partition, videos: part.videos },
      summaries,
    );
  }
  return addFailure(manifest, { id: "Deepfakes/c23/004_009", path: "manipulated_sequences/Deepfakes/c23/videos/004_009.mp4", error: "no face in any frame" });
}

test("a built manifest validates against its schema, is consistent, and carries splits and the HF configs block", () => {
  const manifest = builtManifest();
  const check = validateManifest(JSON.parse(JSON.stringify(manifest)));
  assert.deepEqual(check.errors, []);
  assert.equal(check.valid, true);
  assert.deepEqual(manifestInconsistencies(manifest), []);
  assert.equal(manifest.configuration_fingerprint, configurationFingerprint(configuration));
  assert.deepEqual(manifest.splits, {
    train: { video_count: 2, frame_count: 250, videos: ["Deepfakes/c23/000_003", "Deepfakes/c23/003_000"] },
    test: { video_count: 1, frame_count: 140, videos: ["youtube/c23/001"] },
  });
  assert.deepEqual(manifest.configs, [
    {
      config_name: "default",
      data_files: [
        { split: "train", path: "data/train/*/*/*.parquet" },
        { split: "test", path: "data/test/*/*/*.parquet" },
      ],
    },
  ]);
  const video = manifest.videos.find((v) => v.id === "Deepfakes/c23/003_000")!;
  assert.deepEqual(video.data, { file: manifest.data_files.find((f) => f.partition.method === "Deepfakes")!.path, row_start: 120, row_count: 130 });
  assert.deepEqual(video.identities, ["youtube:003", "youtube:000"]);
  assert.equal(manifest.failures.length, 1);
  assert.equal(manifest.columns.length, 11);
});

test("broken manifests fail the schema with messages naming the place", () => {
  const good = JSON.parse(JSON.stringify(builtManifest())) as Record<string, unknown> & Manifest;
  const broken = (edit: (m: Manifest & Record<string, unknown>) => void): string[] => {
    const copy = JSON.parse(JSON.stringify(good)) as Manifest & Record<string, unknown>;
    edit(copy);
    const check = validateManifest(copy);
    assert.equal(check.valid, false);
    return check.errors;
  };
  assert.ok(broken((m) => delete (m.configuration as Partial<BuildConfiguration>).detector).includes("/configuration: must have required property 'detector'"));
  assert.ok(broken((m) => ((m.videos[0] as unknown as Record<string, unknown>)["rows"] = "120")).includes("/videos/0/rows: must be integer"));
  assert.ok(broken((m) => (m.data_files[0]!.sha256 = "xyz")).some((e) => e.startsWith("/data_files/0/sha256: must match pattern")));
  assert.ok(broken((m) => ((m.videos[1] as unknown as Record<string, unknown>)["label"] = "maybe")).some((e) => e.startsWith("/videos/1/label: must be equal to one of the allowed values")));
  assert.ok(broken((m) => (m["extra"] = 1)).includes('(top level): must NOT have additional properties ("extra")'));
  assert.ok(broken((m) => (m.format_version = 3 as 2)).some((e) => e.startsWith("/format_version: must be equal to one of the allowed values")));
  assert.ok(broken((m) => (m.videos[0]!.jitter.raw = -1)).includes("/videos/0/jitter/raw: must be >= 0"));
});

test("the builder refuses a video twice and keeps failures and commits apart", () => {
  const manifest = builtManifest();
  const e = entries[0]!;
  const rows = syntheticVideoRows(e, 10, 9);
  const part = encodePart(e, [rows]);
  const file = { path: part.path, sha256: part.sha256, bytes: part.bytes.length, rows: part.rows, partition: part.partition, videos: part.videos };
  assert.throws(() => addCommittedFile(manifest, file, [summarizeVideo(e, rows, { bytes: 1, sha256: "0".repeat(64) })]), (err: Error) => {
    assert.ok(err instanceof DatasetError);
    assert.match(err.message, /video Deepfakes\/c23\/000_003 is already committed/);
    return true;
  });
  assert.throws(() => addFailure(manifest, { id: e.id, path: e.path, error: "x" }), /is committed; it cannot also be a failure/);

  const failed = entries[2]!;
  let fresh = createManifest({ tool: { name: "t", version: "1" }, configuration, source });
  fresh = addFailure(fresh, { id: failed.id, path: failed.path, error: "decoder crashed" });
  const retry = syntheticVideoRows(failed, 12, 4);
  const retried = encodePart(failed, [retry]);
  fresh = addCommittedFile(
    fresh,
    { path: retried.path, sha256: retried.sha256, bytes: retried.bytes.length, rows: retried.rows, partition: retried.partition, videos: retried.videos },
    [summarizeVideo(failed, retry, { bytes: 1, sha256: "0".repeat(64) })],
  );
  assert.deepEqual(fresh.failures, [], "a committed retry clears the failure");
  assert.deepEqual(removeDataFiles(fresh, [retried.path]).videos, []);
});

test("manifestInconsistencies names cross-reference problems", () => {
  const manifest = builtManifest();
  const tampered: Manifest = JSON.parse(JSON.stringify(manifest));
  tampered.videos[0]!.data.row_start = 200;
  tampered.data_files[1]!.rows += 1;
  const problems = manifestInconsistencies(tampered);
  const fakes = tampered.videos[0]!.data.file;
  assert.ok(problems.includes(`video Deepfakes/c23/000_003: rows run past the end of ${fakes}`));
  assert.ok(problems.includes(`videos Deepfakes/c23/003_000 and Deepfakes/c23/000_003 overlap in ${fakes}`));
  assert.ok(problems.some((p) => p.startsWith(`data file ${tampered.data_files[1]!.path}: `)));
});

test("summarizeVideo counts statuses, averages the detected scores and measures jitter before and after", () => {
  const rows = syntheticVideoRows(entries[0]!, 200, 5);
  const summary = summarizeVideo(entries[0]!, rows, { bytes: 42, sha256: "f".repeat(64) });
  // Synthetic statuses: every 97th frame skipped (96, 193), every 50th held (49, 99, 149, 199).
  assert.deepEqual(summary.status_counts, { detected: 194, held: 4, rejected: 0, skipped: 2, lost: 0 });
  let sum = 0;
  for (let i = 0; i < 200; i++) if (rows.status[i] === 0) sum += rows.score[i]!;
  assert.equal(summary.mean_score, sum / 194);
  assert.deepEqual([summary.frames, summary.rows], [200, 200]);
  assert.ok(summary.jitter.raw! > 0 && summary.jitter.calibrated! > 0);
  assert.deepEqual(summary.source, { path: entries[0]!.path, bytes: 42, sha256: "f".repeat(64) });
});

function shapes(frames: number, at: (t: number, k: number) => number): Float64Array {
  const values = new Float64Array(frames * SHAPE);
  for (let t = 0; t < frames; t++) for (let k = 0; k < SHAPE; k++) values[t * SHAPE + k] = at(t, k);
  return values;
}

/** A 100 × 50 box of points: face size 100. */
function boxPoint(k: number): number {
  const p = k >> 1;
  return k % 2 === 0 ? (p % 2) * 100 : (p % 3) * 25;
}

test("jitter: zero for still and steadily moving faces, the second difference over face size otherwise, gaps respected", () => {
  const all = (n: number) => new Uint8Array(n).fill(1);
  assert.equal(landmarkJitter(shapes(10, (_, k) => boxPoint(k)), all(10)), 0);
  assert.ok(Math.abs(landmarkJitter(shapes(10, (t, k) => boxPoint(k) + 3 * t), all(10))!) < 1e-12, "linear motion has no second difference");
  // x alternates +1/−1 around the box: second difference 4 px per point at every frame; face size 100.
  const shaky = shapes(6, (t, k) => boxPoint(k) + (k % 2 === 0 ? (t % 2 === 0 ? 1 : -1) : 0));
  assert.ok(Math.abs(landmarkJitter(shaky, all(6))! - 0.04) < 1e-12);
  const doubled = shapes(6, (t, k) => 2 * (boxPoint(k) + (k % 2 === 0 ? (t % 2 === 0 ? 1 : -1) : 0)));
  assert.ok(Math.abs(landmarkJitter(doubled, all(6))! - 0.04) < 1e-12, "scale-free: pixels and crop units compare");
  // Only frames 2,3,4 form a complete triple; the wild values in absent frames are ignored.
  const gappy = shapes(7, (t, k) => (t === 1 || t === 5 ? 1e6 : boxPoint(k) + (k % 2 === 0 && t === 3 ? 2 : 0)));
  assert.ok(Math.abs(landmarkJitter(gappy, Uint8Array.from([1, 0, 1, 1, 1, 0, 1]))! - 0.04) < 1e-12);
  assert.equal(landmarkJitter(shapes(2, (_, k) => boxPoint(k)), all(2)), null);
  assert.equal(landmarkJitter(shapes(5, (_, k) => boxPoint(k)), Uint8Array.from([1, 1, 0, 1, 1])), null);
});

test("configuration fingerprint: independent of key order, sensitive to any value", () => {
  const reordered: BuildConfiguration = {
    calibration: { lk_window: 15, shift_threshold: 1.42, scale: 1.2 },
    guard: { max_hold: 5, min_score: 0.5 },
    mapping_version: "1",
    mode: "parity",
    model_sha256: "a".repeat(64),
    detector: "mediapipe-face-landmarker",
  };
  assert.equal(configurationFingerprint(reordered), configurationFingerprint(configuration));
  assert.match(configurationFingerprint(configuration), /^[0-9a-f]{64}$/);
  assert.notEqual(configurationFingerprint({ ...configuration, guard: { min_score: 0.5, max_hold: 6 } }), configurationFingerprint(configuration));
  assert.equal(canonicalJson({ b: [1, { d: 2, c: undefined, a: null }], a: "x" }), '{"a":"x","b":[1,{"a":null,"d":2}]}');
});
