import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { COMMON_MAPPING, CONTOUR_MAPPING, meshToIbug } from "../src/sources/mesh-to-ibug.js";
import { builtInPointMaps, choosePointMap, mapToIbug, parsePointMap, PointMapError } from "../src/sources/point-maps/point-map.js";
import { repoRoot } from "./helpers/paths.js";

const recorded = JSON.parse(readFileSync(join(repoRoot, "test", "fixtures", "ff_real-frame0-mesh.json"), "utf8")) as { stride: number; points: number[] };

/** A deterministic pseudo-random mesh in 1280x720 pixels (x, y, z per point). */
function randomMesh(seed: number): Float32Array {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  return Float32Array.from({ length: 478 * 3 }, (_, i) => (i % 3 === 2 ? next() : next() * 1280));
}

for (const [file, mapping] of [["mediapipe-contour-v2", CONTOUR_MAPPING], ["mediapipe-common-v1", COMMON_MAPPING]] as const) {
  test(`point map ${file}.json gives the same bits as today's ${mapping.version} code`, () => {
    const map = builtInPointMaps().get(file)!;
    const real = new Float32Array(recorded.points);
    assert.deepEqual(mapToIbug(real, map, recorded.stride), meshToIbug(real, mapping, recorded.stride));
    for (let seed = 1; seed <= 50; seed++) {
      const mesh = randomMesh(seed);
      const fromData = mapToIbug(mesh, map, 3);
      const fromCode = meshToIbug(mesh, mapping, 3);
      assert.ok(fromData.every((v, i) => Object.is(v, fromCode[i])), `seed ${seed}`);
    }
  });
}

test("every built-in map is valid, names its source, and covers the layouts of the issue", () => {
  const maps = builtInPointMaps();
  const counts = new Set([...maps.values()].flatMap((m) => m.counts));
  for (const n of [68, 81, 98, 106, 468, 478]) assert.ok(counts.has(n), `a map for ${n} points`);
  for (const map of maps.values()) assert.ok(map.source.length > 40, `${map.name} says where it comes from`);
});

test("identity, 81 and 98 maps take the points they should", () => {
  const values = Float64Array.from({ length: 2 * 98 }, (_, i) => i);
  const ibug = (name: string, n: number) => mapToIbug(values.subarray(0, 2 * n), builtInPointMaps().get(name)!);
  assert.deepEqual(ibug("ibug-68", 68), values.subarray(0, 136));
  assert.deepEqual(ibug("dlib-81", 81), values.subarray(0, 136), "dlib 81: the first 68 points are iBUG's");
  const wflw = ibug("wflw-98", 98);
  const point = (shape: Float64Array, p: number) => shape[2 * p]! / 2; // source index of iBUG point p
  assert.deepEqual([0, 8, 16, 17, 22, 30, 36, 39, 45, 48, 67].map((p) => point(wflw, p)), [0, 16, 32, 33, 42, 54, 60, 64, 72, 76, 95]);
});

test("choosing a map: by count, --points count/name/file; unknown counts and misfits are one-line errors", () => {
  assert.equal(choosePointMap(478, undefined, "v.npy").name, "mediapipe-contour-v2");
  assert.equal(choosePointMap(468, "mediapipe-common-v1", "v.npy").name, "mediapipe-common-v1");
  assert.equal(choosePointMap(106, "106", "v.npy").name, "insightface-2d106");
  assert.throws(() => choosePointMap(70, undefined, "v.npy"), (e: unknown) => e instanceof PointMapError && /^v\.npy: 70 points per face is not a layout lrnet-data knows/.test(e.message));
  assert.throws(() => choosePointMap(68, "wflw-98", "v.npy"), /v\.npy: 68 points per face, but map wflw-98 is for 98 points/);
  const dir = mkdtempSync(join(tmpdir(), "lrnet-map-"));
  const custom = join(dir, "five.json");
  writeFileSync(custom, JSON.stringify({ name: "five", counts: [5], source: "a test map: every iBUG point is the mean of points 0 and 4", ibug: new Array(68).fill({ from: [0, 4] }) }));
  const map = choosePointMap(5, custom, "v.npy");
  assert.deepEqual(Array.from(mapToIbug([0, 0, 9, 9, 9, 9, 9, 9, 2, 4], map).subarray(0, 2)), [1, 2]);
  assert.throws(() => parsePointMap(JSON.stringify({ name: "x", counts: [5], source: "s", ibug: [1] }), "x.json"), /x\.json: ibug must list 68 entries/);
  assert.throws(() => parsePointMap(JSON.stringify({ name: "x", counts: [5], source: "s", ibug: new Array(68).fill(7) }), "x.json"), /ibug\[0\]: source indices must be whole numbers below 5/);
});
