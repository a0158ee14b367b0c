import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeMovingTextureClip, makeNonVideoFile, truncatedCopy } from "./helpers/synthetic-video.js";
import { makeOpenFaceCsv, type OpenFaceCsvRow } from "./helpers/openface-csv.js";
import { squareShape } from "./helpers/synthetic-shape.js";
import { type CliResult, cli } from "./helpers/cli.js";




/** stderr is exactly one "lrnet-data: …" line, no stack trace. */
function assertOneLineError(result: CliResult, code: number, pattern: RegExp): void {
  assert.equal(result.code, code, `exit code; stderr: ${result.stderr}`);
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line, got:\n${result.stderr}`);
  assert.match(lines[0]!, /^lrnet-data: /);
  assert.match(lines[0]!, pattern);
}

const dir = mkdtempSync(join(tmpdir(), "lrnet-cli-"));
const frames = 8;
const clip = await makeMovingTextureClip({ width: 160, height: 120, frames, fps: 25, offsets: (i) => [i, 0], codec: "ffv1", dir });
const rows: OpenFaceCsvRow[] = Array.from({ length: frames }, (_, i) => ({ frame: i + 1, shape: squareShape(80 + i, 60, 50) }));
const goodCsv = join(dir, "good.csv");
writeFileSync(goodCsv, makeOpenFaceCsv(rows));
const outputsIn = (folder: string) => readdirSync(folder).filter((f) => f.endsWith(".txt") || f.endsWith(".tmp"));

test("calibrate writes one line of 136 values per frame and a one-line summary", async () => {
  const out = join(dir, "good.txt");
  const result = await cli("calibrate", "--video", clip.path, "--openface", goodCsv, "--out", out);
  assert.equal(result.code, 0, result.stderr);
  const lines = readFileSync(out, "utf8").trimEnd().split("\n");
  assert.equal(lines.length, frames);
  for (const line of lines) {
    const values = line.split(" ");
    assert.equal(values.length, 136);
    for (const v of values) assert.match(v, /^-?\d\.\d{5}$/);
  }
  assert.match(result.stderr, /: 8 frames in, 8 rows out, 8 detected, 0 held, 0 rejected, 0 skipped, 0 lost, 0 dropped, [\d.]+ s/);
  const record = JSON.parse(readFileSync(`${out}.json`, "utf8")) as {
    video: { frames: number; decoder: { version: string; source: string } };
    mode: string;
    counts: { rows: number };
  };
  assert.match(record.video.decoder.version, /^ffmpeg version /, "which ffmpeg decoded the video is recorded");
  assert.equal(record.video.frames, frames);
  assert.equal(record.mode, "guarded");
  assert.equal(record.counts.rows, frames);
});

test("--out - writes the same lines to standard output; --parity agrees when no row failed", async () => {
  const file = readFileSync(join(dir, "good.txt"), "utf8");
  const result = await cli("calibrate", "--video", clip.path, "--openface", goodCsv, "--out", "-", "--parity");
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, file);
});

test("default mode skips leading failed rows and holds later ones; parity keeps every row", async () => {
  const failing = rows.map((r, i) => (i === 0 || i === 4 ? { frame: r.frame, success: false } : r));
  const csv = join(dir, "failing.csv");
  writeFileSync(csv, makeOpenFaceCsv(failing));
  const guarded = await cli("calibrate", "--video", clip.path, "--openface", csv, "--out", "-");
  assert.equal(guarded.code, 0, guarded.stderr);
  assert.equal(guarded.stdout.trimEnd().split("\n").length, frames - 1);
  assert.match(guarded.stderr, /8 frames in, 7 rows out, 6 detected, 1 held, 0 rejected, 1 skipped/);
  const parity = await cli("calibrate", "--video", clip.path, "--openface", csv, "--out", "-", "--parity");
  assert.equal(parity.code, 0, parity.stderr);
  assert.equal(parity.stdout.trimEnd().split("\n").length, frames, "the reference emits a row for the failed frames too");
});

test("usage mistakes exit 2 and point to --help", async () => {
  assertOneLineError(await cli("calibrate", "--openface", goodCsv, "--out", "x.txt"), 2, /--video is required \(see lrnet-data --help\)/);
  assertOneLineError(await cli("calibrate", "--video", clip.path, "--bogus"), 2, /Unknown option '--bogus'/);
  assertOneLineError(await cli("frobnicate"), 2, /unknown command "frobnicate"/);
  const help = await cli("calibrate", "--help");
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage:\n  lrnet-data calibrate --video V.mp4 --openface V.csv --out V.txt/);
});

test("bad inputs end with one line naming the file, and leave no output file", async () => {
  const folder = mkdtempSync(join(tmpdir(), "lrnet-cli-bad-"));
  const out = join(folder, "out.txt");
  const missing = join(dir, "nope.mp4");
  assertOneLineError(await cli("calibrate", "--video", missing, "--openface", goodCsv, "--out", out), 1, new RegExp(`video not found: ${missing}`));

  const notVideo = await makeNonVideoFile("fake.mp4", dir);
  assertOneLineError(await cli("calibrate", "--video", notVideo, "--openface", goodCsv, "--out", out), 1, /fake\.mp4: /);

  assertOneLineError(await cli("calibrate", "--video", clip.path, "--openface", join(dir, "none.csv"), "--out", out), 1, /OpenFace CSV not found: .*none\.csv/);

  const nanCsv = join(dir, "nan.csv");
  writeFileSync(nanCsv, makeOpenFaceCsv(rows).replace(/\n(\d+), 0, ([\d.]+), ([\d.]+), 1, [\d.]+/, "\n$1, 0, $2, $3, 1, nan"));
  assertOneLineError(await cli("calibrate", "--video", clip.path, "--openface", nanCsv, "--out", out), 1, /nan\.csv:2: .*x_0/);

  const longCsv = join(dir, "long.csv");
  writeFileSync(longCsv, makeOpenFaceCsv([...rows, { frame: frames + 1, shape: squareShape(90, 60, 50) }]));
  assertOneLineError(await cli("calibrate", "--video", clip.path, "--openface", longCsv, "--out", out), 1, /long\.csv:10: frame 9 is beyond the video's 8 frames/);

  const shortCsv = join(dir, "short.csv");
  writeFileSync(shortCsv, makeOpenFaceCsv(rows.slice(0, 6)));
  assertOneLineError(
    await cli("calibrate", "--video", clip.path, "--openface", shortCsv, "--out", out, "--parity"),
    1,
    /short\.csv: 6 rows but .* has 8 frames; --parity needs one row per frame/,
  );

  const failedCsv = join(dir, "failed.csv");
  writeFileSync(failedCsv, makeOpenFaceCsv(rows.map((r) => ({ frame: r.frame, success: false }))));
  assertOneLineError(await cli("calibrate", "--video", clip.path, "--openface", failedCsv, "--out", out), 1, /failed\.csv: no frame has a successful detection/);

  const cut = await truncatedCopy(clip.path, 0.5, dir);
  // Depending on where the cut falls, the probe already sees fewer frames (then the CSV is too long for the
  // video) or decoding stops early; either way one line says what is wrong.
  assertOneLineError(
    await cli("calibrate", "--video", cut, "--openface", goodCsv, "--out", out),
    1,
    /truncated.*(decoding stopped|cannot read)|good\.csv:\d+: frame \d+ is beyond the video's [1-7] frames/,
  );

  assert.deepEqual(outputsIn(folder), [], "no partial or temporary output file is left behind");
  assert.equal(existsSync(out), false);
});
