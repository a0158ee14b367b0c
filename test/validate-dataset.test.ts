import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { encodePart } from "../src/store/parquet-writer.js";
import type { Manifest } from "../src/store/manifest.js";
import { SHAPE_VALUES } from "../src/shape/shape.js";
import { validateDataset, type Finding, type ValidationReport } from "../src/validate/index.js";
import { buildSmallDataset, fake, ffppEntries, original, syntheticVideo, type SmallVideo } from "./helpers/small-dataset.js";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "lrnet-validate-"));
}

function videos(entries = ffppEntries()): SmallVideo[] {
  return entries.map((entry) => syntheticVideo(entry));
}

function errorsOf(report: ValidationReport): Finding[] {
  return report.findings.filter((f) => f.severity === "error");
}

function manifestOf(out: string): Manifest {
  return JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as Manifest;
}

async function withDataset(build: (out: string) => Promise<void>, check: (out: string) => Promise<void>): Promise<void> {
  const out = tempDir();
  try {
    await build(out);
    await check(out);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

test("validate: the untouched dataset holds, with its figures", async () => {
  await withDataset(
    async (out) => void (await buildSmallDataset(out, videos())),
    async (out) => {
      const report = await validateDataset(out);
      assert.deepEqual(report.findings, []);
      assert.equal(report.ok, true);
      const manifest = manifestOf(out);
      assert.equal(report.figures.videos, 12);
      assert.equal(report.figures.dataFiles, manifest.data_files.length);
      assert.equal(report.figures.rows, manifest.videos.reduce((s, v) => s + v.rows, 0));
      // syntheticVideoRows: every 97th frame has no landmarks; our videos are shorter than 97 frames.
      assert.equal(report.figures.landmarkRows, report.figures.rows);
      assert.equal(report.figures.outOfRangeValues, 0);
      assert.equal(report.figures.bytes, manifest.data_files.reduce((s, f) => s + f.bytes, 0));
      assert.deepEqual(
        report.checks.map((c) => c.name),
        ["manifest", "consistency", "state", "files", "schema", "rows", "frames", "status", "values", "range", "splits", "leakage", "coverage", "blocks", "detection", "failures"],
      );
    },
  );
});

test("validate: a flipped byte in a data file is named with the file", async () => {
  await withDataset(
    async (out) => void (await buildSmallDataset(out, videos())),
    async (out) => {
      const file = manifestOf(out).data_files[1]!;
      const path = join(out, file.path);
      const bytes = readFileSync(path);
      bytes[Math.floor(bytes.length / 2)]! ^= 0x10;
      writeFileSync(path, bytes);
      const report = await validateDataset(out);
      assert.equal(report.ok, false);
      const sha = errorsOf(report).find((f) => f.check === "files");
      assert.ok(sha, "a files error");
      assert.equal(sha.file, file.path);
      assert.match(sha.message, /sha256 .* the manifest says/);
    },
  );
});

test("validate: a deleted data file is named with its videos", async () => {
  await withDataset(
    async (out) => void (await buildSmallDataset(out, videos())),
    async (out) => {
      const file = manifestOf(out).data_files[0]!;
      rmSync(join(out, file.path));
      const report = await validateDataset(out);
      assert.equal(report.ok, false);
      const errors = errorsOf(report);
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.equal(errors[0]!.check, "files");
      assert.equal(errors[0]!.file, file.path);
      assert.equal(errors[0]!.video, file.videos[0]);
      assert.match(errors[0]!.message, /is missing; its 2 videos \(.+\) are unavailable/);
    },
  );
});

test("validate: a video removed from a data file (file hash updated) is named", async () => {
  const all = videos();
  await withDataset(
    async (out) => void (await buildSmallDataset(out, all)),
    async (out) => {
      const manifest = manifestOf(out);
      const file = manifest.data_files.find((f) => f.videos.length === 2)!;
      const [kept, removed] = file.videos;
      const keptRows = all.find((v) => v.entry.id === kept)!.rows;
      const part = encodePart(file.partition, [keptRows]);
      writeFileSync(join(out, file.path), part.bytes);
      // Someone "fixed" the hash: only the content can tell.
      file.sha256 = part.sha256;
      file.bytes = part.bytes.length;
      writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest, null, 2));
      const report = await validateDataset(out);
      assert.equal(report.ok, false);
      const gone = errorsOf(report).find((f) => f.video === removed && f.check === "rows");
      assert.ok(gone, JSON.stringify(report.findings, null, 1));
      assert.equal(gone.file, file.path);
      assert.match(gone.message, /not in the file|past the end/);
      assert.ok(errorsOf(report).some((f) => f.check === "files" && /rows, the manifest says/.test(f.message)));
    },
  );
});

