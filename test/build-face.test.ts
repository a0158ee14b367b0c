/**
 * `build --face largest|center|N`: passed to every video's job, recorded in the manifest's configuration
 * (so a resumed build with another rule is refused), and a bad rule is a usage error. `--enhance` likewise.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DARK_FRAMES } from "../src/extract/dark-frames.js";
import { MANIFEST_FILE, validateManifest, type Manifest } from "../src/store/manifest.js";
import { shapeCentroid } from "../src/shape/shape.js";
import { cli } from "./helpers/cli.js";
import { NO_FIXTURES, lrnetFixtures } from "./helpers/paths.js";
import { fixtureFaceClips, sideBySide, sideBySideHalfWidth } from "./helpers/placed-face.js";

const FRAMES = 8;

/** The raw points of every frame of the build's one video, in frame order (null where it has none). */
async function rawPoints(out: string): Promise<(number[] | null)[]> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const db = await instance.connect();
  try {
    const reader = await db.runAndReadAll(`SELECT raw::DOUBLE[] AS raw FROM read_parquet('${out}/data/**/*.parquet') ORDER BY frame`);
    return (reader.getRowObjectsJson() as unknown as { raw: number[] | null }[]).map((r) => r.raw);
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

test("build --face with a rule that is none of largest, center, N: usage error, exit 2, one line", async () => {
  const base = mkdtempSync(join(tmpdir(), "lrnet-build-face-"));
  try {
    mkdirSync(join(base, "root", "real"), { recursive: true });
    for (const bad of ["left", "1.5", "", "two"]) {
      const result = await cli("build", "--layout", "folder", "--root", join(base, "root"), "-o", join(base, "out"), "--face", bad);
      assert.equal(result.code, 2, `--face "${bad}": ${result.stderr}`);
      assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
      assert.match(result.stderr, /--face takes largest, center or a whole number N/);
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test("build --face on two faces side by side: --face 0 follows the left face, the default the larger (right) one; the rule and --enhance are in the manifest and a rerun with another is refused", { skip: lrnetFixtures ? false : NO_FIXTURES }, async () => {
  const base = mkdtempSync(join(tmpdir(), "lrnet-build-face-"));
  try {
    const [left, right] = await fixtureFaceClips();
    const root = join(base, "root");
    mkdirSync(join(root, "real"), { recursive: true });
    const height = 360;
    const clip = await sideBySide(left!, right!, height, FRAMES, join(root, "real"));
    const leftWidth = sideBySideHalfWidth(height);
    assert.ok(clip.endsWith(".mkv"));

    const sideOf = async (out: string): Promise<string[]> => {
      const raw = await rawPoints(out);
      assert.equal(raw.length, FRAMES);
      assert.ok(raw.filter((r) => r !== null).length >= FRAMES - 1, `${out}: a face in ${raw.filter((r) => r !== null).length}/${FRAMES} frames`);
      return [...new Set(raw.flatMap((r) => (r === null ? [] : [shapeCentroid(Float64Array.from(r))[0] < leftWidth ? "left" : "right"])))];
    };
    const build = (out: string, ...face: string[]) =>
      cli("build", "--layout", "folder", "--root", root, "-o", out, "--workers", "1", "--progress", "none", "--no-validate", ...face);

    const largest = join(base, "largest");
    const byDefault = await build(largest);
    assert.equal(byDefault.code, 0, byDefault.stderr);
    const first = join(base, "first");
    const leftmost = await build(first, "--face", "0");
    assert.equal(leftmost.code, 0, leftmost.stderr);

    for (const [out, face, side] of [[largest, "largest", "right"], [first, "0", "left"]] as const) {
      const manifest = JSON.parse(readFileSync(join(out, MANIFEST_FILE), "utf8")) as Manifest;
      assert.deepEqual(validateManifest(manifest).errors, []);
      assert.equal(manifest.configuration["face"], face);
      assert.deepEqual(manifest.configuration["dark_frames"], { ...DARK_FRAMES }, "--enhance auto by default");
      assert.deepEqual(await sideOf(out), [side], `--face ${face}`);
    }

    // Resuming the --face 0 output with another rule would mix two faces in one dataset: refused.
    const mixed = await build(first, "--face", "center");
    assert.equal(mixed.code, 1, mixed.stderr);
    assert.match(mixed.stderr, /was built with another configuration \(changed: face\)/);
    const unenhanced = await build(first, "--face", "0", "--enhance", "off");
    assert.equal(unenhanced.code, 1, unenhanced.stderr);
    assert.match(unenhanced.stderr, /was built with another configuration \(changed: dark_frames\)/);
    const same = await build(first, "--face", "0");
    assert.equal(same.code, 0, same.stderr);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
