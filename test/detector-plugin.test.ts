import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { MANIFEST_FILE, type Manifest } from "../src/store/manifest.js";
import { resolveFfmpeg } from "../src/video/ffmpeg.js";
import { cli, type CliResult } from "./helpers/cli.js";
import { NO_FIXTURES, lrnetFixtures, repoRoot } from "./helpers/paths.js";
import { makeMovingTextureClip } from "./helpers/synthetic-video.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "lrnet-plugin-"));

/** A plugin module written for the test: 68 points that follow the synthetic clip's texture, with a twist. */
function writePlugin(name: string, body: { factory?: string; detect: string }): string {
  const path = join(dir, `${name}.mjs`);
  writeFileSync(
    path,
    `export default async function create() {
  ${body.factory ?? ""}
  return {
    name: "${name}", configuration: { kind: "test" }, points: 68, input: "rgba",
    async open(video) {
      return { detect(index, frame) { ${body.detect} } };
    },
    async close() {},
  };
}
`,
  );
  return path;
}

/** The square face of squareShape(80 + i, 60, 50) as a plain list. */
const SQUARE = `const pts = []; for (let p = 0; p < 68; p++) { const a = (2 * Math.PI * p) / 68; pts.push(80 + index + 25 * Math.cos(a), 60 + 25 * Math.sin(a)); }`;

function assertOneLine(result: CliResult, pattern: RegExp): void {
  assert.equal(result.code, 1, result.stderr);
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, pattern);
}

test("extract --detector ./plugin.mjs: the plugin's points are calibrated; its configuration is recorded", async () => {
  const clip = await makeMovingTextureClip({ width: 160, height: 120, frames: 8, fps: 25, offsets: (i) => [i, 0], codec: "ffv1", dir });
  const good = writePlugin("square", { detect: `${SQUARE} return [{ points: pts, score: 0.9 }];` });
  const out = join(dir, "square.txt");
  const result = await cli("extract", "--video", clip.path, "--detector", good, "--out", out);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(readFileSync(out, "utf8").trimEnd().split("\n").length, 8);
  const record = readFileSync(`${out}.json`, "utf8");
  assert.match(record, /plugin:square/);
  assert.match(record, /"kind": ?"test"/);
});

test("a plugin that throws or returns malformed points: one line naming the plugin, the video and the frame; nothing written", async () => {
  const clip = await makeMovingTextureClip({ width: 160, height: 120, frames: 8, fps: 25, offsets: (i) => [i, 0], codec: "ffv1", dir, name: "clip-bad" });
  const out = join(dir, "bad.txt");
  const cases: [string, { factory?: string; detect: string }, RegExp][] = [
    ["throws-at-load", { factory: `throw new Error("no model here");`, detect: "return [];" }, /throws-at-load\.mjs: its factory threw: no model here$/],
    ["throws-at-3", { detect: `if (index === 3) throw new Error("boom\\nsecond line"); ${SQUARE} return [{ points: pts, score: 1 }];` }, /throws-at-3\.mjs: clip-bad\.mkv: frame 3: detect threw: boom$/],
    ["short", { detect: `${SQUARE} return [{ points: pts.slice(0, 130), score: 1 }];` }, /short\.mjs: clip-bad\.mkv: frame 0: face 0 has 130 values, expected 136 \(68 points\)$/],
    ["nan", { detect: `${SQUARE} if (index === 2) pts[7] = NaN; return [{ points: pts, score: 1 }];` }, /nan\.mjs: clip-bad\.mkv: frame 2: face 0 has NaN at point 3$/],
    ["no-list", { detect: `return { points: [] };` }, /no-list\.mjs: clip-bad\.mkv: frame 0: detect returned object, not a list of faces$/],
  ];
  for (const [name, body, pattern] of cases) {
    const plugin = writePlugin(name, body);
    assertOneLine(await cli("extract", "--video", clip.path, "--detector", plugin, "--out", out), pattern);
    assert.ok(!existsSync(out), `${name}: nothing written`);
  }
  assertOneLine(await cli("extract", "--video", clip.path, "--detector", join(dir, "absent.mjs"), "--out", out), /absent\.mjs: no such file$/);
});

