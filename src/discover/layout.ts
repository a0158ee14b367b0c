import { stat } from "node:fs/promises";
import { isAbsolute, join, posix, relative, sep } from "node:path";
import { LayoutError } from "./errors.js";
import { BUILTIN_VARIABLES, type FieldRules, type Layout, type PerturbationRules, type SourceRules } from "./layout-spec.js";
import { compilePathPattern, matchPathPattern } from "./path-pattern.js";
import {
  formatPerturbations,
  metaLineOf,
  passesPerturbationFilter,
  readMetaFile,
  type MetaLine,
  type Perturbation,
  type PerturbationFilter,
} from "./perturbations.js";
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
  /** Keep only videos with one of these perturbations (`--perturbations CS,VC:2`); videos without a record stay. */
  perturbations?: readonly PerturbationFilter[];
  /**
   * Build what is there when split-file entries name no video (a partial download), listing them in the result.
   * Default: an error naming the first one.
   */
  allowMissing?: boolean;
  /** Further roots the layout declares, by name (`ffpp` → the FaceForensics++ root); their rules run only when given. */
  roots?: Readonly<Record<string, string>>;
  /** Opt-in rules to use (`--dfo-real source`). */
  optIn?: readonly string[];
}

/** A split-file entry that names no video found: `test.txt line 2 (012_M030.mp4)`. */
export interface MissingEntry {
  file: string;
  at: string;
  text: string;
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
  /** Linked directories under the root that lead outside it: not walked (relative paths). */
  linksOutsideRoot: string[];
  /** Entries of the split files, and those that name no video found (built with allowMissing). */
  splitEntries: number;
  missing: MissingEntry[];
  /** Files passed over by kind: the layout's ignore kinds (masks, models) and `unpaired` (paired rules' videos without their fake). */
  skipped: Record<string, number>;
  /** One line each: perturbation records that disagree with their folder. */
  warnings: string[];
  /** Set when no video left is real: the line saying so and how to add a real class. */
  noRealClass: string | undefined;
}

/**
 * Split, method and compression become directory names (`data/train/Deepfakes/c23`): keep them plain, without
 * "=" (a reader would take `a=b` for a Hive partition) and starting with a letter (format 1 wrote Hive
 * directories, where pyarrow would read `split=1` as an integer). Splits are also Hugging Face split names (`\w+`).
 */
const PARTITION_VALUE = /^[A-Za-z][A-Za-z0-9._+-]*$/;
const SPLIT_VALUE = /^[A-Za-z][A-Za-z0-9_]*$/;

interface Candidate {
  /** Path relative to its root, `/`-separated. */
  path: string;
  /** The further root it was found under; undefined: the dataset root. */
  root: string | undefined;
  /** Names the candidate in messages: the file, or `list.csv line 4`. */
  origin: string;
  rules: FieldRules;
  /** The tree rule that matched (undefined for list rows). */
  source: SourceRules | undefined;
  vars: Record<string, string | undefined>;
}

/** What rendering needs besides the candidate: split files (read on first use), keys seen, meta files read. */
interface RenderContext {
  layout: Layout;
  root: string;
  splitsFor: () => SplitTable;
  keysInTree: Set<string>;
  metaFiles: Map<string, Map<string, MetaLine[]>>;
  warnings: string[];
}