test("validate: a duplicated frame is named with file, video and frame", async () => {
  const target = "Deepfakes/c23/000_001";
  await withDataset(
    async (out) =>
      void (await buildSmallDataset(out, videos(), {
        tamper: (v) => {
          if (v.entry.id === target) v.rows.frame[11] = 10;
        },
      })),
    async (out) => {
      const report = await validateDataset(out);
      assert.equal(report.ok, false);
      const errors = errorsOf(report);
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.equal(errors[0]!.check, "frames");
      assert.equal(errors[0]!.video, target);
      assert.equal(errors[0]!.frame, 10);
      assert.equal(errors[0]!.file, manifestOf(out).videos.find((v) => v.id === target)!.data.file);
      assert.match(errors[0]!.message, /frame 10 appears twice; frame 11 is missing/);
    },
  );
});

test("validate: a NaN landmark is named with file, video, frame and coordinate", async () => {
  const target = "youtube/c23/002";
  await withDataset(
    async (out) =>
      void (await buildSmallDataset(out, videos(), {
        tamper: (v) => {
          if (v.entry.id === target) v.rows.landmarks[17 * SHAPE_VALUES + 35] = Number.NaN;
        },
      })),
    async (out) => {
      const report = await validateDataset(out);
      const errors = errorsOf(report);
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.deepEqual([errors[0]!.check, errors[0]!.video, errors[0]!.frame], ["values", target, 17]);
      assert.match(errors[0]!.message, /frame 17: landmark y17 \(value 36 of 136\) is NaN/);
    },
  );
});

test("validate: worker threads find exactly what the main thread finds, in file order", async () => {
  await withDataset(
    async (out) =>
      void (await buildSmallDataset(out, videos(), {
        videosPerFile: 1,
        tamper: (v) => {
          if (v.entry.id === "youtube/c23/003") v.rows.landmarks[2 * SHAPE_VALUES + 1] = Number.POSITIVE_INFINITY;
          if (v.entry.id === "Deepfakes/c23/004_005") v.rows.frame[20] = 25;
        },
      })),
    async (out) => {
      const inThread = await validateDataset(out, { workers: 0 });
      const inWorkers = await validateDataset(out, { workers: 2 });
      assert.equal(inThread.figures.dataFiles, 12);
      assert.deepEqual(inWorkers.findings, inThread.findings);
      assert.deepEqual(inWorkers.figures.landmarkRows, inThread.figures.landmarkRows);
      assert.deepEqual(
        inThread.findings.map((f) => [f.check, f.video, f.frame]),
        [
          ["frames", "Deepfakes/c23/004_005", 25],
          ["values", "youtube/c23/003", 2],
        ],
      );
    },
  );
});

test("validate: a value off the 0.005 grid and a share outside [-1, 1] are reported", async () => {
  const target = "youtube/c23/004";
  await withDataset(
    async (out) =>
      void (await buildSmallDataset(out, videos(), {
        tamper: (v) => {
          if (v.entry.id !== target) return;
          v.rows.landmarks[3 * SHAPE_VALUES] = 0.1234;
          for (let k = 0; k < 10; k++) v.rows.landmarks[5 * SHAPE_VALUES + k] = 1.25;
        },
      })),
    async (out) => {
      const report = await validateDataset(out);
      const errors = errorsOf(report);
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.equal(errors[0]!.frame, 3);
      assert.match(errors[0]!.message, /x0 .* = 0\.123\d+ is not on the 0\.005 grid/);
      assert.equal(report.figures.outOfRangeValues, 10);
      const range = report.findings.find((f) => f.check === "range")!;
      assert.equal(range.severity, "warning");
      assert.deepEqual([range.video, range.frame], [target, 5]);
    },
  );
});

test("validate: an original moved into a second split leaks its identity", async () => {
  // 001 and its pair 000 are in train; the original 001 moved to test.
  const entries = ffppEntries().map((e) => (e.id === "youtube/c23/001" ? { ...e, split: "test" } : e));
  await withDataset(
    async (out) => void (await buildSmallDataset(out, videos(entries))),
    async (out) => {
      const report = await validateDataset(out);
      const errors = errorsOf(report);
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.equal(errors[0]!.check, "leakage");
      assert.equal(errors[0]!.video, "youtube/c23/001");
      assert.match(errors[0]!.message, /^identity youtube:001 appears in 2 splits: train \(.*Deepfakes\/c23\/000_001.*\) and test \(youtube\/c23\/001\)$/);
      const allowed = await validateDataset(out, { allowLeakage: true });
      assert.equal(allowed.ok, true);
      assert.equal(allowed.warnings, 1);
    },
  );
});

test("validate: a fake whose source identity sits in another split leaks it", async () => {
  const entries = [...ffppEntries(), fake("Deepfakes", "004", "000", "test")];
  await withDataset(
    async (out) => void (await buildSmallDataset(out, videos(entries))),
    async (out) => {
      const report = await validateDataset(out);
      const errors = errorsOf(report);
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.equal(errors[0]!.check, "leakage");
      assert.equal(errors[0]!.video, "Deepfakes/c23/004_000");
      assert.match(errors[0]!.message, /^identity youtube:000 appears in 2 splits: train \(.*\) and test \(Deepfakes\/c23\/004_000\)$/);
    },
  );
});