test("build --detector: a plugin that fails on one video fails only that video", async () => {
  const root = join(dir, "tree");
  for (const [label, name] of [["real", "a"], ["real", "b"], ["fake", "bad"]] as const) {
    mkdirSync(join(root, label), { recursive: true });
    await makeMovingTextureClip({ width: 160, height: 120, frames: 34, fps: 25, offsets: (i) => [i, 0], codec: "h264-lossless", dir: join(root, label), name });
  }
  const plugin = writePlugin("picky", { detect: `if (video.path.includes("bad") && index === 5) throw new Error("not this one"); ${SQUARE} return [{ points: pts, score: 1 }];` });
  const out = join(dir, "out-picky");
  const result = await cli("build", "--layout", "folder", "--root", root, "-o", out, "--detector", plugin, "--workers", "2", "--progress", "lines", "--no-validate");
  assert.equal(result.code, 3, result.stderr);
  const manifest = JSON.parse(readFileSync(join(out, MANIFEST_FILE), "utf8")) as Manifest;
  assert.deepEqual(manifest.videos.map((v) => v.id).sort(), ["real/a", "real/b"]);
  assert.equal(manifest.failures.length, 1);
  assert.match(manifest.failures[0]!.error, /picky\.mjs: bad\.mp4: frame 5: detect threw: not this one/);
  assert.equal(manifest.configuration.detector, "plugin:picky");
});

const exampleDir = join(repoRoot, "examples", "face-api-detector");
const exampleInstalled = existsSync(join(exampleDir, "node_modules", "@vladmandic", "face-api"));
const skipExample = !lrnetFixtures ? NO_FIXTURES : !exampleInstalled ? "examples/face-api-detector has no node_modules: run npm ci there (.ci/run does)" : false;

test("the example face-api plugin builds a dataset through the pool; compare against the MediaPipe build prints per-region NME", { skip: skipExample }, async () => {
  const root = join(dir, "ff");
  mkdirSync(join(root, "real"), { recursive: true });
  mkdirSync(join(root, "fake"), { recursive: true });
  const ffmpeg = await resolveFfmpeg();
  for (const [clip, target] of [["ff_real", "real/ff_real.mp4"], ["ff_fake", "fake/ff_fake.mp4"]] as const) {
    await run(ffmpeg.path, ["-nostdin", "-loglevel", "error", "-y", "-i", join(lrnetFixtures!, `${clip}.mp4`), "-frames:v", "12", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "16", "-pix_fmt", "yuv420p", join(root, target)]);
  }
  const faceApi = join(dir, "out-face-api");
  const built = await cli("build", "--layout", "folder", "--root", root, "-o", faceApi, "--detector", join(exampleDir, "detector.mjs"), "--workers", "2", "--progress", "lines", "--no-validate");
  assert.equal(built.code, 0, built.stderr);
  const manifest = JSON.parse(readFileSync(join(faceApi, MANIFEST_FILE), "utf8")) as Manifest;
  assert.equal(manifest.configuration.detector, "plugin:face-api-68");
  assert.equal(manifest.configuration.mapping_version, "ibug-68");
  for (const video of manifest.videos) assert.ok(video.status_counts.detected >= 10, `${video.id}: ${JSON.stringify(video.status_counts)}`);
  const mediapipe = join(dir, "out-mediapipe");
  const reference = await cli("build", "--layout", "folder", "--root", root, "-o", mediapipe, "--workers", "2", "--progress", "lines", "--no-validate");
  assert.equal(reference.code, 0, reference.stderr);
  const compared = await cli("compare", faceApi, mediapipe);
  assert.equal(compared.code, 0, compared.stderr);
  const line = /NME per region: jaw ([\d.]+), brows ([\d.]+), nose ([\d.]+), eyes ([\d.]+), mouth ([\d.]+)/.exec(compared.stdout);
  assert.ok(line, compared.stdout);
  for (const v of line.slice(1).map(Number)) assert.ok(v > 0 && v < 0.5, `a plausible NME between two detectors: ${v}`);
  const json = JSON.parse((await cli("compare", faceApi, mediapipe, "--json")).stdout) as { summary: { videos: number } };
  assert.equal(json.summary.videos, 2);
});
