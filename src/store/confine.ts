import { isAbsolute, join, resolve } from "node:path";
import { isSameOrInside, realPathOf } from "../io/path-overlap.js";
import { StoreError } from "./errors.js";
import { MANIFEST_FILE, type Manifest } from "./manifest.js";

/** A path read from a manifest would lead outside its output directory. */
export class ConfinementError extends StoreError {}

/** Why `path` (relative, `/`-separated, as manifests hold them) cannot name a file inside an output, or null. */
export function pathEscape(path: string): string | null {
  if (path === "") return "is empty";
  if (path.includes("\0")) return "holds a NUL byte";
  if (path.includes("\\")) return "holds a backslash";
  if (path.startsWith("/") || isAbsolute(path) || /^[A-Za-z]:/.test(path)) return "is absolute";
  const segments = path.split("/");
  if (segments.includes("..")) return "climbs out with ..";
  if (segments.some((s) => s === "" || s === ".")) return "has an empty or . segment";
  return null;
}

export interface PathField {
  /** Where in the manifest: `data_files[2].path`, `videos[3].data.file`. */
  field: string;
  path: string;
}

/** Every field of a manifest that names a file under the output. */
export function manifestPathFields(manifest: Manifest): PathField[] {
  return [
    ...manifest.data_files.map((f, i) => ({ field: `data_files[${i}].path`, path: f.path })),
    ...manifest.videos.map((v, i) => ({ field: `videos[${i}].data.file`, path: v.data.file })),
  ];
}

/** The first path field that leaves the output lexically (absolute, `..`), as a one-line message; null when none. */
export function firstManifestPathEscape(outDir: string, manifest: Manifest): string | null {
  for (const { field, path } of manifestPathFields(manifest)) {
    const reason = pathEscape(path);
    if (reason) return escapeMessage(outDir, field, path, reason);
  }
  return null;
}

/**
 * THE way to turn a path read from a manifest into a file to open, write or delete: refuses, with one line
 * naming the field, a path that is absolute, climbs out with `..`, or leads out of `outDir` through a symbolic
 * link (any directory on the way, or the file itself). Returns the real path to use.
 */
export async function resolveManifestPath(outDir: string, path: string, field: string): Promise<string> {
  const reason = pathEscape(path);
  if (reason) throw new ConfinementError(escapeMessage(outDir, field, path, reason), join(outDir, MANIFEST_FILE));
  const realOut = await realPathOf(outDir);
  const real = await realPathOf(join(resolve(outDir), ...path.split("/")));
  if (real === realOut || !isSameOrInside(real, realOut)) {
    throw new ConfinementError(escapeMessage(outDir, field, path, `leads through a symbolic link to ${real}`), join(outDir, MANIFEST_FILE));
  }
  return real;
}

function escapeMessage(outDir: string, field: string, path: string, reason: string): string {
  return `${join(outDir, MANIFEST_FILE)}: ${field} "${path}" ${reason}, outside ${outDir}; refused (a manifest may only name files inside its own directory)`;
}
