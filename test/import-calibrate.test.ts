import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readOpenFaceCsv } from "../src/openface/parse-csv.js";
import { encodeNpy } from "../src/sources/import/npy.js";
import { cli, type CliResult } from "./helpers/cli.js";
import { makeOpenFaceCsv, type OpenFaceCsvRow } from "./helpers/openface-csv.js";
import { NO_FIXTURES, lrnetFixtures } from "./helpers/paths.js";
import { squareShape } from "./helpers/synthetic-shape.js";
import { makeMovingTextureClip } from "./helpers/synthetic-video.js";

const dir = mkdtempSync(join(tmpdir(), "lrnet-import-cli-"));

/** 13 points above the brows, as dlib's 81-point model appends them (their values do not matter to the 68). */
function withForehead(shape: Float64Array): Float64Array {
  const out = new Float64Array(81 * 2);
  out.set(shape);
  for (let k = 0; k < 13; k++) {
    out[136 + 2 * k] = shape[2 * (17 + (k % 10))]!;
    out[136 + 2 * k + 1] = shape[2 * (17 + (k % 10)) + 1]! - 40;
  }
  return out;
}

test("calibrate --landmarks: ff_real_mp.csv's points as per-frame .npy (68 and 81 points) and as one per-video .npy give the bytes of --openface", { skip: lrnetFixtures ? false : NO_FIXTURES }, async () => {
  const fixtures = lrnetFixtures!;
  const csv = join(fixtures, "ff_real_mp.csv");
  const video = join(fixtures, "ff_real.mp4");
  const table = await readOpenFaceCsv(csv);
  const frames = 757;
  assert.equal(table.rows.length, frames);
  const dir68 = join(dir, "ff_real_68");
  const dir81 = join(dir, "ff_real_81");
  mkdirSync(dir68);
  mkdirSync(dir81);
  const all = new Float64Array(frames * 136);
  for (const row of table.rows) {
    assert.ok(row.success);
    const index = row.frame - 1;
    writeFileSync(join(dir68, `${String(index).padStart(5, "0")}.npy`), encodeNpy([68, 2], row.shape));
    writeFileSync(join(dir81, `${index}.npy`), encodeNpy([1, 81, 2], withForehead(row.shape), { dtype: "<f8", fortran: index % 2 === 1 }));
    all.set(row.shape, index * 136);
  }
  const perVideo = join(dir, "ff_real.npy");
  writeFileSync(perVideo, encodeNpy([frames, 68, 2], all, { dtype: ">f8" }));

  const reference = await cli("calibrate", "--video", video, "--openface", csv, "--out", join(dir, "openface.txt"));
  assert.equal(reference.code, 0, reference.stderr);
  const expected = readFileSync(join(dir, "openface.txt"));
  assert.equal(expected.toString().trimEnd().split("\n").length, frames);
  for (const [name, path] of [["68", dir68], ["81", dir81], ["video", perVideo]] as const) {
    const out = join(dir, `import-${name}.txt`);
    // In OpenFace's box (imported landmarks default to the exact one), the bytes must be OpenFace's.
    const result = await cli("calibrate", "--video", video, "--landmarks", path, "--out", out, "--box", "lrnet");
    assert.equal(result.code, 0, result.stderr);
    assert.ok(readFileSync(out).equals(expected), `--landmarks ${name}: byte-identical to --openface`);
    const record = JSON.parse(readFileSync(`${out}.json`, "utf8")) as { configuration?: Record<string, unknown>; source?: Record<string, unknown> };
    assert.match(JSON.stringify(record), name === "81" ? /"mapping_version": ?"dlib-81"/ : /"mapping_version": ?"ibug-68"/);
  }
});

/** stderr is exactly one "lrnet-data: …" line. */
function assertOneLine(result: CliResult, pattern: RegExp): void {
  assert.equal(result.code, 1, result.stderr);
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, pattern);
}

