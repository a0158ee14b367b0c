import { POINT_COUNT, type Shape, createShape } from "../shape/shape.js";

/**
 * How each of the 68 iBUG points is made from MediaPipe's 478-point face mesh: a weighted mean of mesh
 * points (a single index with weight 1 for most points). Versioned, because the choice changes the data:
 * every manifest records the version that produced it.
 */
export interface MeshMapping {
  version: string;
  description: string;
  points: ReadonlyArray<{ readonly mesh: readonly number[]; readonly weights: readonly number[] }>;
}

const single = (indices: readonly number[]) => indices.map((i) => ({ mesh: [i], weights: [1] }));

/** The table that recurs in public code (../shared/docs/mediapipe-in-node.md), one mesh point per iBUG point. */
const COMMON_TABLE = [
  // jaw 0–16
  162, 234, 93, 58, 172, 136, 149, 148, 152, 377, 378, 365, 397, 288, 323, 454, 389,
  // brows 17–26
  71, 63, 105, 66, 107, 336, 296, 334, 293, 301,
  // nose 27–35
  168, 197, 5, 4, 75, 97, 2, 326, 305,
  // eyes 36–47
  33, 160, 158, 133, 153, 144, 362, 385, 387, 263, 373, 380,
  // mouth 48–67
  61, 39, 37, 0, 267, 269, 291, 405, 314, 17, 84, 181, 78, 82, 13, 312, 308, 317, 14, 87,
] as const;

export const COMMON_MAPPING: MeshMapping = {
  version: "common-v1",
  description: "one mesh point per iBUG point, the table common in public code",
  points: single(COMMON_TABLE),
};

export const MESH_MAPPINGS: Readonly<Record<string, MeshMapping>> = {
  [COMMON_MAPPING.version]: COMMON_MAPPING,
};

/**
 * Maps one face's mesh (x, y, z per point, x and y in frame pixels) to a 68-point shape.
 * `stride` is the number of values per mesh point (3 for x, y, z).
 */
export function meshToIbug(mesh: Float32Array, mapping: MeshMapping, stride = 3): Shape {
  const shape = createShape();
  for (let p = 0; p < POINT_COUNT; p++) {
    const { mesh: indices, weights } = mapping.points[p]!;
    let x = 0;
    let y = 0;
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k]! * stride;
      x += weights[k]! * mesh[i]!;
      y += weights[k]! * mesh[i + 1]!;
    }
    shape[2 * p] = x;
    shape[2 * p + 1] = y;
  }
  return shape;
}

/** The iBUG regions, for per-region error reports. */
export const IBUG_REGIONS: Readonly<Record<string, readonly [number, number]>> = {
  jaw: [0, 17],
  brows: [17, 27],
  nose: [27, 36],
  eyes: [36, 48],
  mouth: [48, 68],
};
