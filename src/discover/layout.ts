import { stat } from "node:fs/promises";
import { isAbsolute, join, posix, relative, sep } from "node:path";
import { LayoutError } from "./errors.js";
import { BUILTIN_VARIABLES, type FieldRules, type Layout, type SourceRules } from "./layout-spec.js";
import { compilePathPattern, matchPathPattern } from "./path-pattern.js";
import { readSplitFiles, type SplitTable } from "./split-files.js";
import { renderTemplate, templateVariables, type Template } from "./template.js";
import { listCandidateFiles } from "./tree-walk.js";
import type { Label, VideoEntry } from "../store/types.js";
import { readVideoList } from "./video-list.js";

export interface LayoutOptions {
  /** Directory of the layout's split files (`--splits DIR`); default: the layout's `defaultDir` under the root. */
  splitsDir?: string;
  /** A CSV/JSON list of `path,label[,split]` read instead of walking the tree (layouts with a `list` rule). */
  list?: string;
  /** Replaces the pattern of a layout's only tree rule (e.g. `{split}/{label}/**\/*` for `folder`). */
  pattern?: string;
  /** Keep only these methods / compressions / splits (`--methods`, `--compression`, `--splits-only`). */
  methods?: readonly string[];
  compression?: readonly string[];
  splitsOnly?: readonly string[];
  /** Accept split-file entries that name no video under the root (a partial download). Default: an error. */
  allowUnknownSplitIds?: boolean;
}

export interface LayoutResult {
  /** Videos after filters, sorted by id. */
  videos: VideoEntry[];
  /** Files with a video extension in the walked directories that no rule matched (worth a warning). */
  unmatched: string[];
  /** Videos the layout found before filters. */
  discovered: number;
  /** Split files read, if any. */
  splitFiles: string[];
}

/**
 * Split, method and compression become directory names (`data/train/Deepfakes/c23`): keep them plain, without
 * "=" (a reader would take `a=b` for a Hive partition) and starting with a letter (format 1 wrote Hive
 * directories, where pyarrow would read `split=1` as an integer). Splits are also Hugging Face split names (`\w+`).
 */
const PARTITION_VALUE = /^[A-Za-z][A-Za-z0-9._+-]*$/;
const SPLIT_VALUE = /^[A-Za-z][A-Za-z0-9_]*$/;

interface Candidate {
  /** Path relative to the root, `/`-separated. */
  path: string;
  /** Names the candidate in messages: the file, or `list.csv line 4`. */
  origin: string;
  rules: FieldRules;
  vars: Record<string, string | undefined>;
}

