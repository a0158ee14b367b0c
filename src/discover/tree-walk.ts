import { readdir, realpath, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { isSameOrInside } from "../io/path-overlap.js";
import { LayoutError } from "./errors.js";
import { directoryMayMatch, matchPathPattern, type PathPattern } from "./path-pattern.js";

export interface CandidateFiles {
  /** Files with a wanted extension, relative, `/`-separated, sorted. */
  files: string[];
  /** Files (any extension) that an ignore pattern matched and no pattern did, counted per kind. */
  ignored: Record<string, number>;
  /** Linked directories (relative paths) that lead outside the root: not walked. */
  linksOutsideRoot: string[];
}

/**
 * Files under `root` whose extension is one of `extensions`, listing only directories from which some pattern
 * (or ignore pattern) can still match; files that only an ignore pattern matches are counted by its kind, not
 * listed. Symbolic links to files are followed (test trees link clips); links to directories only while they
 * stay inside the root (as `--list` refuses paths outside it); a directory reached twice through links is
 * listed once.
 */
export async function listCandidateFiles(
  root: string,
  patterns: readonly PathPattern[],
  extensions: readonly string[],
  ignore: readonly { kind: string; pattern: PathPattern }[] = [],
): Promise<CandidateFiles> {
  const wanted = new Set(extensions.map((e) => e.toLowerCase()));
  const seenDirs = new Set<string>();
  const files: string[] = [];
  const linksOutsideRoot: string[] = [];
  let realRoot = root;
  const ignored: Record<string, number> = {};
  for (const rule of ignore) ignored[rule.kind] = 0;
  const walked = [...patterns, ...ignore.map((i) => i.pattern)];

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
      const childSegments = [...segments, entry.name];
      if (entry.isSymbolicLink()) {
        const target = await stat(child).catch(() => undefined);
        if (!target) continue;
        isDir = target.isDirectory();
        isFile = target.isFile();
        if (isDir && !isSameOrInside(await realpath(child), realRoot)) {
          linksOutsideRoot.push(childSegments.join("/"));
          continue;
        }
      }
      if (isDir) {
        if (walked.some((p) => directoryMayMatch(p, childSegments))) await visit(child, childSegments);
      } else if (isFile) {
        const path = childSegments.join("/");
        const isVideo = wanted.has(extname(entry.name).toLowerCase());
        if (isVideo && patterns.some((p) => matchPathPattern(p, path))) files.push(path);
        else {
          const kind = ignore.find((i) => matchPathPattern(i.pattern, path))?.kind;
          if (kind !== undefined) ignored[kind]!++;
          else if (isVideo) files.push(path);
        }
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
  realRoot = await realpath(root);
  await visit(root, []);
  return { files: files.sort(), ignored, linksOutsideRoot: linksOutsideRoot.sort() };
}