test("validate: the same original at two compressions in two splits leaks", async () => {
  const entries = [...ffppEntries(), original("000", "test", "c40")];
  await withDataset(
    async (out) => void (await buildSmallDataset(out, videos(entries))),
    async (out) => {
      const errors = errorsOf(await validateDataset(out));
      assert.deepEqual(
        errors.map((e) => [e.check, e.video]),
        [["leakage", "youtube/c40/000"]],
      );
    },
  );
});

test("validate: thresholds for failures, detection share and training blocks", async () => {
  const entries = ffppEntries();
  const all = entries.map((e) => syntheticVideo(e));
  // youtube/c23/003: 30 frames, too few for one block of 30; youtube/c23/005: 40 % of frames detected.
  all[entries.findIndex((e) => e.id === "youtube/c23/003")] = syntheticVideo(entries.find((e) => e.id === "youtube/c23/003")!, 30);
  const weakIndex = entries.findIndex((e) => e.id === "youtube/c23/005");
  all[weakIndex] = syntheticVideo(entries[weakIndex]!, 60);
  const weak = all[weakIndex]!;
  for (let i = 0; i < weak.rows.status.length; i++) if (i % 5 >= 2) weak.rows.status[i] = 1;
  await withDataset(
    async (out) =>
      void (await buildSmallDataset(out, all, {
        failures: [{ id: "youtube/c23/006", path: "original_sequences/youtube/c23/videos/006.mp4", error: "no face in any frame" }],
      })),
    async (out) => {
      const strict = await validateDataset(out);
      const by = (check: string) => errorsOf(strict).filter((f) => f.check === check);
      assert.deepEqual(by("blocks").map((f) => f.video), ["youtube/c23/003"]);
      assert.match(by("blocks")[0]!.message, /30 frames with landmarks, too few for one training block of 30/);
      assert.deepEqual(by("detection").map((f) => f.video), ["youtube/c23/005"]);
      assert.match(by("detection")[0]!.message, /detected in 24 of 60 frames \(40\.0 %\)/);
      assert.equal(by("failures").length, 2, "the failure and the share line");
      assert.equal(strict.figures.failures, 1);

      const relaxed = await validateDataset(out, { maxFailedShare: 0.1, minDetectedShare: 0.4, block: 29 });
      assert.equal(relaxed.ok, true, JSON.stringify(errorsOf(relaxed)));
      assert.equal(relaxed.warnings, 2, "the failure is still reported");
      const expectedBlocks = all.reduce((sum, v) => sum + Math.floor((v.rows.frame.length - 1) / 29), 0);
      assert.equal(relaxed.figures.blocks, expectedBlocks);
    },
  );
});

test("validate: an unlisted Parquet file under data/ and a building manifest fail", async () => {
  await withDataset(
    async (out) => void (await buildSmallDataset(out, videos())),
    async (out) => {
      const manifest = manifestOf(out);
      const stray = manifest.data_files[0]!.path.replace(/part-[0-9a-f]+/, "part-0000000000000000");
      writeFileSync(join(out, stray), readFileSync(join(out, manifest.data_files[0]!.path)));
      writeFileSync(join(out, "manifest.json"), JSON.stringify({ ...manifest, state: "building" }, null, 2));
      const report = await validateDataset(out);
      assert.deepEqual(
        errorsOf(report).map((f) => [f.check, f.file]),
        [
          ["state", "manifest.json"],
          ["files", stray],
        ],
      );
    },
  );
});

test("validate: a missing or schema-invalid manifest stops before the data checks", async () => {
  await withDataset(
    async (out) => void (await buildSmallDataset(out, videos(ffppEntries().slice(0, 2)))),
    async (out) => {
      const manifest = manifestOf(out) as unknown as Record<string, unknown>;
      writeFileSync(join(out, "manifest.json"), JSON.stringify({ ...manifest, format_version: 3 }));
      const invalid = await validateDataset(out);
      assert.equal(invalid.ok, false);
      assert.deepEqual(errorsOf(invalid).map((f) => f.message), ["manifest.json does not match its schema: /format_version: must be equal to one of the allowed values ([1,2])"]);
      assert.ok(invalid.skipped.some((s) => s.name === "files"));
      rmSync(join(out, "manifest.json"));
      const missing = await validateDataset(out);
      assert.match(errorsOf(missing)[0]!.message, /manifest\.json is missing/);
    },
  );
  await assert.rejects(validateDataset(join(tmpdir(), "no-such-lrnet-dataset")), { name: "ValidationInputError", message: /not a directory/ });
  await assert.rejects(validateDataset(tmpdir(), { block: -1 }), { name: "ValidationInputError" });
});

test("validate: data files are hashed as read (sizes and hashes agree with the manifest)", async () => {
  await withDataset(
    async (out) => void (await buildSmallDataset(out, videos(ffppEntries().slice(0, 4)))),
    async (out) => {
      for (const file of manifestOf(out).data_files) {
        const bytes = readFileSync(join(out, file.path));
        assert.equal(statSync(join(out, file.path)).size, file.bytes);
        assert.equal(createHash("sha256").update(bytes).digest("hex"), file.sha256);
      }
      assert.equal((await validateDataset(out)).ok, true);
    },
  );
});
