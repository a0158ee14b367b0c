import { readdir, realpath, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { LayoutError } from "./errors.js";
import { directoryMayMatch, type PathPattern } from "./path-pattern.js";

/**
 * Files under `root` (relative, `/`-separated, sorted) whose extension is one of `extensions`, listing only
 * directories from which some pattern can still match. Symbolic links are followed (test trees link clips);
 * a directory reached twice through links is listed once.
 */
export async function listCandidateFiles(
  root: string,
  patterns: readonly PathPattern[],
  extensions: readonly string[],
): Promise<string[]> {
  const wanted = new Set(extensions.map((e) => e.toLowerCase()));
  const seenDirs = new Set<string>();
  const files: string[] = [];

  const visit = async (absolute: string, segments: string[]): Promise<void> => {
    const real = await realpath(absolute);
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    let entries;
    try {
      entries = await readdir(absolute, { withFileTypes: true });
    } catch (error) {
      throw new LayoutError(`${absolute}: cannot list directory (${(error as Error).message})`, absolute);
    }
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const child = join(absolute, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await stat(child).catch(() => undefined);
        if (!target) continue;
        isDir = target.isDirectory();
        isFile = target.isFile();
      }
      const childSegments = [...segments, entry.name];
      if (isDir) {
        if (patterns.some((p) => directoryMayMatch(p, childSegments))) await visit(child, childSegments);
      } else if (isFile && wanted.has(extname(entry.name).toLowerCase())) {
        files.push(childSegments.join("/"));
      }
    }
  };

  let rootStat;
  try {
    rootStat = await stat(root);
  } catch {
    throw new LayoutError(`${root}: dataset root not found`, root);
  }
  if (!rootStat.isDirectory()) throw new LayoutError(`${root}: dataset root is not a directory`, root);
  await visit(root, []);
  return files.sort();
}
