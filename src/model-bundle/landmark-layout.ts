/**
 * How the attention face-mesh model's separate outputs become the single 478 × (x, y, z) tensor
 * MediaPipe Tasks expects: all landmark outputs are concatenated, then one GATHER picks, for every
 * output value, its index in that concatenation.
 *
 * Refinement maps (facts from MediaPipe's face landmark graph, Apache-2.0): point k of a refinement
 * output replaces x and y of mesh point MAP[k]; the mesh keeps z. Irises become points 468–472 (left)
 * and 473–477 (right).
 */

export const MESH_POINTS = 468;
export const IRIS_POINTS = 5;
export const OUTPUT_POINTS = MESH_POINTS + 2 * IRIS_POINTS;
export const OUTPUT_VALUES = OUTPUT_POINTS * 3;

// prettier-ignore
export const LIPS_REFINEMENT: readonly number[] = [
  61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 185, 40, 39, 37, 0, 267, 269, 270, 409,
  78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 191, 80, 81, 82, 13, 312, 311, 310, 415,
  76, 77, 90, 180, 85, 16, 315, 404, 320, 307, 306, 184, 74, 73, 72, 11, 302, 303, 304, 408,
  62, 96, 89, 179, 86, 15, 316, 403, 319, 325, 292, 183, 42, 41, 38, 12, 268, 271, 272, 407,
];

// prettier-ignore
export const LEFT_EYE_REFINEMENT: readonly number[] = [
  33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173, 130, 25, 110, 24,
  23, 22, 26, 112, 243, 247, 30, 29, 27, 28, 56, 190, 226, 31, 228, 229, 230, 231, 232, 233,
  244, 113, 225, 224, 223, 222, 221, 189, 35, 124, 46, 53, 52, 65, 143, 111, 117, 118, 119, 120,
  121, 128, 245, 156, 70, 63, 105, 66, 107, 55, 193,
];

// prettier-ignore
export const RIGHT_EYE_REFINEMENT: readonly number[] = [
  263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398, 359, 255, 339, 254,
  253, 252, 256, 341, 463, 467, 260, 259, 257, 258, 286, 414, 446, 261, 448, 449, 450, 451, 452, 453,
  464, 342, 445, 444, 443, 442, 441, 413, 265, 353, 276, 283, 282, 295, 372, 340, 346, 347, 348, 349,
  350, 357, 465, 383, 300, 293, 334, 296, 336, 285, 417,
];

/**
 * Mesh point whose z each iris takes. MediaPipe's graph gives the iris the mean z of the eye's 16
 * contour points; a GATHER can only pick one value, so it takes the contour point whose z is closest
 * to that mean (lower-lid points 144 / 373, mirror partners: mean |z − contour mean| 0.0009 / 0.0007 over
 * 30 frames of ff_real.mp4, where z spans about ±0.04). No project output uses iris z.
 */
export const LEFT_IRIS_Z_FROM = 144;
export const RIGHT_IRIS_Z_FROM = 373;

/** One landmark output of the attention model, in concatenation order. */
export interface LandmarkSource {
  tensorName: string;
  /** Values per point in this output (3 for the mesh, 2 for refinements and irises). */
  valuesPerPoint: 2 | 3;
  points: number;
}

export const ATTENTION_LANDMARK_SOURCES: readonly LandmarkSource[] = [
  { tensorName: "output_mesh_identity", valuesPerPoint: 3, points: MESH_POINTS },
  { tensorName: "output_lips", valuesPerPoint: 2, points: LIPS_REFINEMENT.length },
  { tensorName: "output_left_eye", valuesPerPoint: 2, points: LEFT_EYE_REFINEMENT.length },
  { tensorName: "output_right_eye", valuesPerPoint: 2, points: RIGHT_EYE_REFINEMENT.length },
  { tensorName: "output_left_iris", valuesPerPoint: 2, points: IRIS_POINTS },
  { tensorName: "output_right_iris", valuesPerPoint: 2, points: IRIS_POINTS },
];

export const ATTENTION_FACE_FLAG_TENSOR = "conv_faceflag";

/** Offset of each source's first value in the concatenation, and the concatenation's length. */
export function concatenationLayout(sources: readonly LandmarkSource[] = ATTENTION_LANDMARK_SOURCES): {
  offsets: Map<string, number>;
  length: number;
} {
  const offsets = new Map<string, number>();
  let length = 0;
  for (const s of sources) {
    offsets.set(s.tensorName, length);
    length += s.points * s.valuesPerPoint;
  }
  return { offsets, length };
}

/** For each of the 1434 output values (x0 y0 z0 x1 …), its index in the concatenated outputs. */
export function attentionGatherIndices(): Int32Array {
  const { offsets } = concatenationLayout();
  const at = (name: string): number => offsets.get(name)!;
  const indices = new Int32Array(OUTPUT_VALUES);
  for (let i = 0; i < 3 * MESH_POINTS; i++) indices[i] = at("output_mesh_identity") + i;

  const refine = (tensorName: string, map: readonly number[]): void => {
    map.forEach((meshPoint, k) => {
      indices[3 * meshPoint] = at(tensorName) + 2 * k;
      indices[3 * meshPoint + 1] = at(tensorName) + 2 * k + 1;
    });
  };
  refine("output_lips", LIPS_REFINEMENT);
  refine("output_left_eye", LEFT_EYE_REFINEMENT);
  refine("output_right_eye", RIGHT_EYE_REFINEMENT);

  const iris = (tensorName: string, firstPoint: number, zFrom: number): void => {
    for (let k = 0; k < IRIS_POINTS; k++) {
      const p = firstPoint + k;
      indices[3 * p] = at(tensorName) + 2 * k;
      indices[3 * p + 1] = at(tensorName) + 2 * k + 1;
      indices[3 * p + 2] = at("output_mesh_identity") + 3 * zFrom + 2;
    }
  };
  iris("output_left_iris", MESH_POINTS, LEFT_IRIS_Z_FROM);
  iris("output_right_iris", MESH_POINTS + IRIS_POINTS, RIGHT_IRIS_Z_FROM);
  return indices;
}
