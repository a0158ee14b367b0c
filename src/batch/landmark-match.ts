import { stat } from "node:fs/promises";
import { join, posix } from "node:path";
import type { ImportFormat } from "../sources/import/track.js";
import type { VideoEntry } from "../store/types.js";
import { BuildError } from "./errors.js";

/** The names a video's landmarks may have under `--landmarks DIR`, for one base path, in the order tried. */
function candidates(base: string, format: ImportFormat | undefined): { path: string; folder: boolean }[] {
  const file = (ext: string) => ({ path: `${base}${ext}`, folder: false });
  switch (format) {
    case "npy-frames":
      return [{ path: base, folder: true }];
    case "npy-video":
      return [file(".npy")];
    case "jsonl":
      return [file(".jsonl"), file(".ndjson")];
    case "csv":
    case "openface":
      return [file(".csv")];
    case undefined:
      return [{ path: base, folder: true }, file(".npy"), file(".jsonl"), file(".ndjson"), file(".csv")];
  }
}

/**
 * Finds each video's landmarks under `--landmarks DIR`, the way `--openface` finds CSVs, first match wins:
 *   1. DIR/<video path relative to the root without its extension>  (a mirror of the dataset tree);
 *   2. DIR/<video id>                                                (e.g. Deepfakes/c23/000_003);
 *   3. DIR/<file stem>                                               (a flat folder);
 * each as a folder of per-frame .npy files, or a file ending in .npy, .jsonl, .ndjson or .csv (only the
 * format's own when `format` is given). A flat match shared by two videos is refused as ambiguous; a video with
 * no match gets null (a reported failure).
 */
export async function matchLandmarkPaths(dir: string, videos: readonly VideoEntry[], format?: ImportFormat): Promise<Map<string, string | null>> {
  const root = await stat(dir).catch(() => null);
  if (root === null || !root.isDirectory()) throw new BuildError(`--landmarks ${dir}: ${root === null ? "directory not found" : "not a directory"}`);
  const exists = async (c: { path: string; folder: boolean }): Promise<boolean> => {
    const s = await stat(join(dir, c.path)).catch(() => null);
    return s !== null && (c.folder ? s.isDirectory() : s.isFile());
  };
  const matches = new Map<string, string | null>();
  const flatUsers = new Map<string, string[]>();
  for (const video of videos) {
    const withoutExt = video.path.slice(0, video.path.length - posix.extname(video.path).length);
    const stem = posix.basename(withoutExt);
    let found: string | null = null;
    for (const [base, flat] of [[withoutExt, false], [video.id, false], [stem, true]] as const) {
      for (const c of candidates(base, format)) {
        if (await exists(c)) {
          found = c.path;
          if (flat) flatUsers.set(found, [...(flatUsers.get(found) ?? []), video.id]);
          break;
        }
      }
      if (found !== null) break;
    }
    matches.set(video.id, found === null ? null : join(dir, found));
  }
  for (const [flat, ids] of flatUsers) {
    if (ids.length > 1) {
      throw new BuildError(
        `--landmarks ${dir}: ${flat} would serve ${ids.length} videos (${ids.slice(0, 3).join(", ")}${ids.length > 3 ? ", …" : ""}); ` +
          `put each video's landmarks at DIR/<video path> or DIR/<video id>`,
      );
    }
  }
  return matches;
}
