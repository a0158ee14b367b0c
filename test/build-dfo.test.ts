import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MANIFEST_FILE, manifestInconsistencies, validateManifest, type Manifest, type ManifestVideo } from "../src/store/manifest.js";
import { ffppVideos, makeBuildTree, writeTreeVideos } from "./helpers/build-tree.js";
import { cli } from "./helpers/cli.js";
import { DFO_FAKES, makeDfoTree, metaTextToList } from "./helpers/dfo-tree.js";

const base = mkdtempSync(join(tmpdir(), "lrnet-build-dfo-"));
process.once("exit", () => rmSync(base, { recursive: true, force: true }));
const tree = await makeDfoTree(base, { clips: true });
// Clips of 10–13 frames build fast; the build's own validation would fail them for LRNet's 30-frame block, so
// builds skip it and the tests validate with --block 0.
const dfoArgs = ["build", "--layout", "dfo", "--root", tree.dfo, "--openface", tree.openface, "--workers", "1", "--progress", "none", "--no-validate", "--allow-missing"];

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, MANIFEST_FILE), "utf8")) as Manifest;
}

/** The landmark files an export wrote (its hidden ownership marker, .lrnet-data-export.json, left out). */
function filesUnder(dir: string, rel = ""): string[] {
  if (!existsSync(join(dir, rel))) return [];
  return readdirSync(join(dir, rel), { withFileTypes: true })
    .filter((e) => !e.name.startsWith("."))
    .flatMap((e) => (e.isDirectory() ? filesUnder(dir, `${rel}${e.name}/`) : [`${rel}${e.name}`]))
    .sort();
}

function identitySplits(videos: readonly ManifestVideo[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const v of videos) for (const id of v.identities) out.set(id, (out.get(id) ?? new Set()).add(v.split));
  return out;
}

test("build dfo without a real class: one warning line saying how to add one, exit 0; missing entries listed in the manifest", async () => {
  const out = join(base, "fakes-only");
  // --perturbations keeps one fake: a small build with everything discovery says.
  const result = await cli(...dfoArgs, "--perturbations", "CS:4", "-o", out);
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stderr.split("\n");
  assert.ok(
    lines.includes(
      "build: warning: no real video: DeeperForensics-1.0 ships none; add its FaceForensics++ c23 targets with --ffpp-root FFPP (DFO's choice) or its source_videos/ with --dfo-real source (DeepfakeBench's)",
    ),
    result.stderr,
  );
  assert.ok(lines.includes("build: skipped 1 file: 1 unmatched (unmatched: video files no rule of the layout matches, e.g. manipulated_videos/end_to_end/000_M101_copy.mp4)"), result.stderr);
  assert.match(result.stderr, /build: 1 of 5 split-file entries name no video and are left out \(--allow-missing\), e\.g\. .*test\.txt: line 2 \(012_M030\.mp4\)/);
  const manifest = readManifest(out);
  assert.deepEqual(validateManifest(manifest).errors, []);
  assert.deepEqual(manifest.source.split_coverage, { entries: 5, missing: [{ file: join(tree.dfo, "lists/splits/test.txt"), at: "line 2", text: "012_M030.mp4" }] });
  assert.deepEqual(
    manifest.videos.map((v) => [v.id, v.split, v.perturbations]),
    [["end_to_end_random_level/000_M101", "train", [{ type: "CS", level: 4 }]]],
  );
  assert.deepEqual(manifest.source.perturbations, ["CS:4"]);

  const validate = await cli("validate", out, "--block", "0");
  assert.equal(validate.code, 0, validate.stdout + validate.stderr);
  assert.match(validate.stdout, /warn {2}coverage .*\n {10}warning: 4 of 5 split-file entries \(80\.0 %\) name a video that was built from; 1 named none \(built with --allow-missing\), e\.g\. .*test\.txt: line 2 \(012_M030\.mp4\)/);
});