/** Finds a dataset's videos as the layout declares them. Errors name the offending path, list or split file. */
export async function discoverVideos(layout: Layout, root: string, options: LayoutOptions = {}): Promise<LayoutResult> {
  const candidates: Candidate[] = [];
  let unmatched: string[] = [];
  let linksOutsideRoot: string[] = [];
  let looked: string;
  const skipped: Record<string, number> = {};
  const extraRoots = options.roots ?? {};
  for (const name of Object.keys(extraRoots)) {
    if (!layout.roots.has(name)) {
      throw new LayoutError(`layout ${layout.name} reads no further root "${name}"${layout.roots.size ? ` (it reads: ${[...layout.roots.keys()].join(", ")})` : ""}`, layout.file);
    }
  }
  if (options.perturbations && !layout.sources.some((s) => s.perturbations !== undefined && s.perturbations !== "none")) {
    throw new LayoutError(`layout ${layout.name} records no perturbations, so --perturbations cannot select any (layouts with meta files: dfo)`, layout.file);
  }
  for (const name of options.optIn ?? []) {
    if (!layout.optIns.includes(name)) {
      throw new LayoutError(`layout ${layout.name} has no rule to opt in by "${name}"${layout.optIns.length ? ` (it has: ${layout.optIns.join(", ")})` : ""}`, layout.file);
    }
  }

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
      candidates.push({ path, root: undefined, origin, rules: layout.list, source: undefined, vars: { ...row.columns, ...builtinVariables(path) } });
    }
  } else {
    const active = (options.pattern === undefined ? layout.sources : [overridePattern(layout, options.pattern)]).filter(
      (s) => (s.root === undefined || extraRoots[s.root] !== undefined) && (s.optIn === undefined || (options.optIn ?? []).includes(s.optIn)),
    );
    looked = active.filter((s) => s.root === undefined).map((s) => s.pattern.source).join(", ");
    for (const rootName of [undefined, ...Object.keys(extraRoots).sort()]) {
      const dir = rootName === undefined ? root : extraRoots[rootName]!;
      const sources = active.filter((s) => s.root === rootName);
      if (sources.length === 0) continue;
      const listing = await listCandidateFiles(dir, sources.map((s) => s.pattern), layout.extensions, rootName === undefined ? layout.ignore : []);
      for (const [kind, count] of Object.entries(listing.ignored)) skipped[kind] = (skipped[kind] ?? 0) + count;
      linksOutsideRoot = [...linksOutsideRoot, ...listing.linksOutsideRoot.map((p) => (rootName === undefined ? p : `${rootName}:${p}`))];
      for (const path of listing.files) {
        const hit = firstMatch(sources, path);
        if (!hit) {
          unmatched.push(rootName === undefined ? path : `${rootName}:${path}`);
          continue;
        }
        candidates.push({ path, root: rootName, origin: join(dir, path), rules: hit.source, source: hit.source, vars: { ...hit.captures, ...builtinVariables(path) } });
      }
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
  const context: RenderContext = { layout, root, splitsFor, keysInTree: new Set(), metaFiles: new Map(), warnings: [] };
  const byId = new Map<string, Candidate>();
  const add = (candidate: Candidate, entry: VideoEntry): void => {
    const twin = byId.get(entry.id);
    if (twin) {
      throw new LayoutError(`${candidate.origin}: video id "${entry.id}" is also the id of ${twin.origin}; ids must be unique`, candidate.origin);
    }
    byId.set(entry.id, candidate);
    videos.push(entry);
  };
  // Paired rules keep a video only when a video of the dataset root shows its identity: render those last.
  const paired = candidates.filter((c) => c.source?.paired);
  for (const candidate of candidates) {
    if (candidate.source?.paired) continue;
    const entry = renderEntry(context, candidate);
    if (entry) add(candidate, entry);
  }
  const shownInRoot = new Set(videos.filter((v) => v.root === undefined).flatMap((v) => v.identities));
  for (const candidate of paired) {
    const entry = renderEntry(context, candidate);
    if (!entry) continue;
    const identity = renderTemplate(candidate.rules.splitOfIdentity!, candidate.vars);
    if (identity !== undefined && shownInRoot.has(identity)) add(candidate, entry);
    else skipped["unpaired"] = (skipped["unpaired"] ?? 0) + 1;
  }

  const missing: MissingEntry[] = [];
  if (splitTable) {
    for (const entry of splitTable.entries) {
      if (!entry.keys.some((k) => context.keysInTree.has(k))) missing.push({ file: entry.file, at: entry.at, text: entry.text });
    }
    if (missing.length > 0 && !options.allowMissing) {
      const first = missing[0]!;
      throw new LayoutError(
        `${first.file}: ${first.at} (${first.text}) names no video found under ${root}` +
          (missing.length > 1 ? ` (${missing.length} split-file entries do)` : "") +
          `; to build the videos that are there, pass --allow-missing (the missing entries are listed in the manifest)`,
        first.file,
      );
    }
  }

  const discovered = videos.length;
  const kept = videos.filter(
    (v) =>
      (!options.methods || options.methods.includes(v.method)) &&
      (!options.compression || options.compression.includes(v.compression)) &&
      (!options.splitsOnly || options.splitsOnly.includes(v.split)) &&
      (!options.perturbations || passesPerturbationFilter(v.perturbations, options.perturbations)),
  );
  if (kept.length === 0) {
    const found = (pick: (v: VideoEntry) => string): string => [...new Set(videos.map(pick))].sort().join(", ");
    throw new LayoutError(
      `${root}: no video left after filters` +
        (options.methods ? ` methods=${options.methods.join(",")}` : "") +
        (options.compression ? ` compression=${options.compression.join(",")}` : "") +
        (options.splitsOnly ? ` splits=${options.splitsOnly.join(",")}` : "") +
        (options.perturbations ? ` perturbations=${options.perturbations.map((t) => (t.kind === "none" ? "none" : t.level === undefined ? t.type : `${t.type}:${t.level}`)).join(",")}` : "") +
        ` (found methods ${found((v) => v.method)}; compressions ${found((v) => v.compression)}; splits ${found((v) => v.split)})`,
      root,
    );
  }
  kept.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  unmatched = unmatched.sort();
  const noRealClass = kept.some((v) => v.label === "real")
    ? undefined
    : `no real video: ${layout.noRealClass ?? `every video layout ${layout.name} found is fake`}`;
  return {
    videos: kept,
    unmatched,
    discovered,
    splitFiles: splitTable?.files ?? [],
    linksOutsideRoot,
    splitEntries: splitTable?.entries.length ?? 0,
    missing,
    skipped,
    warnings: context.warnings,
    noRealClass,
  };
}

function renderEntry(context: RenderContext, candidate: Candidate): VideoEntry | undefined {
  const { layout, splitsFor, keysInTree } = context;
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
  } else if (rules.splitOfIdentity) {
    const identity = render("split identity", rules.splitOfIdentity);
    const table = splitsFor();
    const entries = table.byIdentity.get(identity) ?? [];
    if (entries.length === 0) {
      if (rules.unlisted === "skip") return undefined;
      throw new LayoutError(`${origin}: no split for this video: ${identity} is named by no entry of ${table.files.join(", ")}`, origin);
    }
    const other = entries.find((e) => e.split !== entries[0]!.split);
    if (other) {
      const first = entries[0]!;
      throw new LayoutError(
        `${origin}: ${identity} is in two splits (${first.split}: ${first.file} ${first.at}; ${other.split}: ${other.file} ${other.at}), so this video has no single split`,
        origin,
      );
    }
    split = entries[0]!.split;
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
  const entry: VideoEntry = { id, path: candidate.path, label, split, method, compression, identities };
  if (candidate.root !== undefined) entry.root = candidate.root;
  const perturbations = candidate.source?.perturbations;
  if (perturbations === "none") entry.perturbations = [];
  else if (perturbations) entry.perturbations = perturbationsOf(context, candidate, perturbations, render);
  return entry;
}

/** The video's line of its meta file, as {type, level} in the line's order; a level or count that contradicts the folder is a warning. */
function perturbationsOf(
  context: RenderContext,
  candidate: Candidate,
  rules: PerturbationRules,
  render: (field: string, template: Template) => string,
): Perturbation[] {
  const dir = candidate.root === undefined ? context.root : undefined;
  if (dir === undefined) throw new LayoutError(`${candidate.origin}: perturbation meta files are read from the dataset root only`, candidate.origin);
  const file = join(dir, render("perturbations.file", rules.file));
  let lines = context.metaFiles.get(file);
  if (!lines) {
    lines = readMetaFile(file, (path) => posix.basename(path).replace(/\.[A-Za-z0-9]+$/, ""));
    context.metaFiles.set(file, lines);
  }
  const key = render("perturbations.key", rules.key);
  const candidates = lines.get(key);
  if (!candidates) throw new LayoutError(`${candidate.origin}: ${file} has no line for ${key}, so its perturbations are unknown`, candidate.origin);
  const line = metaLineOf(candidates, candidate.path);
  if (!line) {
    throw new LayoutError(`${candidate.origin}: ${file} lines ${candidates.map((l) => l.line).join(", ")} all name ${key}; none ends with this video's folder and file`, candidate.origin);
  }
  const where = `${file}: line ${line.line} (${line.path} ${formatPerturbations(line.perturbations)})`;
  if (rules.level) {
    const level = Number(render("perturbations.level", rules.level));
    if (line.perturbations.some((p) => p.level !== level)) context.warnings.push(`${where}: level other than ${level}, which the folder of ${candidate.path} implies`);
  }
  if (rules.count) {
    const count = Number(render("perturbations.count", rules.count));
    if (line.perturbations.length !== count) context.warnings.push(`${where}: ${line.perturbations.length} perturbations, the folder of ${candidate.path} implies ${count}`);
  }
  return line.perturbations.map((p) => ({ ...p }));
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
