import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  COMMON_MAPPING,
  CONTOUR_MAPPING,
  IBUG_REGIONS,
  LOWER_FACE_CONTOUR,
  MESH_MAPPINGS,
  type MeshMapping,
  meshToIbug,
} from "../src/sources/mesh-to-ibug.js";
import { POINT_COUNT, type Shape } from "../src/shape/shape.js";
import { repoRoot } from "./helpers/paths.js";

const MESH_POINTS = 478;

/** A mesh whose point i sits at (i, 1000 + 2i), with `stride` values per point (extra values are noise). */
function indexMesh(stride: number): Float32Array {
  const mesh = new Float32Array(MESH_POINTS * stride).fill(-7);
  for (let i = 0; i < MESH_POINTS; i++) {
    mesh[i * stride] = i;
    mesh[i * stride + 1] = 1000 + 2 * i;
  }
  return mesh;
}

/** One real frame's mesh (ff_real frame 0, x y only: stride 2), recorded from MediaPipe into a small fixture. */
const recorded = JSON.parse(readFileSync(join(repoRoot, "test", "fixtures", "ff_real-frame0-mesh.json"), "utf8")) as {
  stride: number;
  points: number[];
};
const recordedMesh = new Float32Array(recorded.points);
const meshX = (i: number) => recordedMesh[i * recorded.stride]!;
const meshY = (i: number) => recordedMesh[i * recorded.stride + 1]!;

const jaw = (shape: Shape) =>
  Array.from({ length: 17 }, (_, p) => ({ x: shape[2 * p]!, y: shape[2 * p + 1]! }));

test("the recorded mesh fixture holds 478 points", () => {
  assert.equal(recorded.stride, 2);
  assert.equal(recordedMesh.length, MESH_POINTS * 2);
  assert.ok(recordedMesh.every(Number.isFinite));
});

test("meshToIbug takes a single-index point from its mesh point, for any stride", () => {
  for (const stride of [3, 2, 5]) {
    const shape = meshToIbug(indexMesh(stride), COMMON_MAPPING, stride);
    assert.equal(shape.length, POINT_COUNT * 2);
    COMMON_MAPPING.points.forEach((point, p) => {
      const i = point.mesh[0]!;
      assert.equal(shape[2 * p], i, `stride ${stride}, x of point ${p}`);
      assert.equal(shape[2 * p + 1], 1000 + 2 * i, `stride ${stride}, y of point ${p}`);
    });
  }
});

test("meshToIbug makes a weighted point as the weighted mean of its mesh points", () => {
  const mapping: MeshMapping = {
    version: "test",
    description: "point 0 a quarter of the way from mesh 10 to mesh 30, point 1 the mean of three, the rest mesh 5",
    points: [
      { mesh: [10, 30], weights: [0.75, 0.25] },
      { mesh: [1, 2, 6], weights: [1 / 3, 1 / 3, 1 / 3] },
      ...Array.from({ length: POINT_COUNT - 2 }, () => ({ mesh: [5], weights: [1] })),
    ],
  };
  const shape = meshToIbug(indexMesh(3), mapping);
  assert.equal(shape[0], 15);
  assert.equal(shape[1], 1030);
  assert.ok(Math.abs(shape[2]! - 3) < 1e-12);
  assert.ok(Math.abs(shape[3]! - 1006) < 1e-12);
  assert.equal(shape[2 * 67], 5);
  assert.equal(shape[2 * 67 + 1], 1010);
});

test("every mapping has 68 points of valid mesh indices whose weights sum to 1", () => {
  assert.ok(Object.keys(MESH_MAPPINGS).length >= 2);
  for (const [key, mapping] of Object.entries(MESH_MAPPINGS)) {
    assert.equal(key, mapping.version, "registered under its own version");
    assert.ok(mapping.description.length > 0, `${key} has a description`);
    assert.equal(mapping.points.length, POINT_COUNT, `${key} has 68 points`);
    mapping.points.forEach((point, p) => {
      const where = `${key} point ${p}`;
      assert.ok(point.mesh.length >= 1, `${where} uses a mesh point`);
      assert.equal(point.weights.length, point.mesh.length, `${where}: one weight per mesh point`);
      for (const i of point.mesh) assert.ok(Number.isInteger(i) && i >= 0 && i < MESH_POINTS, `${where}: index ${i}`);
      assert.equal(new Set(point.mesh).size, point.mesh.length, `${where}: no repeated index`);
      for (const w of point.weights) assert.ok(w > 0 && w <= 1, `${where}: weight ${w}`);
      const sum = point.weights.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-12, `${where}: weights sum to ${sum}`);
    });
  }
});

test("mapping versions are unique and the common table is kept as it was", () => {
  const versions = Object.values(MESH_MAPPINGS).map((m) => m.version);
  assert.equal(new Set(versions).size, versions.length);
  assert.equal(COMMON_MAPPING.version, "common-v1");
  assert.deepEqual(
    COMMON_MAPPING.points.slice(0, 17).map((p) => p.mesh[0]),
    [162, 234, 93, 58, 172, 136, 149, 148, 152, 377, 378, 365, 397, 288, 323, 454, 389],
  );
  assert.ok(COMMON_MAPPING.points.every((p) => p.mesh.length === 1 && p.weights[0] === 1));
});