/** Finds a dataset's videos as the layout declares them. Errors name the offending path, list or split file. */
export async function discoverVideos(layout: Layout, root: string, options: LayoutOptions = {}): Promise<LayoutResult> {
  const candidates: Candidate[] = [];
  let unmatched: string[] = [];
  let looked: string;

  if (options.list !== undefined && options.pattern !== undefined) {
    throw new LayoutError(`give either a video list (${options.list}) or a pattern (${options.pattern}), not both`, options.list);
  }
  if (options.list !== undefined) {
    if (!layout.list) throw new LayoutError(`layout ${layout.name} does not take a video list (${layout.file})`, layout.file);
    const listFile = options.list;
    looked = `the videos listed in ${listFile}`;
    for (const row of readVideoList(listFile)) {
      const origin = `${listFile} ${row.at}`;
      const path = relativeToRoot(root, row.columns["path"]!, origin);
      const info = await stat(join(root, path)).catch(() => undefined);
      if (!info?.isFile()) throw new LayoutError(`${listFile}: ${row.at} names ${path}, which is not a file under ${root}`, listFile);
      candidates.push({ path, origin, rules: layout.list, vars: { ...row.columns, ...builtinVariables(path) } });
    }
  } else {
    const sources = options.pattern === undefined ? layout.sources : [overridePattern(layout, options.pattern)];
    looked = sources.map((s) => s.pattern.source).join(", ");
    const files = await listCandidateFiles(root, sources.map((s) => s.pattern), layout.extensions);
    for (const path of files) {
      const hit = firstMatch(sources, path);
      if (!hit) {
        unmatched.push(path);
        continue;
      }
      candidates.push({ path, origin: join(root, path), rules: hit.source, vars: { ...hit.captures, ...builtinVariables(path) } });
    }
  }
  if (candidates.length === 0) {
    throw new LayoutError(`${root}: layout ${layout.name} found no video (looked for ${looked})`, root);
  }

  let splitTable: SplitTable | undefined;
  const splitsFor = (): SplitTable => {
    if (splitTable) return splitTable;
    const rule = layout.splits!;
    const dir = options.splitsDir ?? (rule.defaultDir !== undefined ? join(root, rule.defaultDir) : undefined);
    if (dir === undefined) {
      throw new LayoutError(
        `layout ${layout.name} takes splits from ${Object.values(rule.files).join(", ")}: give the directory holding them (--splits DIR)`,
        layout.file,
      );
    }
    splitTable = readSplitFiles(layout, dir);
    return splitTable;
  };

  const videos: VideoEntry[] = [];
  const keysInTree = new Set<string>();
  const byId = new Map<string, Candidate>();
  for (const candidate of candidates) {
    const entry = renderEntry(layout, candidate, splitsFor, keysInTree);
    if (!entry) continue;
    const twin = byId.get(entry.id);
    if (twin) {
      throw new LayoutError(`${candidate.origin}: video id "${entry.id}" is also the id of ${twin.origin}; ids must be unique`, candidate.origin);
    }
    byId.set(entry.id, candidate);
    videos.push(entry);
  }

  if (splitTable && !options.allowUnknownSplitIds) {
    for (const entry of splitTable.entries) {
      if (!entry.keys.some((k) => keysInTree.has(k))) {
        throw new LayoutError(`${entry.file}: ${entry.at} (${entry.text}) names no video found under ${root}`, entry.file);
      }
    }
  }

  const discovered = videos.length;
  const kept = videos.filter(
    (v) =>
      (!options.methods || options.methods.includes(v.method)) &&
      (!options.compression || options.compression.includes(v.compression)) &&
      (!options.splitsOnly || options.splitsOnly.includes(v.split)),
  );
  if (kept.length === 0) {
    const found = (pick: (v: VideoEntry) => string): string => [...new Set(videos.map(pick))].sort().join(", ");
    throw new LayoutError(
      `${root}: no video left after filters` +
        (options.methods ? ` methods=${options.methods.join(",")}` : "") +
        (options.compression ? ` compression=${options.compression.join(",")}` : "") +
        (options.splitsOnly ? ` splits=${options.splitsOnly.join(",")}` : "") +
        ` (found methods ${found((v) => v.method)}; compressions ${found((v) => v.compression)}; splits ${found((v) => v.split)})`,
      root,
    );
  }
  kept.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  unmatched = unmatched.sort();
  return { videos: kept, unmatched, discovered, splitFiles: splitTable?.files ?? [] };
}

