/**
 * Issue 9: never delete, read or publish what is not ours. Every numbered case of the issue, as it reproduced
 * before the fix, and the rule that replaced it: ownership (marker + journal), confinement of manifest paths to
 * OUT, honest exits for incomplete datasets, one-line write errors without partial output, per-frame
 * presentation times, the exit-code precedence, staging cleanup, the folder walk, a way out of a damaged manifest.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { resolveManifestPath, ConfinementError } from "../src/store/confine.js";
import { decodeDataFile } from "../src/store/data-file.js";
import { StoreError } from "../src/store/errors.js";
import { MANIFEST_FILE, type Manifest } from "../src/store/manifest.js";
import { JOURNAL_FILE, OWNER_FILE } from "../src/store/ownership.js";
import { DatasetStore } from "../src/store/store.js";
import { EXPORT_MARKER } from "../src/export/export-dataset.js";
import { buildExitCode } from "../src/cli/build-command.js";
import { openLineSink } from "../src/cli/line-sink.js";
import { decodeFrames } from "../src/video/decode.js";
import { probeVideo } from "../src/video/probe.js";
import { makeBuildTree, ffppVideos } from "./helpers/build-tree.js";
import { cli, cliWithEnv, faultEnv, type CliResult } from "./helpers/cli.js";
import { makeOpenFaceCsv } from "./helpers/openface-csv.js";
import { NO_FIXTURES, lrnetFixtures } from "./helpers/paths.js";
import { CONFIGURATION, SOURCE, buildSmallDataset, ffppEntries, syntheticVideo } from "./helpers/small-dataset.js";
import { squareShape } from "./helpers/synthetic-shape.js";
import { makeMovingTextureClip, retimeClip } from "./helpers/synthetic-video.js";

const base = mkdtempSync(join(tmpdir(), "lrnet-safety-"));
process.once("exit", () => rmSync(base, { recursive: true, force: true }));
let dirs = 0;
const fresh = (name: string): string => join(base, `${name}-${++dirs}`);

// A FF++ tree of three 40-frame clips (OpenFace CSVs); youtube/c23/000 is re-timed to a variable frame rate:
// frames 0–19 every 1/25 s, then one every 0.2 s (its average rate, 40 frames over 4.8 s, is 8.33 fps).
const FRAMES = 40;
const { videos, splits } = ffppVideos(1, () => FRAMES);
const tree = await makeBuildTree(videos, splits, join(base, "tree"));
const VFR_ID = "youtube/c23/000";
const vfrTimes = await retimeClip(join(tree.root, videos[0]!.path), (i) => (i < 20 ? i : 20 + (i - 20) * 5), FRAMES, 25);
const buildArgs = (out: string, ...more: string[]): string[] => [
  "build", "--layout", "ffpp", "--root", tree.root, "--splits", tree.splits, "--openface", tree.openface, "-o", out, "--workers", "1", "--progress", "none", ...more,
];

/** Every file under `dir` (relative paths) with its bytes, links not followed. */
function snapshot(dir: string, rel = ""): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) for (const [p, b] of snapshot(dir, path)) files.set(p, b);
    else files.set(path, readFileSync(join(dir, path)).toString("base64"));
  }
  return files;
}

/** Files a user might keep anywhere in OUT, including lrnet-data's own kinds of name. */
const FOREIGN = [
  "notes.txt",
  ".hidden",
  "data/mine.parquet",
  "data/train/youtube/c23/part-0123456789abcdef.parquet",
  "data/train/youtube/c23/.part-0123456789abcdef.parquet.tmp-1-deadbeef",
  "data/split=train/method=youtube/compression=c23/part-0123456789abcdef.parquet",
  "data/train/deep/er/still.parquet",
  ".manifest.json.tmp-1-deadbeef",
  "sub/dir/any name.bin",
];

function plantForeign(out: string): Map<string, string> {
  for (const path of FOREIGN) {
    mkdirSync(dirname(join(out, path)), { recursive: true });
    writeFileSync(join(out, path), `the user's own ${path}\n`);
  }
  return new Map(FOREIGN.map((p) => [p, Buffer.from(`the user's own ${p}\n`).toString("base64")]));
}

function assertForeignIntact(out: string, planted: Map<string, string>, after: string): void {
  const now = snapshot(out);
  for (const [path, bytes] of planted) assert.equal(now.get(path), bytes, `${path} survives ${after}`);
}