test("the regions cover the 68 points once, in order", () => {
  const ranges = Object.values(IBUG_REGIONS);
  assert.equal(ranges[0]![0], 0);
  for (let r = 1; r < ranges.length; r++) assert.equal(ranges[r]![0], ranges[r - 1]![1]);
  assert.equal(ranges[ranges.length - 1]![1], POINT_COUNT);
});

test("contour-v2's jaw walks the lower face contour from 127 through the chin (152) to 356", () => {
  const position = (p: number) => {
    const { mesh, weights } = CONTOUR_MAPPING.points[p]!;
    const slots = mesh.map((i) => LOWER_FACE_CONTOUR.indexOf(i as (typeof LOWER_FACE_CONTOUR)[number]));
    assert.ok(slots.every((s) => s >= 0), `jaw point ${p} uses contour vertices only (${mesh.join(", ")})`);
    if (slots.length === 1) return slots[0]!;
    assert.equal(slots.length, 2, `jaw point ${p} lies between two vertices`);
    assert.equal(Math.abs(slots[0]! - slots[1]!), 1, `jaw point ${p}: neighbouring vertices`);
    return slots[0]! * weights[0]! + slots[1]! * weights[1]!;
  };
  const positions = Array.from({ length: 17 }, (_, p) => position(p));
  assert.equal(positions[0], 0);
  assert.equal(positions[8], LOWER_FACE_CONTOUR.indexOf(152));
  assert.equal(positions[16], LOWER_FACE_CONTOUR.length - 1);
  for (let p = 1; p < 17; p++) assert.ok(positions[p]! > positions[p - 1]!, `jaw point ${p} after point ${p - 1}`);
});

/** Where a point lies along a polyline: segment index + fraction, for the nearest point of the polyline. */
function arcPosition(polyline: readonly { x: number; y: number }[], q: { x: number; y: number }): number {
  let best = { distance: Infinity, position: 0 };
  for (let k = 0; k + 1 < polyline.length; k++) {
    const a = polyline[k]!;
    const b = polyline[k + 1]!;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const t = Math.min(1, Math.max(0, ((q.x - a.x) * dx + (q.y - a.y) * dy) / (dx * dx + dy * dy)));
    const distance = Math.hypot(a.x + t * dx - q.x, a.y + t * dy - q.y);
    if (distance < best.distance) best = { distance, position: k + t };
  }
  return best.position;
}

test("on a recorded face, contour-v2's jaw runs in order along the lower contour, left to right, evenly spaced", () => {
  const points = jaw(meshToIbug(recordedMesh, CONTOUR_MAPPING, recorded.stride));
  const contour = LOWER_FACE_CONTOUR.map((i) => ({ x: meshX(i), y: meshY(i) }));
  const positions = points.map((q) => arcPosition(contour, q));
  for (let p = 1; p < 17; p++) assert.ok(positions[p]! > positions[p - 1]!, `jaw point ${p} follows point ${p - 1} on the contour`);
  const chin = points[8]!;
  assert.deepEqual(chin, { x: meshX(152), y: meshY(152) });
  for (let p = 0; p < 8; p++) assert.ok(points[p]!.x < chin.x && points[p]!.y < chin.y, `jaw point ${p} left of and above the chin`);
  for (let p = 9; p < 17; p++) assert.ok(points[p]!.x > chin.x && points[p]!.y < chin.y, `jaw point ${p} right of and above the chin`);
  const gaps = points.slice(1).map((q, p) => Math.hypot(q.x - points[p]!.x, q.y - points[p]!.y));
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  assert.ok(Math.min(...gaps) > 0.7 * mean && Math.max(...gaps) < 1.3 * mean, `gaps ${gaps.map((g) => g.toFixed(1)).join(" ")}`);
});

test("on a recorded face, contour-v2's jaw ends lie between the eye-corner and mouth-corner lines; common-v1's lie above the eyes", () => {
  /** Signed distance below the line through mesh points a and b (image y grows downwards; the face may be tilted). */
  const below = (a: number, b: number, x: number, y: number) => {
    const dx = meshX(b) - meshX(a);
    const dy = meshY(b) - meshY(a);
    return (dx * (y - meshY(a)) - dy * (x - meshX(a))) / Math.hypot(dx, dy);
  };
  const ends = (mapping: MeshMapping) => {
    const shape = meshToIbug(recordedMesh, mapping, recorded.stride);
    return [0, 16].map((p) => ({ x: shape[2 * p]!, y: shape[2 * p + 1]! }));
  };
  for (const { x, y } of ends(CONTOUR_MAPPING)) {
    assert.ok(below(33, 263, x, y) > 0, `contour-v2 jaw end (${x}, ${y}) below the outer eye corners`);
    assert.ok(below(61, 291, x, y) < 0, `contour-v2 jaw end (${x}, ${y}) above the mouth corners`);
  }
  for (const { x, y } of ends(COMMON_MAPPING)) assert.ok(below(33, 263, x, y) < 0, `common-v1 jaw end (${x}, ${y}) above the eyes`);
});
