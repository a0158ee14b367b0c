import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { discoverVideos } from "../src/discover/layout.js";
import { compileLayout, loadLayout } from "../src/discover/layout-spec.js";
import { LayoutError } from "../src/discover/errors.js";
import { parsePerturbationFilter } from "../src/discover/perturbations.js";
import type { VideoEntry } from "../src/store/types.js";
import { discoveryLines } from "../src/cli/discovery-lines.js";
import { DFO_FAKES, DFO_SPLIT_OF_KEY, DFO_VARIANTS, makeDfoTree, metaTextToList } from "./helpers/dfo-tree.js";

function withTree(run: (tree: Awaited<ReturnType<typeof makeDfoTree>>) => Promise<void>): () => Promise<void> {
  return async () => {
    const base = mkdtempSync(join(tmpdir(), "lrnet-dfo-"));
    try {
      await run(await makeDfoTree(base));
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  };
}

/** Identity → the splits of the videos that show it. */
function splitsByIdentity(videos: readonly VideoEntry[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const v of videos) for (const id of v.identities) out.set(id, (out.get(id) ?? new Set()).add(v.split));
  return out;
}

function assertNoIdentityAcrossSplits(videos: readonly VideoEntry[]): void {
  for (const [identity, splits] of splitsByIdentity(videos)) assert.equal(splits.size, 1, `${identity} is in ${[...splits].join(", ")}`);
}

test(
  "dfo: a split entry naming no video is an error that says how to build the rest; --allow-missing lists it",
  withTree(async ({ dfo }) => {
    const layout = loadLayout("dfo");
    await assert.rejects(discoverVideos(layout, dfo), (e: Error) => {
      assert.ok(e instanceof LayoutError);
      assert.equal(
        e.message,
        `${join(dfo, "lists/splits/test.txt")}: line 2 (012_M030.mp4) names no video found under ${dfo}; to build the videos that are there, pass --allow-missing (the missing entries are listed in the manifest)`,
      );
      return true;
    });
    const found = await discoverVideos(layout, dfo, { allowMissing: true });
    assert.deepEqual(found.missing, [{ file: join(dfo, "lists/splits/test.txt"), at: "line 2", text: "012_M030.mp4" }]);
    assert.equal(found.splitEntries, 5);
    assert.deepEqual(found.videos.map((v) => v.id).sort(), [...DFO_FAKES].sort(), "every fake of the 11 variants, and nothing else");
    assert.deepEqual(new Set(found.videos.map((v) => v.method)), new Set(DFO_VARIANTS));
    for (const v of found.videos) {
      assert.equal(v.label, "fake");
      assert.equal(v.split, DFO_SPLIT_OF_KEY[v.id.split("/")[1]!], `${v.id}: split from the CRLF lists`);
    }
    assert.deepEqual(found.unmatched, ["manipulated_videos/end_to_end/000_M101_copy.mp4"], "the stray copy is not a video of the dataset");
    assert.match(found.noRealClass ?? "", /^no real video: DeeperForensics-1\.0 ships none; add .*--ffpp-root FFPP .*--dfo-real source/);
    assert.deepEqual(discoveryLines({ ...found, unmatched: found.unmatched }), [
      "build: skipped 1 file: 1 unmatched (unmatched: video files no rule of the layout matches, e.g. manipulated_videos/end_to_end/000_M101_copy.mp4)",
      `build: 1 of 5 split-file entries name no video and are left out (--allow-missing), e.g. ${join(dfo, "lists/splits/test.txt")}: line 2 (012_M030.mp4); manifest.json lists them all (source.split_coverage)`,
      `build: warning: ${found.noRealClass}`,
    ]);
  }),
);

test(
  "dfo --ffpp-root: the FF++ c23 target of each fake found is real, in its fakes' split, identity youtube:<target>",
  withTree(async ({ dfo, ffpp }) => {
    const found = await discoverVideos(loadLayout("dfo"), dfo, { allowMissing: true, roots: { ffpp } });
    const reals = found.videos.filter((v) => v.label === "real");
    assert.deepEqual(
      reals.map((v) => [v.id, v.split, v.root, v.path, v.identities.join("+"), v.method, v.compression]),
      [
        ["youtube/c23/000", "train", "ffpp", "original_sequences/youtube/c23/videos/000.mp4", "youtube:000", "youtube", "c23"],
        ["youtube/c23/001", "test", "ffpp", "original_sequences/youtube/c23/videos/001.mp4", "youtube:001", "youtube", "c23"],
        ["youtube/c23/002", "val", "ffpp", "original_sequences/youtube/c23/videos/002.mp4", "youtube:002", "youtube", "c23"],
        ["youtube/c23/003", "train", "ffpp", "original_sequences/youtube/c23/videos/003.mp4", "youtube:003", "youtube", "c23"],
      ],
    );
    for (const real of reals) {
      const fakes = found.videos.filter((v) => v.label === "fake" && v.identities.includes(real.identities[0]!));
      assert.ok(fakes.length > 0);
      assert.ok(fakes.every((f) => f.split === real.split), `${real.id} is in the split of its fakes`);
      assert.equal(real.perturbations, undefined, "reals carry no perturbation record");
    }
    assert.equal(found.skipped["unpaired"], 1, "012's fake is missing, so its target is left out");
    assert.equal(found.noRealClass, undefined);
    assertNoIdentityAcrossSplits(found.videos);
  }),
);

test(
  "dfo --dfo-real source: source_videos are real, each actor in the split of its fakes, no identity across splits",
  withTree(async ({ dfo }) => {
    const found = await discoverVideos(loadLayout("dfo"), dfo, { allowMissing: true, optIn: ["source"] });
    const reals = found.videos.filter((v) => v.label === "real");
    assert.deepEqual(
      reals.map((v) => [v.id, v.split, v.identities.join("+"), v.method]),
      [
        ["source_videos/M030_light_uniform_angry_camera_right", "test", "dfo-actor:M030", "source_videos"],
        ["source_videos/M101_BlendShape_camera_left", "train", "dfo-actor:M101", "source_videos"],
        ["source_videos/M101_light_uniform_happy_camera_front", "train", "dfo-actor:M101", "source_videos"],
        ["source_videos/W030_light_up_sad_camera_down", "val", "dfo-actor:W030", "source_videos"],
        ["source_videos/W102_light_left_neutral_camera_front", "test", "dfo-actor:W102", "source_videos"],
      ],
      "M030 has no fake in the tree but the lists put its fake (012_M030) in test",
    );
    assertNoIdentityAcrossSplits(found.videos);

    await assert.rejects(discoverVideos(loadLayout("dfo"), dfo, { allowMissing: true, optIn: ["youtube"] }), /layout dfo has no rule to opt in by "youtube" \(it has: source\)/);
    await assert.rejects(discoverVideos(loadLayout("ffpp"), dfo, { roots: { ffpp: dfo } }), /layout ffpp reads no further root "ffpp"/);

    // An actor whose fakes the lists put in two splits has no single split for its source videos.
    writeFileSync(join(dfo, "lists/splits/val.txt"), "002_W030.mp4\n004_M101.mp4\n");
    await assert.rejects(discoverVideos(loadLayout("dfo"), dfo, { allowMissing: true, optIn: ["source"] }), (e: Error) => {
      assert.match(e.message, /M101_.*\.mp4: dfo-actor:M101 is in two splits \(train: .*train\.txt line 1; val: .*val\.txt line 2\), so this video has no single split/);
      return true;
    });
  }),
);

test(
  "dfo perturbations: each fake's {type, level} list equals its meta line; raw variants have none; --perturbations filters",
  withTree(async ({ dfo, ffpp, metaOf }) => {
    const found = await discoverVideos(loadLayout("dfo"), dfo, { allowMissing: true, roots: { ffpp } });
    assert.deepEqual(found.warnings, []);
    let perturbed = 0;
    for (const v of found.videos.filter((x) => x.label === "fake")) {
      const variant = v.id.split("/")[0]!;
      if (variant === "end_to_end" || variant === "reenact_postprocess") assert.deepEqual(v.perturbations, [], v.id);
      else {
        assert.deepEqual(v.perturbations, metaTextToList(metaOf.get(v.id)!), v.id);
        perturbed++;
      }
    }
    assert.equal(perturbed, metaOf.size, "every meta line is some video's");
    assert.deepEqual(found.videos.find((v) => v.id === "end_to_end_mix_2_distortions/000_M101")?.perturbations, [
      { type: "VC", level: 2 },
      { type: "GNC", level: 5 },
    ]);

    const only = async (terms: string[]): Promise<string[]> =>
      (await discoverVideos(loadLayout("dfo"), dfo, { allowMissing: true, roots: { ffpp }, perturbations: parsePerturbationFilter(terms) })).videos
        .filter((v) => v.label === "fake")
        .map((v) => `${v.id} ${v.perturbations!.map((p) => `${p.type}:${p.level}`).join(" ")}`.trim());
    assert.deepEqual(await only(["CS:4"]), ["end_to_end_random_level/000_M101 CS:4"]);
    assert.deepEqual(await only(["VC"]), [
      "end_to_end_level_3/003_M101 VC:3",
      "end_to_end_mix_2_distortions/000_M101 VC:2 GNC:5",
      "end_to_end_mix_2_distortions/003_M101 BW:1 VC:3",
      "end_to_end_mix_3_distortions/000_M101 CS:1 VC:4 BW:2",
      "end_to_end_random_level/001_W102 VC:2",
    ]);
    assert.deepEqual(await only(["VC:2", "GB:1"]), [
      "end_to_end_mix_2_distortions/000_M101 VC:2 GNC:5",
      "end_to_end_random_level/001_W102 VC:2",
      "end_to_end_random_level/002_W030 GB:1",
    ]);
    assert.deepEqual(await only(["none"]), ["end_to_end/000_M101", "end_to_end/001_W102", "end_to_end/002_W030", "end_to_end/003_M101", "reenact_postprocess/000_M101"]);
    const withReals = await discoverVideos(loadLayout("dfo"), dfo, { allowMissing: true, roots: { ffpp }, perturbations: parsePerturbationFilter(["CS:4"]) });
    assert.equal(withReals.videos.filter((v) => v.label === "real").length, 4, "reals have no record and stay");
    assert.throws(() => parsePerturbationFilter(["CS:x"]), /"CS:x" is not a perturbation/);
    await assert.rejects(
      discoverVideos(loadLayout("folder"), dfo, { perturbations: parsePerturbationFilter(["CS"]) }),
      /layout folder records no perturbations, so --perturbations cannot select any/,
    );

    // A meta line that contradicts its folder (level 3 folder, level 2 line) is a warning naming the line.
    const meta = join(dfo, "lists/manipulated_videos_distortions_meta/manipulated_videos_end_to_end_level_3_meta.txt");
    writeFileSync(meta, "manipulated_videos/end_to_end_level_3/000_M101.mp4 GB:2\nmanipulated_videos/end_to_end_level_3/001_W102.mp4 CS:3\n");
    await assert.rejects(discoverVideos(loadLayout("dfo"), dfo, { allowMissing: true }), (e: Error) => {
      assert.match(e.message, /end_to_end_level_3\/002_W030\.mp4: .*manipulated_videos_end_to_end_level_3_meta\.txt has no line for 002_W030, so its perturbations are unknown/);
      return true;
    });
    writeFileSync(meta, "manipulated_videos/end_to_end_level_3/000_M101.mp4 GB:2\r\n001_W102.mp4 CS:3\r\nx/002_W030.mp4 VC:3\r\nend_to_end_level_3/003_M101.mp4 JPEG:3\r\n");
    const warned = await discoverVideos(loadLayout("dfo"), dfo, { allowMissing: true });
    assert.deepEqual(warned.warnings, [`${meta}: line 1 (manipulated_videos/end_to_end_level_3/000_M101.mp4 GB:2): level other than 3, which the folder of manipulated_videos/end_to_end_level_3/000_M101.mp4 implies`]);
    writeFileSync(meta, "a.mp4 GB:three\n");
    await assert.rejects(discoverVideos(loadLayout("dfo"), dfo, { allowMissing: true }), /manipulated_videos_end_to_end_level_3_meta\.txt: line 1: "GB:three" is not TYPE:LEVEL/);
  }),
);

test("layouts: a rule may not read an undeclared root or take splitOfIdentity without keyIdentities", () => {
  const base = {
    name: "x",
    description: "x",
    sources: [{ pattern: "{label}/*.mp4", id: "{stem}", label: "{label}", method: "m", compression: "none", split: "train", root: "other" }],
  };
  assert.throws(() => compileLayout(base, "x.json"), /x\.json: sources\[0\] reads root "other", which the layout's roots do not declare/);
  const noKeys = {
    ...base,
    sources: [{ pattern: "{label}/*.mp4", id: "{stem}", label: "{label}", method: "m", compression: "none", splitOfIdentity: "p:{stem}" }],
    splits: { format: "lines", files: { train: "train.txt" } },
  };
  assert.throws(() => compileLayout(noKeys, "x.json"), /splitOfIdentity, but the layout's splits declare no keyIdentities/);
});
