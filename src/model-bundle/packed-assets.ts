/**
 * Reads the TFLite models `@mediapipe/face_mesh` (Apache-2.0) ships inside its Emscripten data
 * package. The package's loader script passes a JSON manifest of file byte ranges to `loadPackage(…)`;
 * that manifest is parsed rather than offsets hard-coded, so another package version still works.
 */
import { LrnetDataError } from "../errors.js";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export const FACE_MESH_PACKAGE = "@mediapipe/face_mesh";
const DATA_FILE = "face_mesh_solution_packed_assets.data";
const LOADER_FILE = "face_mesh_solution_packed_assets_loader.js";

export const PACKED_MODEL_NAMES = {
  detector: "face_detection_short_range.tflite",
  landmarksWithAttention: "face_landmark_with_attention.tflite",
  landmarks468: "face_landmark.tflite",
} as const;

export class PackedAssetsError extends LrnetDataError {}

export interface PackedFile {
  /** Path inside the package's virtual file system, e.g. /third_party/…/face_landmark.tflite. */
  filename: string;
  start: number;
  end: number;
}

export interface FaceMeshAssets {
  packageDir: string;
  packageVersion: string;
  files: PackedFile[];
  /** Bytes of a packed file by base name, e.g. "face_landmark.tflite". */
  file(baseName: string): Uint8Array;
}

/** The installed package's directory (it has no `exports` map, so its main file resolves). */
export function faceMeshPackageDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return dirname(require.resolve(`${FACE_MESH_PACKAGE}/package.json`));
  } catch {
    throw new PackedAssetsError(`${FACE_MESH_PACKAGE} is not installed: run npm install`);
  }
}

export function readFaceMeshAssets(packageDir = faceMeshPackageDir()): FaceMeshAssets {
  const loaderPath = join(packageDir, LOADER_FILE);
  const dataPath = join(packageDir, DATA_FILE);
  const packageVersion = readVersion(join(packageDir, "package.json"));
  const manifest = parseLoaderManifest(readText(loaderPath), loaderPath);
  const data = readBytes(dataPath);
  if (manifest.packageSize !== undefined && manifest.packageSize !== data.length) {
    throw new PackedAssetsError(`${dataPath} has ${data.length} bytes but its loader expects ${manifest.packageSize}`);
  }
  for (const f of manifest.files) {
    if (f.end > data.length) throw new PackedAssetsError(`${dataPath}: ${f.filename} ends at byte ${f.end}, past the file's end`);
  }
  return {
    packageDir,
    packageVersion,
    files: manifest.files,
    file(baseName: string): Uint8Array {
      const found = manifest.files.filter((f) => f.filename === baseName || f.filename.endsWith(`/${baseName}`));
      if (found.length !== 1) {
        throw new PackedAssetsError(`${loaderPath} lists ${found.length} files named ${baseName} (expected 1)`);
      }
      const { start, end } = found[0]!;
      return data.slice(start, end);
    },
  };
}

/** The `{"files": [...], "remote_package_size": N}` argument of the loader's `loadPackage(…)` call. */
export function parseLoaderManifest(loaderSource: string, where = LOADER_FILE): { files: PackedFile[]; packageSize?: number } {
  const call = loaderSource.lastIndexOf("loadPackage(");
  const open = call < 0 ? -1 : loaderSource.indexOf("{", call);
  if (open < 0) throw new PackedAssetsError(`${where}: no loadPackage({...}) manifest found`);
  const json = loaderSource.slice(open, matchingBrace(loaderSource, open, where) + 1);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new PackedAssetsError(`${where}: loadPackage manifest is not JSON (${(err as Error).message})`);
  }
  const record = parsed as { files?: unknown; remote_package_size?: unknown };
  if (!Array.isArray(record.files)) throw new PackedAssetsError(`${where}: loadPackage manifest has no files list`);
  const files = record.files.map((f: unknown, i: number): PackedFile => {
    const e = f as { filename?: unknown; start?: unknown; end?: unknown };
    if (typeof e.filename !== "string" || !Number.isInteger(e.start) || !Number.isInteger(e.end) || (e.end as number) < (e.start as number)) {
      throw new PackedAssetsError(`${where}: manifest entry ${i} is not {filename, start, end}`);
    }
    return { filename: e.filename, start: e.start as number, end: e.end as number };
  });
  const size = record.remote_package_size;
  return typeof size === "number" ? { files, packageSize: size } : { files };
}

function matchingBrace(text: string, open: number, where: string): number {
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  throw new PackedAssetsError(`${where}: loadPackage manifest is not closed`);
}

function readVersion(path: string): string {
  const version = (JSON.parse(readText(path)) as { version?: unknown }).version;
  if (typeof version !== "string") throw new PackedAssetsError(`${path} has no version`);
  return version;
}

function readText(path: string): string {
  return new TextDecoder().decode(readBytes(path));
}

function readBytes(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (err) {
    throw new PackedAssetsError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