test("build dfo --ffpp-root: FF++ targets are real in their fakes' split, perturbations in the manifest equal the meta lines, readable export names", async () => {
  const out = join(base, "with-ffpp");
  const result = await cli(...dfoArgs, "--ffpp-root", tree.ffpp, "--perturbations", "VC:2,none", "-o", out);
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /no real video/);
  assert.match(result.stderr, /build: skipped 2 files: 1 unpaired, 1 unmatched/);
  const manifest = readManifest(out);
  assert.deepEqual(validateManifest(manifest).errors, []);
  assert.deepEqual(manifestInconsistencies(manifest), []);
  assert.deepEqual(manifest.source.roots, { ffpp: tree.ffpp });

  const reals = manifest.videos.filter((v) => v.label === "real");
  assert.deepEqual(
    reals.map((v) => [v.id, v.split, v.source.root, v.source.path]),
    [
      ["youtube/c23/000", "train", "ffpp", "original_sequences/youtube/c23/videos/000.mp4"],
      ["youtube/c23/001", "test", "ffpp", "original_sequences/youtube/c23/videos/001.mp4"],
      ["youtube/c23/002", "val", "ffpp", "original_sequences/youtube/c23/videos/002.mp4"],
      ["youtube/c23/003", "train", "ffpp", "original_sequences/youtube/c23/videos/003.mp4"],
    ],
  );
  for (const real of reals) {
    const fakes = manifest.videos.filter((v) => v.label === "fake" && v.identities.includes(`youtube:${real.id.slice(-3)}`));
    assert.ok(fakes.length >= 1 && fakes.every((f) => f.split === real.split), `${real.id}: the split of its ${fakes.length} fakes`);
  }
  assert.deepEqual(
    manifest.videos.filter((v) => v.label === "fake").map((v) => v.id),
    [...DFO_FAKES].filter((id) => /^(end_to_end|reenact_postprocess)\//.test(id) || ["end_to_end_mix_2_distortions/000_M101", "end_to_end_random_level/001_W102"].includes(id)).sort(),
    "--perturbations VC:2,none keeps the raw fakes and the two with VC:2",
  );
  for (const [identity, splits] of identitySplits(manifest.videos)) assert.equal(splits.size, 1, `${identity} in ${[...splits].join(", ")}`);
  for (const video of manifest.videos) {
    const variant = video.id.split("/")[0]!;
    const expected = video.label === "real" ? undefined : tree.metaOf.has(video.id) ? metaTextToList(tree.metaOf.get(video.id)!) : [];
    assert.deepEqual(video.perturbations, expected, `${video.id} (${variant})`);
  }

  const validate = await cli("validate", out, "--block", "0");
  assert.equal(validate.code, 0, validate.stdout);
  assert.match(validate.stdout, /\bok\s+leakage\s/);

  const report = await cli("report", out, "-o", join(base, "report.html"));
  assert.equal(report.code, 0, report.stderr);
  const html = readFileSync(join(base, "report.html"), "utf8");
  assert.match(html, /<h2>By perturbation<\/h2>/);
  // One row per perturbation: VC:2 on random_level/001 (test) and mix_2/000 (train), GNC:5 on mix_2/000, none on the 5 raw fakes.
  const row = (name: string, perSplit: Record<string, number>): string =>
    `<tr><th>${name}</th>${Object.keys(manifest.splits).map((s) => `<td>${perSplit[s] ?? 0}</td>`).join("")}<td><b>${Object.values(perSplit).reduce((a, b) => a + b, 0)}</b></td>`;
  assert.ok(html.includes(row("VC:2", { test: 1, train: 1 })), html);
  assert.ok(html.includes(row("GNC:5", { train: 1 })));
  assert.ok(html.includes(row("none", { train: 3, test: 1, val: 1 })));

  const exported = join(base, "export-dfo");
  const exportRun = await cli("export", out, "--format", "lrnet", "-o", exported, "--block", "0");
  assert.equal(exportRun.code, 0, exportRun.stderr);
  const files = filesUnder(exported);
  assert.ok(files.includes("fake/test/end_to_end__001_W102.txt"), files.join("\n"));
  assert.ok(files.includes("fake/test/end_to_end_random_level__001_W102.txt"));
  assert.ok(files.includes("fake/train/end_to_end_mix_2_distortions__000_M101.txt"));
  assert.ok(files.includes("real/val/youtube__c23__002.txt"));
  assert.equal(files.length, manifest.videos.length);
  for (const file of files) assert.match(file, /^(real|fake)\/(train|val|test)\/[A-Za-z0-9_]+\.txt$/, "no percent-encoding");

});

