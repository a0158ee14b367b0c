import { readdir } from "node:fs/promises";
import { join, posix } from "node:path";
import type { VideoEntry } from "../store/types.js";
import { BuildError } from "./errors.js";

/**
 * Finds each video's OpenFace CSV under `--openface DIR`, first match wins:
 *   1. DIR/<video path relative to the root, extension replaced by .csv>  (a mirror of the dataset tree);
 *   2. DIR/<video id>.csv                                                 (e.g. Deepfakes/c23/000_003.csv);
 *   3. DIR/<file stem>.csv                                                (a flat folder, FeatureExtraction's default).
 * A flat-folder match shared by two videos of the build (FF++ uses the stem 000_003 for every method) is refused
 * as ambiguous; a video with no match gets null (a reported failure).
 */
export async function matchOpenFaceCsvs(dir: string, videos: readonly VideoEntry[]): Promise<Map<string, string | null>> {
  const available = await listCsvFiles(dir);
  const matches = new Map<string, string | null>();
  const flatUsers = new Map<string, string[]>();
  for (const video of videos) {
    const withoutExt = video.path.slice(0, video.path.length - posix.extname(video.path).length);
    const stem = posix.basename(withoutExt);
    const mirrored = `${withoutExt}.csv`;
    const byId = `${video.id}.csv`;
    const flat = `${stem}.csv`;
    let found: string | null = null;
    if (available.has(mirrored)) found = mirrored;
    else if (available.has(byId)) found = byId;
    else if (available.has(flat)) {
      found = flat;
      flatUsers.set(flat, [...(flatUsers.get(flat) ?? []), video.id]);
    }
    matches.set(video.id, found === null ? null : join(dir, found));
  }
  for (const [flat, ids] of flatUsers) {
    if (ids.length > 1) {
      throw new BuildError(
        `--openface ${dir}: ${flat} would serve ${ids.length} videos (${ids.slice(0, 3).join(", ")}${ids.length > 3 ? ", …" : ""}); ` +
          `put each CSV at DIR/<video path>.csv or DIR/<video id>.csv`,
      );
    }
  }
  return matches;
}

/** Every `.csv` below `dir`, relative and `/`-separated. */
async function listCsvFiles(dir: string): Promise<Set<string>> {
  const found = new Set<string>();
  const walk = async (relative: string, depth: number): Promise<void> => {
    if (depth > 32) return; // a symbolic-link loop
    let entries;
    try {
      entries = await readdir(join(dir, relative), { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (relative === "") throw new BuildError(`--openface ${dir}: ${code === "ENOENT" ? "directory not found" : `cannot list it (${code})`}`);
      return;
    }
    for (const entry of entries) {
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory() || (entry.isSymbolicLink() && !entry.name.toLowerCase().endsWith(".csv"))) await walk(path, depth + 1);
      else if (entry.name.toLowerCase().endsWith(".csv")) found.add(path);
    }
  };
  await walk("", 0);
  return found;
}
