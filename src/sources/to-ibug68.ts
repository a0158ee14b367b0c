import type { Shape } from "../shape/shape.js";
import { POINT_COUNT } from "../shape/shape.js";
import { LrnetDataError } from "../errors.js";
import { DEFAULT_MAPPING, MESH_POINT_COUNT, meshToIbug } from "./mesh-to-ibug.js";

/** Point counts `toIbug68` maps to LRNet's 68 iBUG points. */
export const MAPPED_POINT_COUNTS: readonly number[] = [POINT_COUNT, MESH_POINT_COUNT];

/**
 * A source's points (x0 y0 x1 y1 …, `points` of them) as LRNet's 68 iBUG points: the same array for 68 points,
 * the contour-v2 mesh map for MediaPipe's 478-point mesh.
 */
export function toIbug68(points: Float64Array, pointCount: number): Shape {
  if (points.length !== 2 * pointCount) {
    throw new LrnetDataError(`a face of ${points.length / 2} points where the source's layout has ${pointCount}`);
  }
  if (pointCount === POINT_COUNT) return points;
  if (pointCount === MESH_POINT_COUNT) return meshToIbug(points, DEFAULT_MAPPING, 2);
  throw new LrnetDataError(`no map from a ${pointCount}-point layout to LRNet's 68 points (known: ${MAPPED_POINT_COUNTS.join(", ")})`);
}
