import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { MANIFEST_FILE, type Manifest } from "../src/store/manifest.js";
import { encodeNpy } from "../src/sources/import/npy.js";
import { readBack } from "./helpers/build-tree.js";
import { cli } from "./helpers/cli.js";
import { makeOpenFaceCsv } from "./helpers/openface-csv.js";
import { squareShape } from "./helpers/synthetic-shape.js";
import { makeMovingTextureClip } from "./helpers/synthetic-video.js";

const base = mkdtempSync(join(tmpdir(), "lrnet-import-build-"));
process.once("exit", () => rmSync(base, { recursive: true, force: true }));

/** A folder dataset: real/a, real/b, fake/c, fake/d (34 frames each, moving texture) with one landmark track each. */
const root = join(base, "videos");
const ids = ["real/a", "real/b", "fake/c", "fake/d"];
const FRAMES = 34;
const tracks = new Map<string, { shape: Float64Array; score: number }[]>();
for (const [k, id] of ids.entries()) {
  mkdirSync(join(root, dirname(id)), { recursive: true });
  const speed = 1 + (k % 3);
  await makeMovingTextureClip({ width: 160, height: 120, frames: FRAMES, fps: 25, offsets: (i) => [i * speed, i % 2], codec: "h264-lossless", seed: k + 3, dir: join(root, dirname(id)), name: id.split("/")[1]! });
  tracks.set(id, Array.from({ length: FRAMES }, (_, i) => ({ shape: squareShape(70 + i * speed, 60 + (i % 2), 44 + k), score: 0.9 + k / 100 })));
}
const openface = join(base, "openface");
const jsonl = join(base, "jsonl");
const npy = join(base, "npy");
for (const [id, track] of tracks) {
  for (const dir of [openface, jsonl, npy]) mkdirSync(join(dir, dirname(id)), { recursive: true });
  writeFileSync(join(openface, `${id}.csv`), makeOpenFaceCsv(track.map((t, i) => ({ frame: i + 1, shape: t.shape, confidence: t.score }))));
  writeFileSync(join(jsonl, `${id}.jsonl`), track.map((t, i) => JSON.stringify({ frame: i, points: Array.from(t.shape), score: t.score })).join("\n") + "\n");
  mkdirSync(join(npy, id));
  track.forEach((t, i) => writeFileSync(join(npy, id, `${String(i).padStart(3, "0")}.npy`), encodeNpy([68, 2], t.shape, { dtype: "<f8" })));
}
const build = (out: string, ...source: string[]) =>
  cli("build", "--layout", "folder", "--root", root, "-o", join(base, "out", out), "--workers", "2", "--progress", "none", ...source);

test("build --landmarks gives the rows of build --openface with the same points (jsonl: every column; npy-frames: all but the score)", async () => {
  const reference = await build("openface", "--openface", openface);
  assert.equal(reference.code, 0, reference.stderr);
  // The same box as OpenFace's (imported landmarks default to the exact box): the rows must then be equal.
  const fromJsonl = await build("jsonl", "--landmarks", jsonl, "--box", "lrnet");
  assert.equal(fromJsonl.code, 0, fromJsonl.stderr);
  const fromNpy = await build("npy", "--landmarks", npy, "--box", "lrnet");
  assert.equal(fromNpy.code, 0, fromNpy.stderr);
  const expected = await readBack(join(base, "out", "openface"));
  assert.equal(expected.length, 4);
  assert.deepEqual(await readBack(join(base, "out", "jsonl")), expected);
  const npyRows = await readBack(join(base, "out", "npy"));
  assert.deepEqual(npyRows.map(({ scores: _, ...rest }) => rest), expected.map(({ scores: _, ...rest }) => rest));
  const manifest = JSON.parse(readFileSync(join(base, "out", "npy", MANIFEST_FILE), "utf8")) as Manifest;
  assert.equal(manifest.configuration.detector, "import");
  assert.equal(manifest.configuration.mapping_version, "ibug-68");
  assert.equal(manifest.configuration["landmark_format"], "auto");
});

test("build --landmarks: a video whose landmarks are bad or missing fails alone, with one line naming the file and frame", async () => {
  const broken = join(base, "broken");
  mkdirSync(broken);
  for (const id of ids) {
    mkdirSync(join(broken, id), { recursive: true });
    tracks.get(id)!.forEach((t, i) => writeFileSync(join(broken, id, `${i}.npy`), encodeNpy([68, 2], t.shape)));
  }
  const holed = Float64Array.from(tracks.get("real/b")![7]!.shape);
  holed[9] = Number.NaN;
  writeFileSync(join(broken, "real/b", "7.npy"), encodeNpy([68, 2], holed));
  writeFileSync(join(broken, "fake/c", "40.npy"), encodeNpy([68, 2], tracks.get("fake/c")![0]!.shape));
  rmSync(join(broken, "fake/d"), { recursive: true });
  const result = await build("broken-out", "--landmarks", broken, "--no-validate");
  assert.equal(result.code, 3, result.stderr);
  const manifest = JSON.parse(readFileSync(join(base, "out", "broken-out", MANIFEST_FILE), "utf8")) as Manifest;
  assert.deepEqual(manifest.videos.map((v) => v.id), ["real/a"]);
  const errors = Object.fromEntries(manifest.failures.map((f) => [f.id, f.error]));
  assert.match(errors["real/b"]!, /real\/b\/7\.npy: frame 7: NaN at point 4/);
  assert.match(errors["fake/c"]!, /fake\/c\/40\.npy: frame 40 is beyond the video's 34 frames/);
  assert.match(errors["fake/d"]!, /no landmarks for it in the --landmarks directory/);
  for (const error of Object.values(errors)) assert.ok(!error.includes("\n"), error);
});
