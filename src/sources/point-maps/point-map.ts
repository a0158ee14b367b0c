import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LrnetDataError } from "../../errors.js";
import { packageRoot } from "../../io/package-files.js";
import { POINT_COUNT, type Shape, createShape } from "../../shape/shape.js";

/** One iBUG point as a weighted mean of source points (weights sum to 1). */
export interface WeightedPoint {
  readonly from: readonly number[];
  readonly weights: readonly number[];
}

/**
 * How a detector's point layout becomes LRNet's 68 iBUG points: one weighted mean of source points per iBUG
 * point. Maps are data (`point-maps/*.json`), each naming where its correspondence comes from.
 */
export interface PointMap {
  readonly name: string;
  /** The source point counts the map applies to (MediaPipe's 468-point mesh and its 478 with irises). */
  readonly counts: readonly number[];
  readonly description: string;
  readonly source: string;
  readonly ibug: readonly WeightedPoint[];
}

/** `point-maps/` of the package: the built-in maps. */
export const pointMapsDir = join(packageRoot, "point-maps");

/** A map file's JSON: `ibug` entries are a source index, or `{"from": [i, j], "weights": [a, b]}`. */
interface PointMapJson {
  name?: unknown;
  counts?: unknown;
  description?: unknown;
  source?: unknown;
  ibug?: unknown;
}

/** A problem with a point map file or choice; one line naming the file. */
export class PointMapError extends LrnetDataError {}

export function parsePointMap(text: string, file: string): PointMap {
  let json: PointMapJson;
  try {
    json = JSON.parse(text) as PointMapJson;
  } catch (error) {
    throw new PointMapError(`${file}: not JSON (${(error as Error).message})`);
  }
  const fail = (reason: string): never => {
    throw new PointMapError(`${file}: ${reason}`);
  };
  if (typeof json.name !== "string" || json.name === "") fail("name must be a non-empty string");
  if (!Array.isArray(json.counts) || json.counts.length === 0 || !json.counts.every((c) => Number.isInteger(c) && c > 0)) {
    fail("counts must be a list of point counts");
  }
  if (typeof json.source !== "string" || json.source === "") fail("source must say where the correspondence comes from");
  if (!Array.isArray(json.ibug) || json.ibug.length !== POINT_COUNT) fail(`ibug must list ${POINT_COUNT} entries`);
  const counts = json.counts as number[];
  const smallest = Math.min(...counts);
  const ibug = (json.ibug as unknown[]).map((entry, p): WeightedPoint => {
    const point = typeof entry === "number" ? { from: [entry], weights: [1] } : (entry as { from?: unknown; weights?: unknown });
    const from = point.from;
    if (!Array.isArray(from) || from.length === 0 || !from.every((i) => Number.isInteger(i) && i >= 0 && i < smallest)) {
      return fail(`ibug[${p}]: source indices must be whole numbers below ${smallest}`);
    }
    const weights = point.weights ?? from.map(() => 1 / from.length);
    if (!Array.isArray(weights) || weights.length !== from.length || !weights.every((w) => typeof w === "number" && Number.isFinite(w))) {
      return fail(`ibug[${p}]: weights must be one number per source index`);
    }
    const sum = (weights as number[]).reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 1) > 1e-9) fail(`ibug[${p}]: weights sum to ${sum}, not 1`);
    return { from: from as number[], weights: weights as number[] };
  });
  return {
    name: json.name as string,
    counts,
    description: typeof json.description === "string" ? json.description : "",
    source: json.source as string,
    ibug,
  };
}

export function readPointMapFile(file: string): PointMap {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PointMapError(`${file}: ${code === "ENOENT" ? "file not found" : `cannot read it (${code})`}`);
  }
  return parsePointMap(text, file);
}

let builtIn: Map<string, PointMap> | null = null;

/** The maps shipped in `point-maps/`, by name. */
export function builtInPointMaps(): ReadonlyMap<string, PointMap> {
  if (builtIn === null) {
    builtIn = new Map();
    for (const name of readdirSync(pointMapsDir).sort()) {
      if (!name.endsWith(".json")) continue;
      const map = readPointMapFile(join(pointMapsDir, name));
      builtIn.set(map.name, map);
    }
  }
  return builtIn;
}

/** The built-in map used for each point count when `--points` does not name one. */
export const DEFAULT_MAP_FOR_COUNT: Readonly<Record<number, string>> = {
  68: "ibug-68",
  81: "dlib-81",
  98: "wflw-98",
  106: "insightface-2d106",
  468: "mediapipe-contour-v2",
  478: "mediapipe-contour-v2",
};

/**
 * The map for a source: `choice` (`--points`) is a point count, a built-in map's name, or a path to a map
 * file; without it, the default map for the source's point count.
 *
 * @throws PointMapError for an unknown count or name, or a map that does not fit the count
 */
export function choosePointMap(points: number, choice: string | undefined, file: string): PointMap {
  const maps = builtInPointMaps();
  let map: PointMap | undefined;
  if (choice === undefined || /^\d+$/.test(choice)) {
    const count = choice === undefined ? points : Number(choice);
    const name = DEFAULT_MAP_FOR_COUNT[count];
    if (name === undefined) {
      throw new PointMapError(
        `${file}: ${count} points per face is not a layout lrnet-data knows (known: ${Object.keys(DEFAULT_MAP_FOR_COUNT).join(", ")}); ` +
          `give --points a map file (see point-maps/)`,
      );
    }
    map = maps.get(name)!;
  } else if (maps.has(choice)) {
    map = maps.get(choice)!;
  } else if (choice.endsWith(".json") || existsSync(choice)) {
    map = readPointMapFile(choice);
  } else {
    throw new PointMapError(`--points ${choice}: not a point count, a built-in map (${[...maps.keys()].join(", ")}) or a map file`);
  }
  if (!map.counts.includes(points)) {
    throw new PointMapError(`${file}: ${points} points per face, but map ${map.name} is for ${map.counts.join(" or ")} points`);
  }
  return map;
}

/**
 * Maps one face's points to a 68-point shape. `stride` is the number of values per source point (2 for x y,
 * 3 for x y z); the sum runs in the map's order from 0, so a map with the same weights gives the same bits.
 */
export function mapToIbug(values: ArrayLike<number>, map: PointMap, stride = 2): Shape {
  const shape = createShape();
  for (let p = 0; p < POINT_COUNT; p++) {
    const { from, weights } = map.ibug[p]!;
    let x = 0;
    let y = 0;
    for (let k = 0; k < from.length; k++) {
      const i = from[k]! * stride;
      x += weights[k]! * values[i]!;
      y += weights[k]! * values[i + 1]!;
    }
    shape[2 * p] = x;
    shape[2 * p + 1] = y;
  }
  return shape;
}