test("build dfo --dfo-real source: source videos are real, each actor in its fakes' split; usage errors are one line", async () => {
  const out = join(base, "with-source");
  const result = await cli(...dfoArgs, "--dfo-real", "source", "--perturbations", "none", "-o", out);
  assert.equal(result.code, 0, result.stderr);
  const manifest = readManifest(out);
  const reals = manifest.videos.filter((v) => v.label === "real");
  assert.deepEqual(
    reals.map((v) => [v.id, v.split]),
    [
      ["source_videos/M030_light_uniform_angry_camera_right", "test"],
      ["source_videos/M101_BlendShape_camera_left", "train"],
      ["source_videos/M101_light_uniform_happy_camera_front", "train"],
      ["source_videos/W030_light_up_sad_camera_down", "val"],
      ["source_videos/W102_light_left_neutral_camera_front", "test"],
    ],
  );
  assert.deepEqual(manifest.source.opt_in, ["source"]);
  for (const [identity, splits] of identitySplits(manifest.videos)) assert.equal(splits.size, 1, `${identity} in ${[...splits].join(", ")}`);

  const bad = await cli(...dfoArgs, "--dfo-real", "youtube", "-o", join(base, "bad"));
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--dfo-real takes source or ffpp, got "youtube"/);
  const noRoot = await cli(...dfoArgs, "--dfo-real", "ffpp", "-o", join(base, "bad"));
  assert.equal(noRoot.code, 2);
  const strict = await cli(...dfoArgs.filter((a) => a !== "--allow-missing"), "-o", join(base, "strict"));
  assert.equal(strict.code, 1);
  assert.match(strict.stderr, /test\.txt: line 2 \(012_M030\.mp4\) names no video found under .*; to build the videos that are there, pass --allow-missing/);
  assert.equal(strict.stderr.trimEnd().split("\n").length, 1, strict.stderr);
});

test("build ffpp partial tree with --allow-missing, masks counted, actors exported apart from the YouTube originals", async () => {
  const { videos, splits } = ffppVideos(2, () => 10);
  splits.test.push(["087", "081"]);
  const ffpp = await makeBuildTree(videos, splits, join(base, "ffpp-partial"));
  await writeTreeVideos(ffpp.root, ffpp.openface, [
    { path: "original_sequences/actors/c23/videos/01__walking.mp4", id: "actors/c23/01__walking", frames: 10, seed: 40 },
    { path: "manipulated_sequences/Deepfakes/masks/videos/000_001.mp4", id: "mask", frames: 3, seed: 41, csv: "none" },
    { path: "manipulated_sequences/Deepfakes/c23/videos/000_001_copy.mp4", id: "copy", frames: 3, seed: 42, csv: "none" },
  ]);
  const out = join(base, "ffpp-partial-out");
  const args = ["build", "--layout", "ffpp", "--root", ffpp.root, "--splits", ffpp.splits, "--openface", ffpp.openface, "--workers", "2", "--progress", "none", "--no-validate", "-o", out];
  const strict = await cli(...args);
  assert.equal(strict.code, 1);
  assert.match(strict.stderr, /test\.json: entry 2 \(\["087","081"\]\) names no video found under .*pass --allow-missing/);
  const result = await cli(...args, "--allow-missing");
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /build: skipped 2 files: 1 masks, 1 unmatched \(unmatched: .* e\.g\. manipulated_sequences\/Deepfakes\/c23\/videos\/000_001_copy\.mp4\)/);
  assert.match(result.stderr, /build: 1 of 3 split-file entries name no video and are left out \(--allow-missing\), e\.g\. .*test\.json: entry 2 \(\["087","081"\]\)/);
  const manifest = readManifest(out);
  assert.deepEqual(manifest.source.split_coverage?.missing, [{ file: join(ffpp.splits, "test.json"), at: "entry 2", text: '["087","081"]' }]);
  assert.equal(manifest.videos.length, 7);

  const exported = join(base, "export-ffpp");
  const exportRun = await cli("export", out, "--format", "lrnet", "-o", exported, "--block", "0");
  assert.equal(exportRun.code, 0, exportRun.stderr);
  assert.deepEqual(filesUnder(exported), [
    "DF/c23/test/002_003.txt",
    "DF/c23/train/000_001.txt",
    "DFD_Origin/c23/test/01__walking.txt",
    "Origin/c23/test/002.txt",
    "Origin/c23/test/003.txt",
    "Origin/c23/train/000.txt",
    "Origin/c23/train/001.txt",
  ]);
});
