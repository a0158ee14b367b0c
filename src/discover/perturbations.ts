import { posix } from "node:path";
import type { Perturbation } from "../store/types.js";
import { LayoutError, readListFile } from "./errors.js";

export type { Perturbation };

/** One line of a meta file: `<video path> CS:4` or `<video path> VC:2 GNC:5` (whitespace-separated). */
export interface MetaLine {
  file: string;
  line: number;
  path: string;
  perturbations: Perturbation[];
}

const TOKEN = /^([A-Za-z][A-Za-z0-9]*):([0-9]+)$/;

/** Reads a meta file (LF or CRLF); a malformed token is an error naming file and line. Lines are keyed by `keyOf(path)`. */
export function readMetaFile(file: string, keyOf: (path: string) => string): Map<string, MetaLine[]> {
  const text = readListFile(file, "distortion meta file not found (the layout reads the perturbations of these videos from it)", "");
  const byKey = new Map<string, MetaLine[]>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const cells = raw.trim().split(/\s+/);
    if (cells[0] === "" || cells[0]!.startsWith("#")) return;
    const [path, ...tokens] = cells as [string, ...string[]];
    const perturbations = tokens.map((token) => {
      const match = TOKEN.exec(token);
      if (!match) throw new LayoutError(`${file}: line ${i + 1}: "${token}" is not TYPE:LEVEL (e.g. CS:4)`, file);
      return { type: match[1]!.toUpperCase(), level: Number(match[2]) };
    });
    const key = keyOf(path.replaceAll("\\", "/"));
    const lines = byKey.get(key) ?? [];
    lines.push({ file, line: i + 1, path, perturbations });
    byKey.set(key, lines);
  });
  return byKey;
}

/**
 * The meta line of a video among those sharing its key: the one whose path ends with the video's folder and file
 * (`…/end_to_end_level_3/000_M101.mp4`), else the only one. The perturbation script keeps intermediate outputs
 * in the meta file, so a key may appear more than once.
 */
export function metaLineOf(lines: readonly MetaLine[], videoPath: string): MetaLine | undefined {
  if (lines.length === 1) return lines[0];
  const tail = `${posix.basename(posix.dirname(videoPath))}/${posix.basename(videoPath)}`;
  const matching = lines.filter((l) => l.path.replaceAll("\\", "/") === tail || l.path.replaceAll("\\", "/").endsWith(`/${tail}`));
  return matching.length === 1 ? matching[0] : undefined;
}

/** `CS:4` */
export function formatPerturbation(p: Perturbation): string {
  return `${p.type}:${p.level}`;
}

/** `CS:4 VC:2`, or `none` for an empty list. */
export function formatPerturbations(list: readonly Perturbation[]): string {
  return list.length === 0 ? "none" : list.map(formatPerturbation).join(" ");
}

/** A `--perturbations` term: a type (any level), a type at one level, or `none` (no perturbation). */
export type PerturbationFilter = { kind: "none" } | { kind: "type"; type: string; level: number | undefined };

/** Parses `CS,VC:2,none`; throws a plain Error naming the bad term. */
export function parsePerturbationFilter(terms: readonly string[]): PerturbationFilter[] {
  return terms.map((term) => {
    if (term.toLowerCase() === "none") return { kind: "none" };
    const match = /^([A-Za-z][A-Za-z0-9]*)(?::([1-9][0-9]*))?$/.exec(term);
    if (!match) throw new Error(`"${term}" is not a perturbation (TYPE or TYPE:LEVEL, e.g. CS or VC:2, or none)`);
    return { kind: "type", type: match[1]!.toUpperCase(), level: match[2] === undefined ? undefined : Number(match[2]) };
  });
}

/**
 * Whether a video passes a perturbation filter: a video with a perturbation record passes when one of its
 * perturbations matches a term (or it has none and `none` is a term); a video without a record (a real video,
 * or a layout without meta files) always passes, so that the real class stays.
 */
export function passesPerturbationFilter(list: readonly Perturbation[] | undefined, filter: readonly PerturbationFilter[]): boolean {
  if (list === undefined) return true;
  return filter.some((term) =>
    term.kind === "none" ? list.length === 0 : list.some((p) => p.type === term.type && (term.level === undefined || p.level === term.level)),
  );
}