test("calibrate --landmarks: jsonl and csv give the bytes of --openface; every bad input is one line naming file and frame, nothing written", async () => {
  const frames = 8;
  const clip = await makeMovingTextureClip({ width: 160, height: 120, frames, fps: 25, offsets: (i) => [i, 0], codec: "ffv1", dir });
  const shapes = Array.from({ length: frames }, (_, i) => squareShape(80 + i, 60, 50));
  const rows: OpenFaceCsvRow[] = shapes.map((shape, i) => ({ frame: i + 1, shape }));
  const csv = join(dir, "clip.csv");
  writeFileSync(csv, makeOpenFaceCsv(rows));
  const reference = await cli("calibrate", "--video", clip.path, "--openface", csv, "--out", "-");
  assert.equal(reference.code, 0, reference.stderr);

  const jsonl = join(dir, "clip.jsonl");
  writeFileSync(jsonl, shapes.map((s, i) => JSON.stringify({ frame: i, points: Array.from(s) })).join("\n") + "\n");
  const plain = join(dir, "clip-plain.csv");
  const header = ["frame", ...Array.from({ length: 68 }, (_, p) => `x${p}`), ...Array.from({ length: 68 }, (_, p) => `y${p}`)];
  writeFileSync(plain, [header.join(","), ...shapes.map((s, i) => [i, ...Array.from({ length: 68 }, (_, p) => s[2 * p]), ...Array.from({ length: 68 }, (_, p) => s[2 * p + 1])].join(","))].join("\n") + "\n");
  for (const path of [jsonl, plain]) {
    const result = await cli("calibrate", "--video", clip.path, "--landmarks", path, "--out", "-", "--box", "lrnet");
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, reference.stdout, path);
  }
  // An OpenFace CSV given to --landmarks is read as with --openface.
  const viaLandmarks = await cli("calibrate", "--video", clip.path, "--landmarks", csv, "--out", "-");
  assert.equal(viaLandmarks.stdout, reference.stdout);

  const bad = (name: string) => {
    const folder = join(dir, name);
    mkdirSync(folder);
    shapes.forEach((s, i) => writeFileSync(join(folder, `${i}.npy`), encodeNpy([68, 2], s)));
    return folder;
  };
  const out = join(dir, "bad.txt");
  const run = (path: string, ...extra: string[]) => cli("calibrate", "--video", clip.path, "--landmarks", path, "--out", out, ...extra);

  assertOneLine(await run(join(dir, "missing")), /missing: not found$/);
  const wrongShape = bad("wrong-shape");
  writeFileSync(join(wrongShape, "3.npy"), encodeNpy([136], shapes[3]!));
  assertOneLine(await run(wrongShape), /wrong-shape\/3\.npy: frame 3: shape \(136\) is not \(P, 2\)/);
  const withNan = bad("nan");
  const holed = Float64Array.from(shapes[5]!);
  holed[21] = Number.NaN;
  writeFileSync(join(withNan, "5.npy"), encodeNpy([68, 2], holed));
  assertOneLine(await run(withNan), /nan\/5\.npy: frame 5: NaN at point 10/);
  const seventy = join(dir, "seventy.npy");
  writeFileSync(seventy, encodeNpy([frames, 70, 2], new Array(frames * 140).fill(5)));
  assertOneLine(await run(seventy), /seventy\.npy: 70 points per face is not a layout lrnet-data knows/);
  const beyond = bad("beyond");
  writeFileSync(join(beyond, "8.npy"), encodeNpy([68, 2], shapes[7]!));
  assertOneLine(await run(beyond), /beyond\/8\.npy: frame 8 is beyond the video's 8 frames/);
  assertOneLine(await run(bad("misfit"), "--points", "wflw-98"), /misfit: 68 points per face, but map wflw-98 is for 98 points/);
  assert.ok(!existsSync(out), "nothing written");
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith("bad.txt")), [], "no temporary file left");
});
