import { POINT_COUNT, type Shape, createShape } from "../shape/shape.js";

/** One iBUG point as a weighted mean of mesh points (weights sum to 1). */
export interface MeshPoint {
  readonly mesh: readonly number[];
  readonly weights: readonly number[];
}

/**
 * How each of the 68 iBUG points is made from MediaPipe's 478-point face mesh: a weighted mean of mesh
 * points (a single index with weight 1 for most points). Versioned, because the choice changes the data:
 * every manifest records the version that produced it.
 */
export interface MeshMapping {
  version: string;
  description: string;
  points: readonly MeshPoint[];
}

const at = (i: number): MeshPoint => ({ mesh: [i], weights: [1] });
/** The point `t` of the way from mesh point `a` to mesh point `b`. */
const between = (a: number, b: number, t: number): MeshPoint => ({ mesh: [a, b], weights: [1 - t, t] });

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
  points: COMMON_TABLE.map(at),
};

/**
 * The lower half of MediaPipe's face oval (FACE_LANDMARKS_FACE_OVAL), image left to right: from 127 at ear
 * level, down to the chin (152), up to 356. iBUG's jaw line (points 0–16) runs along it.
 */
export const LOWER_FACE_CONTOUR = [
  127, 234, 93, 132, 58, 172, 136, 150, 149, 176, 148, 152, 377, 400, 378, 379, 365, 397, 288, 361, 323, 454, 356,
] as const;

/**
 * Measured against LRNet's own landmarks (FAN) on the FaceForensics++ fixtures (../../bench/extract-accuracy.ts).
 * Each choice is an anatomical rule picked among a few on ff_real and confirmed on ff_fake, not a per-point fit:
 * - jaw: iBUG annotates 17 points equally spaced along the jaw line from ear to ear. They are taken at equal
 *   arc length along LOWER_FACE_CONTOUR (16ths; point 8 = 152, the chin), the arc measured on MediaPipe's
 *   canonical face model (frontal projection), each point between its two neighbouring contour vertices.
 *   The common table starts the jaw at 162/389 (temple height, above the eyes) and skips vertices unevenly.
 * - brows: MediaPipe's upper eyebrow line (70 63 105 66 107; 300 293 334 296 336); the common 71/301 lie
 *   off it. The medial end of iBUG's brow lies above the inner eye corner, 3/8 of the way from 107 to 66
 *   (the mesh line goes on over the nasal root).
 * - nose: 27 half-way between 168 and 6 (iBUG's top of the bridge sits lower than 168, nearer eye-corner level);
 *   32/34 on the nostril rims (99/328) rather than where the columella meets the lip (97/326).
 * - eyes: the inner corners where the upper lid meets the eye opening (173/398), a little lateral of the mesh's
 *   canthus vertices 133/362, as iBUG marks them.
 * - mouth: 49/53 and 59/55 half-way along the lip line between the corner and 50/52 (Cupid's bow) or 58/56;
 *   inner lip points 61/63/65/67 where the inner lip line is in line (vertically, on the canonical face) with
 *   50/52/56/58. Weights are rounded to 0.01 (0.1 px at most on the 720p fixtures).
 */
const CONTOUR_POINTS: readonly MeshPoint[] = [
  // jaw 0–16
  at(127),
  between(234, 93, 0.17),
  between(93, 132, 0.29),
  between(132, 58, 0.34),
  between(58, 172, 0.41),
  between(172, 136, 0.8),
  between(150, 149, 0.41),
  between(176, 148, 0.36),
  at(152),
  between(400, 377, 0.36),
  between(379, 378, 0.41),
  between(397, 365, 0.8),
  between(288, 397, 0.41),
  between(361, 288, 0.34),
  between(323, 361, 0.29),
  between(454, 323, 0.17),
  at(356),
  // brows 17–26
  at(70),
  at(63),
  at(105),
  at(66),
  between(107, 66, 0.375),
  between(336, 296, 0.375),
  at(296),
  at(334),
  at(293),
  at(300),
  // nose 27–35
  between(168, 6, 0.5),
  at(197),
  at(5),
  at(4),
  at(75),
  at(99),
  at(2),
  at(328),
  at(305),
  // eyes 36–47
  ...[33, 160, 158, 173, 153, 144, 398, 385, 387, 263, 373, 380].map(at),
  // outer lip 48–59
  at(61),
  between(40, 39, 0.46),
  at(37),
  at(0),
  at(267),
  between(270, 269, 0.46),
  at(291),
  between(321, 405, 0.38),
  at(314),
  at(17),
  at(84),
  between(91, 181, 0.38),
  // inner lip 60–67
  at(78),
  between(82, 81, 0.36),
  at(13),
  between(312, 311, 0.36),
  at(308),
  between(317, 402, 0.23),
  at(14),
  between(87, 178, 0.23),
];

export const CONTOUR_MAPPING: MeshMapping = {
  version: "contour-v2",
  description:
    "jaw at equal arc length along the mesh's lower face contour (127 to 356, canonical face); brows on the upper " +
    "brow line ending above the inner eye corner; nose root, nostril rims, eye openings and lip lines placed as iBUG annotates them",
  points: CONTOUR_POINTS,
};

/** Chosen by measurement against LRNet's own landmarks (bench/extract-accuracy.ts): jaw error halved, every region better. */
export const DEFAULT_MAPPING: MeshMapping = CONTOUR_MAPPING;

/** Points of MediaPipe's face mesh (468 + 10 iris points). */
export const MESH_POINT_COUNT = 478;

export const MESH_MAPPINGS: Readonly<Record<string, MeshMapping>> = {
  [COMMON_MAPPING.version]: COMMON_MAPPING,
  [CONTOUR_MAPPING.version]: CONTOUR_MAPPING,
};

/**
 * Maps one face's mesh (x, y, z per point, x and y in frame pixels) to a 68-point shape.
 * `stride` is the number of values per mesh point (3 for x, y, z).
 */
export function meshToIbug(mesh: ArrayLike<number>, mapping: MeshMapping, stride = 3): Shape {
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