function renderEntry(
  layout: Layout,
  candidate: Candidate,
  splitsFor: () => SplitTable,
  keysInTree: Set<string>,
): VideoEntry | undefined {
  const { rules, vars, origin } = candidate;
  const render = (field: string, template: Template): string => {
    const value = renderTemplate(template, vars);
    if (value === undefined) {
      const missing = templateVariables(template).find((v) => !v.hasFallback && !vars[v.name])?.name ?? "?";
      throw new LayoutError(`${origin}: cannot assign a ${field}: {${missing}} is not defined for this video`, origin);
    }
    return value;
  };

  const labelText = render("label", rules.label);
  const label: Label | undefined = layout.labelWords.get(labelText.toLowerCase());
  if (!label) {
    const words = (l: Label): string => [...layout.labelWords].filter(([, v]) => v === l).map(([w]) => w).join(", ");
    throw new LayoutError(
      `${origin}: cannot assign a label: "${labelText}" is not a label word (real: ${words("real")}; fake: ${words("fake")})`,
      origin,
    );
  }

  let split: string;
  if (rules.split) {
    split = render("split", rules.split);
  } else {
    const key = render("split key", rules.splitKey);
    keysInTree.add(key);
    const table = splitsFor();
    const listed = table.byKey.get(key);
    if (!listed) {
      if (rules.unlisted === "skip") return undefined;
      throw new LayoutError(
        `${origin}: no split for this video: its key "${key}" is in none of ${table.files.join(", ")}`,
        origin,
      );
    }
    split = listed.split;
  }

  const method = render("method", rules.method);
  const compression = render("compression", rules.compression);
  if (!SPLIT_VALUE.test(split)) {
    throw new LayoutError(`${origin}: split "${split}" cannot name a partition (a letter, then letters, digits or _)`, origin);
  }
  for (const [field, value] of [["method", method], ["compression", compression]] as const) {
    if (!PARTITION_VALUE.test(value)) {
      throw new LayoutError(`${origin}: ${field} "${value}" cannot name a partition (a letter, then letters, digits, . _ + -)`, origin);
    }
  }
  const id = render("id", rules.id);
  if (id.trim() !== id || id === "") throw new LayoutError(`${origin}: video id "${id}" is empty or has surrounding spaces`, origin);
  const identities = [...new Set(rules.identities.map((t) => renderTemplate(t, vars) ?? "").filter((v) => v !== ""))];
  return { id, path: candidate.path, label, split, method, compression, identities };
}

function firstMatch(sources: readonly SourceRules[], path: string): { source: SourceRules; captures: Record<string, string> } | undefined {
  for (const source of sources) {
    const captures = matchPathPattern(source.pattern, path);
    if (captures) return { source, captures };
  }
  return undefined;
}

function overridePattern(layout: Layout, pattern: string): SourceRules {
  if (layout.sources.length !== 1) {
    throw new LayoutError(`layout ${layout.name} has ${layout.sources.length} rules; only a one-rule layout takes another pattern`, layout.file);
  }
  const source = layout.sources[0]!;
  let compiled;
  try {
    compiled = compilePathPattern(pattern);
  } catch (error) {
    throw new LayoutError(`pattern for layout ${layout.name}: ${(error as Error).message}`, layout.file);
  }
  const known = new Set<string>([...BUILTIN_VARIABLES, ...compiled.captures]);
  const templates = [source.id, source.label, source.method, source.compression, ...(source.split ? [source.split] : [])];
  for (const template of templates) {
    for (const v of templateVariables(template)) {
      if (!known.has(v.name) && !v.hasFallback) {
        throw new LayoutError(`pattern "${pattern}" does not capture {${v.name}}, which layout ${layout.name} needs (${layout.file})`, layout.file);
      }
    }
  }
  return { ...source, pattern: compiled };
}

function builtinVariables(path: string): Record<string, string> {
  const file = posix.basename(path);
  const ext = posix.extname(file);
  const dir = posix.dirname(path);
  return {
    path,
    pathNoExt: ext ? path.slice(0, -ext.length) : path,
    dir: dir === "." ? "" : dir,
    file,
    stem: ext ? file.slice(0, -ext.length) : file,
    ext,
  };
}

function relativeToRoot(root: string, listed: string, origin: string): string {
  const rel = isAbsolute(listed) ? relative(root, listed) : posix.normalize(listed.replaceAll("\\", "/"));
  const normalized = rel.split(sep).join("/");
  if (normalized.startsWith("../") || normalized === ".." || isAbsolute(normalized)) {
    throw new LayoutError(`${origin}: ${listed} is outside the dataset root ${root}`, origin);
  }
  return normalized.replace(/^\.\//, "");
}
