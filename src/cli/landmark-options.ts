import { LandmarkFileError } from "../sources/import/errors.js";
import { detectImportFormat, isImportFormat } from "../sources/import/detect-format.js";
import type { ImportFormat } from "../sources/import/track.js";
import { IMPORT_FORMATS } from "../sources/import/track.js";
import { pluginSpecFor } from "../sources/plugin/plugin-source.js";
import type { SourceSpec } from "../sources/registry.js";
import { UsageError } from "../errors.js";

/** The options of calibrate, extract and build that choose where landmarks come from. */
export const LANDMARK_OPTIONS = {
  landmarks: { type: "string" },
  "landmark-format": { type: "string" },
  points: { type: "string" },
  detector: { type: "string" },
} as const;

const HELP_LINES: readonly [string, readonly string[]][] = [
  ["--landmarks PATH", ["precomputed landmarks instead of a detector: a folder of per-frame .npy", "files, one .npy per video, a .jsonl, a plain .csv, or an OpenFace CSV"]],
  ["--landmark-format F", [`${IMPORT_FORMATS.join(", ")}`, "(default: found from the path)"]],
  ["--points MAP", ["how the points become LRNet's 68: a count (68, 81, 98, 106, 468, 478), a", "map of point-maps/ (e.g. wflw-98) or a map JSON file (default: by count)"]],
];

/** The help lines of the landmark options, the descriptions starting at `column` as in the command's help. */
export function landmarkOptionsHelp(column: number): string {
  return HELP_LINES.map(([flag, text]) =>
    text.map((line, i) => (i === 0 ? `  ${flag}`.padEnd(Math.max(column, flag.length + 3)) : " ".repeat(column)) + line).join("\n"),
  ).join("\n");
}

export function parseLandmarkFormat(text: string | undefined): ImportFormat | undefined {
  if (text === undefined) return undefined;
  if (!isImportFormat(text)) throw new UsageError(`--landmark-format takes ${IMPORT_FORMATS.join(", ")}, got "${text}"`);
  return text;
}

/**
 * The source of `--landmarks PATH` for one video (calibrate, extract): OpenFace's for an OpenFace CSV, else an
 * import (not yet prepared).
 */
export function importSpecFor(path: string, format: ImportFormat | undefined, points: string | undefined, openface: { faceId?: number; parity?: boolean }): SourceSpec {
  const chosen = format ?? detectImportFormat(path);
  if (chosen === "openface") {
    if (points !== undefined && points !== "68" && points !== "ibug-68") throw new LandmarkFileError(path, "an OpenFace CSV has iBUG's 68 points; --points does not apply");
    return { name: "openface", csvPath: path, ...(openface.faceId === undefined ? {} : { faceId: openface.faceId }), ...(openface.parity ? { parity: true } : {}) };
  }
  if (openface.parity || openface.faceId !== undefined) throw new UsageError("--parity and --face-id are for OpenFace CSVs");
  return { name: "import", path, ...(format === undefined ? {} : { format: chosen }), ...(points === undefined ? {} : { map: points }) };
}

/** `--detector NAME`: mediapipe (the default) or a plugin (a module path or an installed package). */
export function detectorSpecFor(detector: string | undefined, points: string | undefined): SourceSpec | null {
  if (detector === undefined || detector === "mediapipe") {
    if (points !== undefined) throw new UsageError("--points is for imported landmarks and plugins; MediaPipe's mapping is fixed (contour-v2)");
    return null;
  }
  return { ...pluginSpecFor(detector), ...(points === undefined ? {} : { points }) };
}
