import { type GuardSettings, LRNET_JUMP_LIMITS } from "../../guard/guard.js";
import type { LandmarkSource, SourceVideo, VideoLandmarks } from "../landmark-source.js";
import { detectImportFormat } from "./detect-format.js";
import { LandmarkFileError } from "./errors.js";
import { openJsonl } from "./jsonl.js";
import { openNpyFrames } from "./npy-frames.js";
import { openNpyVideo } from "./npy-video.js";
import { openPlainCsv } from "./plain-csv.js";
import type { ImportFormat, LandmarkTrack } from "./track.js";
import { choosePointMap } from "../point-maps/point-map.js";

/** The importer formats of this source (OpenFace CSVs go to the OpenFace source). */
export type TrackFormat = Exclude<ImportFormat, "openface">;

/** Precomputed landmark files as a source, as workers receive it: plain JSON. */
export interface ImportSpec {
  name: "import";
  /** calibrate/extract: the video's file or folder. In a build each video's match comes with the video. */
  path?: string;
  /** `--landmark-format`; found from each path when absent. */
  format?: TrackFormat;
  /** Points per face of the layout: found from the path (or a build's first file) by prepareImportSpec. */
  points?: number;
  /** `--points`: the map's count, name or file (default: the built-in map for `points`). */
  map?: string;
  /** The chosen map's name (prepareImportSpec): recorded as the configuration's mapping_version. */
  mapName?: string;
}

/**
 * Finds the layout (points per face) from the spec's path or, in a build, from `sample` (the first video's
 * file), and the map that turns it into LRNet's 68 points.
 *
 * @throws LandmarkFileError, PointMapError naming the file
 */
export function prepareImportSpec(spec: ImportSpec, sample?: string): ImportSpec {
  if (spec.points !== undefined && spec.mapName !== undefined) return spec;
  const path = spec.path ?? sample;
  if (path === undefined) throw new Error("prepareImportSpec needs a path or a sample file");
  const points = spec.points ?? peekPointCount(path, spec.format);
  const map = choosePointMap(points, spec.map, path);
  return { ...spec, points, mapName: map.name };
}

/** Imported faces carry no detector confidence unless the file has one: every face counts; LRNet's jump limits. */
export const IMPORT_GUARD: GuardSettings = { minScore: 0, ...LRNET_JUMP_LIMITS };

/** Opens a landmark path in the given (or detected) format for a video of `frameCount` frames. */
export function openTrack(path: string, format: TrackFormat | undefined, frameCount: number): LandmarkTrack {
  const chosen = format ?? detectImportFormat(path);
  switch (chosen) {
    case "npy-frames":
      return openNpyFrames(path, frameCount);
    case "npy-video":
      return openNpyVideo(path, frameCount);
    case "jsonl":
      return openJsonl(path, frameCount);
    case "csv":
      return openPlainCsv(path, frameCount);
    case "openface":
      throw new LandmarkFileError(path, "an OpenFace CSV among other landmark files; give OpenFace CSVs with --openface");
  }
}

/** The points per face of a landmark path (reads what it must: a frame file, or the whole file). */
export function peekPointCount(path: string, format?: TrackFormat): number {
  return openTrack(path, format, Number.MAX_SAFE_INTEGER).points;
}

export function importConfiguration(spec: ImportSpec): Record<string, unknown> {
  return {
    detector: "import",
    model_sha256: null,
    mapping_version: prepared(spec).mapName,
    landmark_format: spec.format ?? "auto",
    points: spec.points,
    guard: { ...IMPORT_GUARD },
  };
}

export function openImportSource(unprepared: ImportSpec): LandmarkSource {
  const spec = prepared(unprepared);
  const points = spec.points;
  return {
    name: "import",
    configuration: importConfiguration(spec),
    provenance: { landmarks: { source: "import", path: spec.path ?? null, format: spec.format ?? "auto", map: spec.mapName } },
    points,
    input: "none",
    guard: IMPORT_GUARD,
    ...(spec.map === undefined ? {} : { pointMap: spec.map }),
    open: async (video: SourceVideo): Promise<VideoLandmarks> => {
      const path = spec.path ?? video.landmarkFile ?? null;
      if (path === null) throw new LandmarkFileError(video.path, "no landmark file or folder matches this video under --landmarks");
      const track = openTrack(path, spec.format, video.frameCount);
      if (track.points !== points) {
        throw new LandmarkFileError(path, `${track.points} points per face, but this run's layout has ${points} (the first file's)`);
      }
      return {
        detect: (index) =>
          track.faces(index).map((face) => ({ points: face.points, score: face.score, ...(face.faceId === undefined ? {} : { faceId: face.faceId }) })),
      };
    },
    close: async () => {},
  };
}


function prepared(spec: ImportSpec): ImportSpec & { points: number; mapName: string } {
  const ready = prepareImportSpec(spec);
  return ready as ImportSpec & { points: number; mapName: string };
}
