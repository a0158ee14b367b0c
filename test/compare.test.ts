import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runComparison } from "../src/compare/run-compare.js";
import { SHAPE_VALUES } from "../src/shape/shape.js";
import { cli } from "./helpers/cli.js";
import { buildSmallDataset, ffppEntries, syntheticVideo, videoFromShapes } from "./helpers/small-dataset.js";

const scratch = () => mkdtempSync(join(tmpdir(), "lrnet-compare-"));

/** The calibrated shapes of a small dataset's video, frame by frame. */
function shapesOf(video: ReturnType<typeof syntheticVideo>): Float64Array[] {
  const n = video.rows.frame.length;
  return Array.from({ length: n }, (_, i) => Float64Array.from(video.rows.landmarks.subarray(i * SHAPE_VALUES, (i + 1) * SHAPE_VALUES)));
}

test("compare: a dataset against itself is 0 everywhere; --json has the documented shape", async () => {
  const dir = scratch();
  const out = join(dir, "a");
  await buildSmallDataset(out, ffppEntries().slice(0, 4).map((e) => syntheticVideo(e)));
  const result = await cli("compare", out, out, "--json");
  assert.equal(result.code, 0, result.stderr);
  const json = JSON.parse(result.stdout) as { summary: Record<string, unknown> & { regions: Record<string, number> }; videos: { id: string; nme: number; regions: Record<string, number> }[] };
  assert.equal(json.summary.videos, 4);
  assert.equal(json.summary.nme_mean, 0);
  assert.equal(json.summary.nme_max, 0);
  assert.deepEqual(Object.keys(json.summary.regions), ["jaw", "brows", "nose", "eyes", "mouth"]);
  assert.ok(Object.values(json.summary.regions).every((v) => v === 0));
  assert.equal(json.videos.length, 4);
  for (const v of json.videos) {
    assert.equal(v.nme, 0, v.id);
    assert.ok(Object.values(v.regions).every((x) => x === 0), v.id);
  }
  assert.deepEqual(json.summary.only_a, []);
});

test("compare: a known shift gives the NME it should, per region; one-sided videos are listed; the page is written", async () => {
  const dir = scratch();
  const entries = ffppEntries().slice(0, 3);
  const base = entries.map((e) => syntheticVideo(e, 40));
  await buildSmallDataset(join(dir, "a"), base);
  // B: the mouth (points 48-67) of the first video moved right by 0.036 (5 % of a 0.72 eye distance is 0.036),
  // the third video absent, a fourth only in B.
  const shifted = shapesOf(base[0]!).map((shape) => {
    const s = Float64Array.from(shape);
    for (let p = 48; p < 68; p++) s[2 * p]! += 0.036;
    return s;
  });
  await buildSmallDataset(join(dir, "b"), [videoFromShapes(entries[0]!, shifted), base[1]!, syntheticVideo(ffppEntries()[5]!, 30)]);
  const html = join(dir, "compare.html");
  const comparison = await runComparison(join(dir, "a"), join(dir, "b"), { html });
  assert.equal(comparison.summary.videos, 2);
  assert.deepEqual(comparison.summary.only_a, [entries[2]!.id]);
  assert.deepEqual(comparison.summary.only_b, [ffppEntries()[5]!.id]);
  const first = comparison.videos.find((v) => v.id === entries[0]!.id)!;
  const second = comparison.videos.find((v) => v.id === entries[1]!.id)!;
  assert.equal(second.nme, 0);
  // Float32 storage rounds the 0.036 shift a little: compare to 1e-5.
  const iod = 0.036 / first.regions!.mouth!;
  assert.ok(first.regions!.mouth! > 0 && first.regions!.jaw === 0 && first.regions!.eyes === 0, JSON.stringify(first.regions));
  assert.ok(Math.abs(first.nme! - (0.036 * 20) / 68 / iod) < 1e-5, `${first.nme}`);
  const page = readFileSync(html, "utf8");
  assert.ok(page.includes("Landmark comparison") && page.includes(entries[0]!.id) && page.includes("<svg"));
  assert.ok(!/<script/i.test(page), "no scripts");
});

test("compare: bad inputs are one line naming the path, exit 1", async () => {
  const dir = scratch();
  const missing = await cli("compare", join(dir, "none"), join(dir, "none2"));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr.trim(), /none: not found$/);
  assert.equal(missing.stderr.trim().split("\n").length, 1);
  const text = join(dir, "bad.txt");
  writeFileSync(text, "1 2 3\n");
  const bad = await cli("compare", text, text);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr.trim(), /bad\.txt:1: expected 136 values, found 3/);
  const usage = await cli("compare", dir);
  assert.equal(usage.code, 2);
});
