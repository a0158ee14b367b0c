import { POINT_COUNT, type Shape } from "../shape/shape.js";
import { LrnetDataError } from "../errors.js";
import { choosePointMap, mapToIbug } from "./point-maps/point-map.js";

/**
 * The function that turns a source's faces (x0 y0 x1 y1 …, `pointCount` points) into LRNet's 68 iBUG points:
 * the map file of point-maps/ for that point count, or `choice` (`--points`: a count, a map name or a map file).
 * 68 points without a choice are used as they are. `where` names the video or file in error messages.
 *
 * @throws PointMapError when no map fits the layout
 */
export function ibugMapper(pointCount: number, choice: string | undefined, where: string): (points: Float64Array) => Shape {
  const check = (points: Float64Array): void => {
    if (points.length !== 2 * pointCount) {
      throw new LrnetDataError(`${where}: a face of ${points.length / 2} points where the source's layout has ${pointCount}`);
    }
  };
  if (choice === undefined && pointCount === POINT_COUNT) {
    return (points) => {
      check(points);
      return points;
    };
  }
  const map = choosePointMap(pointCount, choice, where);
  return (points) => {
    check(points);
    return mapToIbug(points, map);
  };
}

/** One face as LRNet's 68 points, by the built-in map for its point count. */
export function toIbug68(points: Float64Array, pointCount: number): Shape {
  return ibugMapper(pointCount, undefined, "a face")(points);
}