/** A command's error: one line on stderr, starting "lrnet-data: ", no stack trace. */
function assertOneLine(result: CliResult, code: number, pattern: RegExp): void {
  assert.equal(result.code, code, `exit ${code} expected: ${result.stderr}`);
  const lines = result.stderr.trimEnd().split("\n").filter((l) => l.startsWith("lrnet-data: "));
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
}

function readManifest(out: string): Manifest {
  return JSON.parse(readFileSync(join(out, MANIFEST_FILE), "utf8")) as Manifest;
}

function writeManifest(out: string, manifest: Manifest): void {
  writeFileSync(join(out, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
}

async function smallDataset(): Promise<{ out: string; manifest: Manifest }> {
  const out = fresh("ds");
  const manifest = await buildSmallDataset(out, ffppEntries().map((e) => syntheticVideo(e)));
  return { out, manifest };
}

// ---- The whole-tree build, shared by the cases below --------------------------------------------------

const built = fresh("out");
const first = await cli(...buildArgs(built));

test("build writes its marker and journal; the first build of a tree succeeds", () => {
  assert.equal(first.code, 0, first.stderr);
  assert.ok(existsSync(join(built, OWNER_FILE)));
  const journal = readFileSync(join(built, JOURNAL_FILE), "utf8");
  for (const file of readManifest(built).data_files) assert.match(journal, new RegExp(`^file ${file.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
});

test("case 6: Parquet time_s is each frame's own presentation time (a variable-frame-rate clip)", async () => {
  const manifest = readManifest(built);
  const video = manifest.videos.find((v) => v.id === VFR_ID)!;
  const file = manifest.data_files.find((f) => f.path === video.data.file)!;
  const { columns } = await decodeDataFile(new Uint8Array(readFileSync(join(built, file.path))), { columns: ["video_id", "time_s"] });
  const times = Array.from(columns.timeS!.subarray(video.data.row_start, video.data.row_start + video.data.row_count));
  assert.equal(times.length, FRAMES);
  for (let i = 0; i < FRAMES; i++) assert.ok(Math.abs(times[i]! - vfrTimes[i]!) < 1e-9, `frame ${i}: ${times[i]} s stored, ${vfrTimes[i]} s presented`);
  // Frame 26 is presented at 0.8 + 6 × 0.2 = 2.0 s; frame ÷ average rate would have said 26 / (40 / 4.8) = 3.12 s.
  assert.equal(times[26], 2);
  // The decoder gives the same times to every consumer that asks.
  const info = await probeVideo(join(tree.root, videos[0]!.path));
  const decoded: number[] = [];
  for await (const frame of decodeFrames(info.path, { format: "bgr24", info, timestamps: true })) decoded.push(frame.timeS!);
  assert.deepEqual(decoded, times);
  // A constant-rate clip keeps i / 25.
  const other = manifest.videos.find((v) => v.id === "youtube/c23/001")!;
  const otherFile = manifest.data_files.find((f) => f.path === other.data.file)!;
  const otherColumns = (await decodeDataFile(new Uint8Array(readFileSync(join(built, otherFile.path))), { columns: ["time_s"] })).columns;
  const constant = Array.from(otherColumns.timeS!.subarray(other.data.row_start, other.data.row_start + other.data.row_count));
  constant.forEach((t, i) => assert.ok(Math.abs(t - i / 25) < 1e-9, `frame ${i} of a 25 fps clip at ${t} s`));
});

test("a foreign file planted anywhere in OUT survives every command and flag", async () => {
  const out = fresh("planted");
  cpSync(built, out, { recursive: true });
  const planted = plantForeign(out);

  const resumed = await cli(...buildArgs(out));
  assert.equal(resumed.code, 4, "the unlisted .parquet files under data/ fail the final validation (readers would take them as data)");
  assert.match(resumed.stderr, /left alone \d+ file\(s\) under data\/ that lrnet-data did not write/);
  assertForeignIntact(out, planted, "build (resume)");

  const manifest = readManifest(out);
  writeManifest(out, { ...manifest, configuration: { ...manifest.configuration, decoder: "ffmpeg 0.0-other" }, configuration_fingerprint: "0".repeat(64) });
  const refused = await cli(...buildArgs(out));
  assertOneLine(refused, 1, /another configuration|manifest/);
  const rebuilt = await cli(...buildArgs(out, "--rebuild"));
  assert.match(rebuilt.stderr, /removed the \d+ file\(s\) lrnet-data had written there \(--rebuild\)/);
  assertForeignIntact(out, planted, "build --rebuild");

  assert.equal((await cli("validate", out)).code, 1);
  assert.equal((await cli("validate", out, "--json")).code, 1);
  assertForeignIntact(out, planted, "validate");

  const exported = fresh("export");
  assert.equal((await cli("export", out, "-o", exported)).code, 0);
  assert.equal((await cli("export", out, "-o", exported, "--overwrite", "--block", "0")).code, 0);
  assert.equal((await cli("export", out, "-o", fresh("export"), "--allow-incomplete")).code, 0);
  assertForeignIntact(out, planted, "export");

  assert.equal((await cli("report", out, "-o", join(fresh("report"), "r.html"))).code, 0);
  assert.equal((await cli("report", out, "-o", join(out, "data", "r.html"))).code, 1, "a report may not land among the data files");
  assertForeignIntact(out, planted, "report");

  const merged = fresh("merged");
  const merge = await cli("merge", out, "-o", merged);
  assert.equal(merge.code, 0, merge.stderr);
  assertOneLine(await cli("merge", merged, "-o", out), 1, /the shard|holds a dataset|not empty/);
  assertForeignIntact(out, planted, "merge");

  writeFileSync(join(out, MANIFEST_FILE), readFileSync(join(out, MANIFEST_FILE), "utf8").slice(0, 200));
  assertOneLine(await cli(...buildArgs(out)), 1, /manifest is not valid JSON.*rerun with --rebuild to start over \(it removes only the files lrnet-data recorded writing there\)/);
  const outOfTruncation = await cli(...buildArgs(out, "--rebuild"));
  assert.match(outOfTruncation.stderr, /starting over because its manifest could not be used/);
  assertForeignIntact(out, planted, "build --rebuild of a truncated manifest");
  assert.deepEqual(readManifest(out).failures, []);
  assert.equal(readManifest(out).videos.length, 3, "rebuilt in full");
});

test("case 1: --rebuild removes only lrnet-data's files; an OUT holding or inside an input is refused", async () => {
  const proj = fresh("proj");
  const data = join(proj, "data");
  cpSync(tree.root, data, { recursive: true });
  const before = snapshot(proj);
  // The reported disaster: the output folder above the input videos, with --rebuild.
  for (const out of [proj, join(data, "out"), data]) {
    const result = await cli("build", "--layout", "ffpp", "--root", data, "--splits", tree.splits, "--openface", tree.openface, "-o", out, "--rebuild", "--progress", "none");
    assertOneLine(result, 1, /--out .* (lies inside|is the same as) --root|--root .* lies inside --out/);
  }
  const csvInside = await cli("build", "--layout", "ffpp", "--root", tree.root, "--splits", tree.splits, "--openface", tree.openface, "-o", dirname(tree.openface), "--progress", "none");
  assertOneLine(csvInside, 1, /lies inside --out/);
  const landmarksInside = await cli("build", "--layout", "ffpp", "--root", tree.root, "--splits", tree.splits, "--landmarks", tree.openface, "-o", tree.openface, "--progress", "none");
  assertOneLine(landmarksInside, 1, /--out .* is the same as --landmarks/);
  assert.deepEqual(snapshot(proj), before, "the input videos are untouched");
});

test("case 2: a non-empty folder that is not an lrnet-data output is refused by build and merge; its .parquet files stay", async () => {
  const out = fresh("mine");
  mkdirSync(join(out, "data", "split=train"), { recursive: true });
  writeFileSync(join(out, "data", "split=train", "part-0.parquet"), "PAR1 my own data PAR1");
  writeFileSync(join(out, "data", "results.parquet"), "PAR1 mine too PAR1");
  const before = snapshot(out);
  assertOneLine(await cli(...buildArgs(out)), 1, /not empty and not an lrnet-data output \(no \.lrnet-data-output\.json\)/);
  assertOneLine(await cli(...buildArgs(out, "--rebuild")), 1, /not empty and not an lrnet-data output/);
  const { out: shard } = await smallDataset();
  assertOneLine(await cli("merge", shard, "-o", out), 1, /not empty and not an lrnet-data output.*merge into a new or empty directory/);
  assert.deepEqual(snapshot(out), before);
});

test("an output of an older lrnet-data (manifest, no marker) is adopted: files matching its sha256 become ours, others stay", async () => {
  const { out, manifest } = await smallDataset();
  rmSync(join(out, OWNER_FILE));
  rmSync(join(out, JOURNAL_FILE));
  const altered = manifest.data_files[0]!.path;
  writeFileSync(join(out, altered), "replaced by someone");
  const { store, resume } = await DatasetStore.open(out, { configuration: CONFIGURATION, source: SOURCE, tool: { name: "lrnet-data", version: "0.1.0" } });
  await store.close();
  assert.deepEqual(resume.claim.adopted, manifest.data_files.slice(1).map((f) => f.path));
  assert.equal(readFileSync(join(out, altered), "utf8"), "replaced by someone", "a file whose bytes are not what the manifest recorded is not ours");
  assert.deepEqual(resume.droppedFiles.map((f) => f.path), [altered]);
  assert.deepEqual(resume.foreignFiles, [altered]);
});

test("case 3: export of an unfinished or inconsistent dataset is refused; --allow-incomplete exports and lists what is missing", async () => {
  const { out, manifest } = await smallDataset();
  writeManifest(out, { ...manifest, state: "building" });
  const target = fresh("txt");
  assertOneLine(await cli("export", out, "-o", target), 1, /not a complete dataset: its build has not finished \(manifest state "building", 12 videos committed so far\); .*--allow-incomplete/);
  assert.equal(existsSync(target), false, "nothing written");
  const partial = await cli("export", out, "-o", target, "--allow-incomplete", "--block", "0");
  assert.equal(partial.code, 0, partial.stderr);
  assert.match(partial.stdout, /incomplete dataset \(--allow-incomplete\): its build has not finished/);

  // A video whose data file was edited: before, it was dropped without a word.
  const edited = structuredClone(manifest);
  edited.videos[2]!.data.file = "data/train/youtube/c23/part-ffffffffffffffff.parquet";
  writeManifest(out, edited);
  const target2 = fresh("txt");
  assertOneLine(await cli("export", out, "-o", target2), 1, new RegExp(`not a complete dataset: manifest.json: video ${edited.videos[2]!.id.replaceAll("/", "\\/")}: its data file .* is not in data_files`));
  const listed = await cli("export", out, "-o", target2, "--allow-incomplete", "--block", "0");
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, new RegExp(`left out 1 videos:\\n  ${edited.videos[2]!.id}: its data file data/train/youtube/c23/part-ffffffffffffffff.parquet is not in the manifest's data_files`));
  assert.equal(readdirSync(target2, { recursive: true }).filter((p) => String(p).endsWith(".txt")).length, 11);

  // report: the same rule.
  const page = join(fresh("page"), "r.html");
  assertOneLine(await cli("report", out, "-o", page), 1, /not a complete dataset: .*--allow-incomplete to report what is there/);
  assert.equal(existsSync(page), false);
  const reported = await cli("report", out, "-o", page, "--allow-incomplete");
  assert.equal(reported.code, 0, reported.stderr);
  assert.match(reported.stderr, /report: incomplete dataset \(--allow-incomplete\): manifest.json: video .* is not in data_files/);
  assert.match(readFileSync(page, "utf8"), /This dataset is incomplete/);
});

test("case 4: a manifest path that leaves OUT is refused by every command, naming the field", async () => {
  const { out, manifest } = await smallDataset();
  const edited = structuredClone(manifest);
  edited.videos[3]!.data.file = "../../../etc/passwd";
  writeManifest(out, edited);
  const field = /videos\[3\]\.data\.file "\.\.\/\.\.\/\.\.\/etc\/passwd" climbs out with \.\., outside .*; refused/;
  assertOneLine(await cli("report", out, "-o", join(fresh("page"), "r.html"), "--allow-incomplete"), 1, field);
  assertOneLine(await cli("export", out, "-o", fresh("txt"), "--allow-incomplete"), 1, field);
  assertOneLine(await cli("merge", out, "-o", fresh("m")), 1, field);
  const validated = await cli("validate", out);
  assert.equal(validated.code, 1);
  assert.match(validated.stdout, /videos\[3\]\.data\.file "\.\.\/\.\.\/\.\.\/etc\/passwd" climbs out with \.\./);
  await assert.rejects(DatasetStore.open(out, { configuration: CONFIGURATION, source: SOURCE }), (e: Error) => e instanceof StoreError && field.test(e.message) && /--rebuild/.test(e.message));

  // Through a symbolic link: data/test points at a copy outside OUT.
  const linked = await smallDataset();
  const outside = fresh("outside");
  renameSync(join(linked.out, "data", "test"), outside);
  symlinkSync(outside, join(linked.out, "data", "test"));
  const index = linked.manifest.data_files.findIndex((f) => f.path.startsWith("data/test/"));
  const link = new RegExp(`data_files\\[${index}\\]\\.path "data/test/.*" leads through a symbolic link to ${outside}`);
  assertOneLine(await cli("export", linked.out, "-o", fresh("txt")), 1, link);
  assertOneLine(await cli("merge", linked.out, "-o", fresh("m")), 1, link);
  const checked = await cli("validate", linked.out);
  assert.equal(checked.code, 1);
  assert.match(checked.stdout, link);
  await assert.rejects(DatasetStore.open(linked.out, { configuration: CONFIGURATION, source: SOURCE }), link);
  const worstTest = linked.manifest.videos.filter((v) => v.split === "test").map((v) => v.id);
  assert.ok(worstTest.length > 0);
  assertOneLine(await cli("report", linked.out, "-o", join(fresh("page"), "r.html"), "--worst", "12"), 1, /videos\[\d+\]\.data\.file "data\/test\/.*" leads through a symbolic link/);
});

test("the manifest path resolver: absolute, .., backslash and links out are refused; paths inside are resolved", async () => {
  const { out, manifest } = await smallDataset();
  const inside = manifest.data_files[0]!.path;
  assert.equal(await resolveManifestPath(out, inside, "data_files[0].path"), join(out, inside));
  for (const [path, reason] of [
    ["/etc/passwd", /is absolute/],
    ["data/../../x.parquet", /climbs out with \.\./],
    ["data\\x.parquet", /holds a backslash/],
    ["data//x.parquet", /empty or \. segment/],
    ["", /is empty/],
  ] as const) {
    await assert.rejects(resolveManifestPath(out, path, "videos[7].data.file"), (e: Error) => e instanceof ConfinementError && e.message.includes("videos[7].data.file") && reason.test(e.message));
  }
  symlinkSync("/etc", join(out, "data", "etc"));
  await assert.rejects(resolveManifestPath(out, "data/etc/passwd", "data_files[1].path"), /data_files\[1\]\.path "data\/etc\/passwd" leads through a symbolic link to \/etc\/passwd/);
});

test("case 5: write failures are one line naming the file and the reason, exit 1, nothing partial left", async () => {
  const { out } = await smallDataset();

  // export on a full disk: no target, no hidden staging folder.
  const parent = fresh("full");
  mkdirSync(parent);
  const full = await cliWithEnv(faultEnv({ code: "ENOSPC", under: parent, afterBytes: 20_000 }), "export", out, "-o", join(parent, "txt"), "--block", "0");
  assertOneLine(full, 1, new RegExp(`${parent}/.*: cannot write: no space left on the device \\(disk full\\) \\(ENOSPC\\)`));
  assert.deepEqual(readdirSync(parent), [], "no partial export, no staging folder");

  // report into a read-only folder, and without permission.
  const readOnly = fresh("ro");
  mkdirSync(readOnly);
  assertOneLine(await cliWithEnv(faultEnv({ code: "EROFS", under: readOnly }), "report", out, "-o", join(readOnly, "r.html")), 1, new RegExp(`${readOnly}/r.html: cannot write: read-only file system \\(EROFS\\)`));
  assertOneLine(await cliWithEnv(faultEnv({ code: "EACCES", under: readOnly }), "report", out, "-o", join(readOnly, "r.html")), 1, /r\.html: cannot write: permission denied \(EACCES\)/);
  assert.deepEqual(readdirSync(readOnly), []);

  // merge onto a full disk.
  const mergeParent = fresh("mfull");
  mkdirSync(mergeParent);
  const merged = await cliWithEnv(faultEnv({ code: "ENOSPC", under: mergeParent, afterBytes: 2_000 }), "merge", out, "-o", join(mergeParent, "m"), "--copy");
  assertOneLine(merged, 1, /: cannot (write|place .*): no space left on the device \(disk full\) \(ENOSPC\)/);
  assert.equal(existsSync(join(mergeParent, "m", MANIFEST_FILE)), false, "no manifest: not a dataset");

  // build on a read-only mount used to say "ENOENT … mkdir".
  const roParent = fresh("robuild");
  mkdirSync(roParent);
  const roBuild = await cliWithEnv(faultEnv({ code: "EROFS", under: roParent }), ...buildArgs(join(roParent, "out")));
  assertOneLine(roBuild, 1, new RegExp(`${roParent}/out: cannot create the directory: read-only file system \\(EROFS\\)`));
  assert.doesNotMatch(roBuild.stderr, /ENOENT/);

  // build onto a disk that fills up midway: one line naming the file, no partial data file left.
  const fullBuild = fresh("fullbuild");
  const filled = await cliWithEnv(faultEnv({ code: "ENOSPC", under: fullBuild, afterBytes: 40_000 }), ...buildArgs(fullBuild, "--rows-per-part", "40"));
  assertOneLine(filled, 1, new RegExp(`${fullBuild}/.*: cannot write: no space left on the device \\(disk full\\) \\(ENOSPC\\)`));
  const manifest = readManifest(fullBuild);
  const onDisk = [...snapshot(fullBuild).keys()].filter((p) => p.startsWith("data/"));
  assert.deepEqual(onDisk.sort(), manifest.data_files.map((f) => f.path).sort(), "every data file on disk is complete and listed; no temporary file left");
});

test("case 5: calibrate (and extract) publish the text and its .json together or not at all", async () => {
  const dir = fresh("cal");
  mkdirSync(dir);
  const clip = await makeMovingTextureClip({ width: 160, height: 120, frames: 12, fps: 25, offsets: (i) => [i, 0], codec: "h264-lossless", seed: 3, dir, name: "clip" });
  writeFileSync(join(dir, "clip.csv"), makeOpenFaceCsv(Array.from({ length: 12 }, (_, i) => ({ frame: i + 1, shape: squareShape(70 + i, 60, 44), confidence: 0.95 }))));
  const out = join(dir, "clip.txt");
  const failed = await cliWithEnv(faultEnv({ code: "ENOSPC", under: dir, match: "\\.txt\\.json" }), "calibrate", "--video", clip.path, "--openface", join(dir, "clip.csv"), "--out", out);
  assertOneLine(failed, 1, new RegExp(`${out}.json: cannot write: no space left on the device \\(disk full\\) \\(ENOSPC\\)`));
  assert.deepEqual(readdirSync(dir).sort(), ["clip.csv", "clip.mp4"], "neither clip.txt nor clip.txt.json, no temporary file");
  const ok = await cli("calibrate", "--video", clip.path, "--openface", join(dir, "clip.csv"), "--out", out);
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(existsSync(out) && existsSync(`${out}.json`));
  assertOneLine(await cli("calibrate", "--video", clip.path, "--openface", join(dir, "clip.csv"), "--out", clip.path), 2, /--out .* is the same as --video/);

  // The sink itself: a companion that cannot be written takes the text back.
  const sink = await openLineSink(join(dir, "sink.txt"));
  await sink.writeLine("0.00000 0.00000");
  await assert.rejects(sink.commit({ path: join(dir, "missing-folder", "sink.txt.json"), text: "{}" }), /missing-folder\/sink\.txt\.json: cannot write/);
  assert.equal(existsSync(join(dir, "sink.txt")), false);
});

test("case 5: extract after ENOSPC leaves neither the .txt nor its .json", { skip: lrnetFixtures ? false : NO_FIXTURES }, async () => {
  const dir = fresh("extract");
  mkdirSync(dir);
  const clip = join(dir, "short.mp4");
  const { resolveFfmpeg } = await import("../src/video/ffmpeg.js");
  const ffmpeg = await resolveFfmpeg();
  const cut = spawn(ffmpeg.path, ["-nostdin", "-loglevel", "error", "-i", join(lrnetFixtures!, "000_003.mp4"), "-frames:v", "8", "-c:v", "libx264", "-qp", "0", clip], { stdio: "ignore" });
  await once(cut, "close");
  const out = join(dir, "short.txt");
  const failed = await cliWithEnv(faultEnv({ code: "ENOSPC", under: dir, match: "\\.txt\\.json" }), "extract", "--video", clip, "--out", out);
  assertOneLine(failed, 1, /short\.txt\.json: cannot write: no space left on the device \(disk full\) \(ENOSPC\)/);
  assert.deepEqual(readdirSync(dir), ["short.mp4"]);
});

test("case 7: exit codes when videos failed AND validation failed: 4 (validation first), as the README table says", async () => {
  assert.equal(buildExitCode({ interrupted: false, failures: [] }, null), 0);
  assert.equal(buildExitCode({ interrupted: false, failures: [{ id: "a", path: "a", error: "x" }] }, null), 3);
  assert.equal(buildExitCode({ interrupted: false, failures: [{ id: "a", path: "a", error: "x" }] }, 4), 4);
  assert.equal(buildExitCode({ interrupted: true, failures: [{ id: "a", path: "a", error: "x" }] }, 4), 130);

  // A real build: one video has no CSV (fails), the others are too short for a training block (validation fails).
  const short = ffppVideos(1, () => 10);
  short.videos[2]!.csv = "none";
  const shortTree = await makeBuildTree(short.videos, short.splits, fresh("short"));
  const result = await cli("build", "--layout", "ffpp", "--root", shortTree.root, "--splits", shortTree.splits, "--openface", shortTree.openface, "-o", fresh("o"), "--progress", "none");
  assert.equal(result.code, 4, result.stderr);
  assert.match(result.stderr, /1 failed/);
  assert.match(result.stderr, /too few for one training block/);
});

test("case 7: a killed export's hidden staging folder is removed by the next export; look-alikes stay", async () => {
  const { out } = await smallDataset();
  const parent = fresh("exports");
  mkdirSync(parent);
  // A process that has exited: its pid names the killed export's folder.
  const gone = spawn(process.execPath, ["-e", ""]);
  await once(gone, "close");
  const killed = join(parent, `.txt.export-${gone.pid}-0a1b2c3d`);
  mkdirSync(join(killed, "Origin", "c23", "train"), { recursive: true });
  writeFileSync(join(killed, EXPORT_MARKER), JSON.stringify({ format: "lrnet-data/export", pid: gone.pid }));
  writeFileSync(join(killed, "Origin", "c23", "train", "000.txt"), "half\n");
  const unmarked = join(parent, `.txt.export-${gone.pid}-deadbeef`);
  mkdirSync(unmarked);
  writeFileSync(join(unmarked, "mine"), "not lrnet-data's\n");
  const otherName = join(parent, ".txt.export-mine");
  mkdirSync(otherName);
  const result = await cli("export", out, "-o", join(parent, "txt"), "--block", "0");
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`removed ${killed.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}, left by an interrupted export`));
  assert.deepEqual(readdirSync(parent).sort(), [".txt.export-mine", `.txt.export-${gone.pid}-deadbeef`, "txt"].sort());
});

test("case 7: a truncated manifest.json has a way out: --rebuild removes only the journalled files", async () => {
  const { out, manifest } = await smallDataset();
  const planted = plantForeign(out);
  writeFileSync(join(out, MANIFEST_FILE), readFileSync(join(out, MANIFEST_FILE), "utf8").slice(0, 100));
  const options = { configuration: CONFIGURATION, source: SOURCE, tool: { name: "lrnet-data", version: "0.1.0" } };
  await assert.rejects(DatasetStore.open(out, options), /manifest is not valid JSON .*; rerun with --rebuild to start over/);
  const { store, resume } = await DatasetStore.open(out, { ...options, rebuild: true });
  await store.close();
  assert.equal(resume.rebuilt, true);
  assert.equal(resume.removedOwnFiles, manifest.data_files.length);
  for (const file of manifest.data_files) assert.equal(existsSync(join(out, file.path)), false);
  assertForeignIntact(out, planted, "--rebuild");

  // Without lrnet-data's marker nothing in the folder can be proven ours: refused, even with --rebuild.
  rmSync(join(out, OWNER_FILE));
  writeFileSync(join(out, MANIFEST_FILE), "{ trunc");
  await assert.rejects(DatasetStore.open(out, { ...options, rebuild: true }), /not empty and not an lrnet-data output/);
  assertForeignIntact(out, planted, "a refused --rebuild");
});
