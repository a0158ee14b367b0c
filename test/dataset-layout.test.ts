import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { discoverVideos } from "../src/discover/layout.js";
import { availableLayouts, compileLayout, loadLayout } from "../src/discover/layout-spec.js";
import { LayoutError } from "../src/discover/errors.js";
import { compilePathPattern, directoryMayMatch, matchPathPattern } from "../src/discover/path-pattern.js";
import type { VideoEntry } from "../src/store/types.js";

function tree(files: Record<string, string> | string[]): string {
  const root = mkdtempSync(join(tmpdir(), "lrnet-layout-"));
  const entries = Array.isArray(files) ? files.map((f) => [f, ""] as const) : Object.entries(files);
  for (const [path, content] of entries) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

function byId(videos: VideoEntry[]): Map<string, VideoEntry> {
  return new Map(videos.map((v) => [v.id, v]));
}

/** An FF++-shaped tree: originals 000..003, Deepfakes and Face2Face pairs, masks that must be ignored, actors and DFD. */
function ffppTree(): { root: string; splits: string } {
  const files = [
    ...["000", "001", "002", "003"].map((id) => `original_sequences/youtube/c23/videos/${id}.mp4`),
    "original_sequences/youtube/c40/videos/000.mp4",
    ...["Deepfakes", "Face2Face"].flatMap((m) => ["000_001", "001_000", "002_003", "003_002"].map((p) => `manipulated_sequences/${m}/c23/videos/${p}.mp4`)),
    "manipulated_sequences/Deepfakes/masks/videos/000_001.mp4",
    "original_sequences/actors/c23/videos/01__exit_phone_room.mp4",
    "manipulated_sequences/DeepFakeDetection/c23/videos/01_02__exit_phone_room__YVGY8LOK.mp4",
    "manipulated_sequences/Deepfakes/c23/videos/notes.txt",
  ];
  const root = tree(files);
  const splits = join(root, "splits");
  mkdirSync(splits);
  writeFileSync(join(splits, "train.json"), JSON.stringify([["000", "001"]]));
  writeFileSync(join(splits, "val.json"), JSON.stringify([]));
  writeFileSync(join(splits, "test.json"), JSON.stringify([["003", "002"]]));
  return { root, splits };
}

test("the shipped layouts load and validate", () => {
  assert.deepEqual(availableLayouts(), ["dfo", "ffpp", "folder"]);
  for (const name of availableLayouts()) assert.equal(loadLayout(name).name, name);
});

test("path patterns: captures, regex captures, ** and directory pruning", () => {
  const p = compilePathPattern("manipulated_sequences/{method:Deepfakes|FaceSwap}/{c}/videos/{t:\\d{3}}_{s:\\d{3}}.mp4");
  assert.deepEqual(matchPathPattern(p, "manipulated_sequences/FaceSwap/c23/videos/000_003.mp4"), { method: "FaceSwap", c: "c23", t: "000", s: "003" });
  assert.equal(matchPathPattern(p, "manipulated_sequences/Face2Face/c23/videos/000_003.mp4"), undefined);
  assert.equal(matchPathPattern(p, "manipulated_sequences/FaceSwap/c23/videos/0000_003.mp4"), undefined);
  assert.equal(directoryMayMatch(p, ["manipulated_sequences", "FaceSwap", "masks"]), true, "{c} matches any directory name");
  assert.equal(directoryMayMatch(p, ["manipulated_sequences", "Face2Face"]), false);
  assert.equal(directoryMayMatch(p, ["original_sequences"]), false);
  const deep = compilePathPattern("{label}/**/*");
  assert.deepEqual(matchPathPattern(deep, "fake/a/b/x.mp4"), { label: "fake" });
  assert.deepEqual(matchPathPattern(deep, "real/x.mp4"), { label: "real" });
  assert.equal(matchPathPattern(deep, "x.mp4"), undefined);
  assert.equal(directoryMayMatch(deep, ["fake", "a", "b"]), true);
  assert.throws(() => compilePathPattern("a/{x}/{x}.mp4"), /captures \{x\} twice/);
  assert.throws(() => compilePathPattern("a/**"), /must end with a file name/);
  assert.throws(() => compilePathPattern("a/{x:(b)}.mp4"), /non-capturing/);
});

test("ffpp: ids per method and compression, labels, pairs rule, identities, fixed test split for actors and DFD", async () => {
  const { root, splits } = ffppTree();
  try {
    const result = await discoverVideos(loadLayout("ffpp"), root, { splitsDir: splits });
    const videos = byId(result.videos);
    assert.equal(result.videos.length, 5 + 8 + 2, "masks/ and notes.txt are not videos");
    assert.deepEqual(result.unmatched, []);
    assert.deepEqual(videos.get("youtube/c23/000"), {
      id: "youtube/c23/000",
      path: "original_sequences/youtube/c23/videos/000.mp4",
      label: "real",
      split: "train",
      method: "youtube",
      compression: "c23",
      identities: ["youtube:000"],
    });
    assert.equal(videos.get("youtube/c40/000")?.split, "train", "the same clip at another compression has its own id");
    const fake = videos.get("Deepfakes/c23/001_000")!;
    assert.deepEqual([fake.label, fake.split, fake.method, fake.compression], ["fake", "train", "Deepfakes", "c23"]);
    assert.deepEqual(fake.identities, ["youtube:001", "youtube:000"]);
    assert.equal(videos.get("Face2Face/c23/000_001")?.split, "train", "a_b and b_a of pair [a, b] share its split");
    assert.equal(videos.get("Face2Face/c23/002_003")?.split, "test");
    assert.equal(videos.get("youtube/c23/002")?.split, "test");
    const dfd = videos.get("DeepFakeDetection/c23/01_02__exit_phone_room__YVGY8LOK")!;
    assert.deepEqual([dfd.label, dfd.split, dfd.identities], ["fake", "test", ["actor:01", "actor:02"]]);
    assert.equal(videos.get("actors/c23/01__exit_phone_room")?.label, "real");
    assert.deepEqual(result.videos.map((v) => v.id), [...result.videos.map((v) => v.id)].sort(), "sorted by id");

    const filtered = await discoverVideos(loadLayout("ffpp"), root, {
      splitsDir: splits,
      methods: ["Deepfakes", "youtube"],
      compression: ["c23"],
      splitsOnly: ["train"],
    });
    assert.deepEqual(filtered.videos.map((v) => v.id), [
      "Deepfakes/c23/000_001",
      "Deepfakes/c23/001_000",
      "youtube/c23/000",
      "youtube/c23/001",
    ]);
    assert.equal(filtered.discovered, 15);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("ffpp errors name the file: missing --splits, unknown id in a split file, id in two splits, unlisted video, filters leaving nothing", async () => {
  const { root, splits } = ffppTree();
  const layout = loadLayout("ffpp");
  try {
    await assert.rejects(discoverVideos(layout, root), (e: Error) => e instanceof LayoutError && /--splits DIR/.test(e.message));

    writeFileSync(join(splits, "val.json"), JSON.stringify([["777", "778"]]));
    await assert.rejects(discoverVideos(layout, root, { splitsDir: splits }), (e: Error) => {
      assert.ok(e instanceof LayoutError);
      assert.equal(
        e.message,
        `${join(splits, "val.json")}: entry 1 (["777","778"]) names no video found under ${root}; to build the videos that are there, pass --allow-missing (the missing entries are listed in the manifest)`,
      );
      return true;
    });
    const partial = await discoverVideos(layout, root, { splitsDir: splits, allowMissing: true });
    assert.equal(partial.videos.length, 15);
    assert.deepEqual(partial.missing, [{ file: join(splits, "val.json"), at: "entry 1", text: '["777","778"]' }]);
    assert.equal(partial.splitEntries, 3);
    assert.deepEqual(partial.skipped, { masks: 1, models: 0 }, "the Deepfakes mask is counted as a mask, not listed");

    writeFileSync(join(splits, "val.json"), JSON.stringify([["001", "002"]]));
    await assert.rejects(discoverVideos(layout, root, { splitsDir: splits }), /val\.json: entry 1 puts "001" in val, but .*train\.json \(entry 1\) puts it in train/);

    writeFileSync(join(splits, "val.json"), "[]");
    writeFileSync(join(splits, "test.json"), JSON.stringify([["003", "004"]]));
    await assert.rejects(discoverVideos(layout, root, { splitsDir: splits }), (e: Error) => {
      assert.match(e.message, /Deepfakes\/c23\/videos\/002_003\.mp4: no split for this video: its key "002_003" is in none of .*train\.json/);
      return true;
    });

    writeFileSync(join(splits, "test.json"), JSON.stringify([["003", "002"]]));
    await assert.rejects(discoverVideos(layout, root, { splitsDir: splits, methods: ["Deepfake"] }), (e: Error) => {
      assert.match(e.message, /no video left after filters methods=Deepfake \(found methods DeepFakeDetection, Deepfakes, Face2Face, actors, youtube;/);
      return true;
    });
    writeFileSync(join(splits, "test.json"), "{}");
    await assert.rejects(discoverVideos(layout, root, { splitsDir: splits }), /test\.json: expected a JSON array/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a layout that finds no video is an error naming the root", async () => {
  const root = tree(["somewhere/else.mp4"]);
  try {
    await assert.rejects(discoverVideos(loadLayout("ffpp"), root, { splitsDir: root }), (e: Error) => {
      assert.ok(e instanceof LayoutError);
      assert.match(e.message, new RegExp(`^${root}: layout ffpp found no video \\(looked for original_sequences/youtube/`));
      return true;
    });
    await assert.rejects(discoverVideos(loadLayout("folder"), join(root, "missing")), /missing: dataset root not found/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("dfo: variants as methods, <target>_<actor> identities, splits from lists/splits with file names", async () => {
  const root = tree({
    "manipulated_videos/end_to_end/000_M101.mp4": "",
    "manipulated_videos/end_to_end/001_W102.mp4": "",
    "manipulated_videos/end_to_end_level_3/000_M101.mp4": "",
    "manipulated_videos/end_to_end_level_3/001_W102.mp4": "",
    "lists/splits/train.txt": "000_M101.mp4\n",
    "lists/splits/val.txt": "",
    "lists/splits/test.txt": "001_W102.mp4\n\n",
    "lists/manipulated_videos_distortions_meta/manipulated_videos_end_to_end_level_3_meta.txt":
      "manipulated_videos/end_to_end_level_3/000_M101.mp4 GB:3\nmanipulated_videos/end_to_end_level_3/001_W102.mp4 CS:3\n",
  });
  try {
    const { videos } = await discoverVideos(loadLayout("dfo"), root);
    assert.deepEqual(
      videos.map((v) => [v.id, v.label, v.split, v.method, v.compression, v.identities.join("+")]),
      [
        ["end_to_end/000_M101", "fake", "train", "end_to_end", "none", "youtube:000+dfo-actor:M101"],
        ["end_to_end/001_W102", "fake", "test", "end_to_end", "none", "youtube:001+dfo-actor:W102"],
        ["end_to_end_level_3/000_M101", "fake", "train", "end_to_end_level_3", "none", "youtube:000+dfo-actor:M101"],
        ["end_to_end_level_3/001_W102", "fake", "test", "end_to_end_level_3", "none", "youtube:001+dfo-actor:W102"],
      ],
    );
    writeFileSync(join(root, "lists/splits/val.txt"), "002_M103.mp4\n");
    await assert.rejects(discoverVideos(loadLayout("dfo"), root), (e: Error) => {
      assert.match(e.message, new RegExp(`^${join(root, "lists/splits/val.txt")}: line 1 \\(002_M103\\.mp4\\) names no video found under ${root}; to build the videos that are there, pass --allow-missing`));
      return true;
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("folder: label from the first directory (synonyms), ids from paths, a pattern with splits, and an unknown label", async () => {
  const root = tree(["real/a.mp4", "real/sub/b.MOV", "Manipulated/c.mp4", "fake/readme.txt"]);
  const layout = loadLayout("folder");
  try {
    const { videos } = await discoverVideos(layout, root);
    assert.deepEqual(
      videos.map((v) => [v.id, v.path, v.label, v.split, v.method, v.compression]),
      [
        ["Manipulated/c", "Manipulated/c.mp4", "fake", "train", "folder", "none"],
        ["real/a", "real/a.mp4", "real", "train", "folder", "none"],
        ["real/sub/b", "real/sub/b.MOV", "real", "train", "folder", "none"],
      ],
    );
    writeFileSync(join(root, "misc.mp4"), "");
    mkdirSync(join(root, "other"));
    writeFileSync(join(root, "other", "d.mp4"), "");
    await assert.rejects(discoverVideos(layout, root), (e: Error) => {
      assert.ok(e instanceof LayoutError);
      assert.match(e.message, new RegExp(`^${join(root, "other/d.mp4")}: cannot assign a label: "other" is not a label word \\(real: real, original`));
      return true;
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const split = tree(["train/real/a.mp4", "test/fake/b.mp4", "test/fake/deep/c.mp4"]);
  try {
    const { videos } = await discoverVideos(layout, split, { pattern: "{split}/{label}/**/*" });
    assert.deepEqual(videos.map((v) => [v.id, v.label, v.split]), [
      ["test/fake/b", "fake", "test"],
      ["test/fake/deep/c", "fake", "test"],
      ["train/real/a", "real", "train"],
    ]);
    await assert.rejects(discoverVideos(layout, split, { pattern: "{split}/*" }), /does not capture \{label\}/);
  } finally {
    rmSync(split, { recursive: true, force: true });
  }
});

test("folder with a CSV or JSON list: labels, splits, extra columns, and errors naming the list line", async () => {
  const root = tree({
    "clips/one.mp4": "",
    "clips/two.mp4": "",
    "clips/three.mp4": "",
    "list.csv": "clips/one.mp4,real,train\nclips/two.mp4,1,test\n\"clips/three.mp4\",FAKE\n",
    "named.csv": "label,path,method,identity\nreal,clips/one.mp4,camera,p7\n",
    "list.json": JSON.stringify([{ path: "clips/one.mp4", label: "real", split: "val" }, ["clips/two.mp4", "fake"]]),
    "bad-label.csv": "clips/one.mp4,real\nclips/two.mp4,maybe\n",
    "missing.csv": "clips/one.mp4,real\nclips/nine.mp4,fake\n",
  });
  const layout = loadLayout("folder");
  try {
    const csv = await discoverVideos(layout, root, { list: join(root, "list.csv") });
    assert.deepEqual(csv.videos.map((v) => [v.id, v.label, v.split]), [
      ["clips/one", "real", "train"],
      ["clips/three", "fake", "train"],
      ["clips/two", "fake", "test"],
    ]);
    const named = await discoverVideos(layout, root, { list: join(root, "named.csv") });
    assert.deepEqual(named.videos.map((v) => [v.id, v.method, v.identities]), [["clips/one", "camera", ["p7"]]]);
    const json = await discoverVideos(layout, root, { list: join(root, "list.json") });
    assert.deepEqual(json.videos.map((v) => [v.id, v.label, v.split]), [
      ["clips/one", "real", "val"],
      ["clips/two", "fake", "train"],
    ]);
    await assert.rejects(discoverVideos(layout, root, { list: join(root, "bad-label.csv") }), (e: Error) => {
      assert.match(e.message, new RegExp(`^${join(root, "bad-label.csv")} line 2: cannot assign a label: "maybe" is not a label word`));
      return true;
    });
    await assert.rejects(
      discoverVideos(layout, root, { list: join(root, "missing.csv") }),
      new RegExp(`missing\\.csv: line 2 names clips/nine\\.mp4, which is not a file under`),
    );
    await assert.rejects(discoverVideos(loadLayout("ffpp"), root, { list: join(root, "list.csv") }), /layout ffpp does not take a video list/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("duplicate ids, bad partition values and malformed layouts are errors", async () => {
  const root = tree(["real/a.mp4", "real/a.avi", "real/x y/c.mp4"]);
  try {
    await assert.rejects(discoverVideos(loadLayout("folder"), root), /real\/a\.mp4: video id "real\/a" is also the id of .*real\/a\.avi/);
    const layout = compileLayout(
      { name: "t", description: "", sources: [{ pattern: "{label}/{m}/*", id: "{path}", label: "{label}", split: "train", method: "{m}", compression: "none" }] },
      "t.json",
    );
    await assert.rejects(discoverVideos(layout, root), /real\/x y\/c\.mp4: method "x y" cannot name a partition \(a letter/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const numeric = tree(["1/real/a.mp4"]);
  try {
    await assert.rejects(
      discoverVideos(loadLayout("folder"), numeric, { pattern: "{split}/{label}/**/*" }),
      new RegExp(`^LayoutError: ${join(numeric, "1/real/a.mp4")}: split "1" cannot name a partition`),
    );
  } finally {
    rmSync(numeric, { recursive: true, force: true });
  }
  assert.throws(() => compileLayout({ name: "t", description: "", sources: [] }, "t.json"), /t\.json: not a valid layout: \/sources: must NOT have fewer than 1 items/);
  assert.throws(
    () => compileLayout({ name: "t", description: "", sources: [{ pattern: "*.mp4", id: "{nope}", label: "real", split: "a", method: "m", compression: "c" }] }, "t.json"),
    /t\.json: sources\[0\]\.id uses \{nope\}, which the pattern does not capture/,
  );
  assert.throws(
    () => compileLayout({ name: "t", description: "", sources: [{ pattern: "*.mp4", id: "{stem}", label: "real", method: "m", compression: "c" }] }, "t.json"),
    /no split and the layout declares no split files/,
  );
  assert.throws(() => loadLayout("nope"), /unknown layout "nope" \(known: dfo, ffpp, folder\)/);
});

test("symbolic links to clips are followed; linked directories that lead outside the root are not walked", async () => {
  const target = tree(["clip.mp4"]);
  const root = tree([]);
  try {
    mkdirSync(join(root, "real"));
    symlinkSync(join(target, "clip.mp4"), join(root, "real", "linked.mp4"));
    symlinkSync(target, join(root, "fake"));
    const { videos, linksOutsideRoot } = await discoverVideos(loadLayout("folder"), root);
    assert.deepEqual(videos.map((v) => [v.id, v.label]), [["real/linked", "real"]]);
    assert.deepEqual(linksOutsideRoot, ["fake"], "the linked folder outside --root is reported, not walked");
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(target, { recursive: true, force: true });
  }
});
