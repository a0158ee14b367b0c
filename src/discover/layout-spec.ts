import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { LayoutError } from "./errors.js";
import { checkAgainstSchema } from "../io/json-schema.js";
import { layoutsDir } from "../io/package-files.js";
import { compilePathPattern, type PathPattern } from "./path-pattern.js";
import { parseTemplate, templateVariables, type Template } from "./template.js";
import type { Label } from "../store/types.js";

/** The JSON of a layout declaration (`layouts/*.json`, described by `layouts/layout.schema.json`). */
export interface LayoutDeclaration {
  name: string;
  description: string;
  extensions?: string[];
  labels?: Record<Label, string[]>;
  sources: SourceDeclaration[];
  list?: FieldDeclarations;
  splits?: SplitFilesDeclaration;
  /** Further dataset roots a rule may read from (`"root": "ffpp"`), each given on the command line (`--ffpp-root`). */
  roots?: Record<string, { description: string }>;
  /** Printed when a build holds no real video: how to add a real class. */
  noRealClass?: string;
  /** Files that are part of the dataset but not videos to build (masks, models): counted, never read. */
  ignore?: { kind: string; pattern: string }[];
}

export interface FieldDeclarations {
  description?: string;
  id: string;
  label: string;
  split?: string;
  splitKey?: string;
  unlisted?: "error" | "skip";
  method: string;
  compression: string;
  identities?: string[];
  /** The split of the videos that show this identity, as the split files assign it (`splits.keyIdentities`). */
  splitOfIdentity?: string;
}

export interface SourceDeclaration extends FieldDeclarations {
  pattern: string;
  /** A root declared in `roots`: the rule reads from it, and only when it is given. */
  root?: string;
  /** The rule is used only when the build selects this name (`--dfo-real source`). */
  optIn?: string;
  /** Keep a video only when a video of the main root shows its splitOfIdentity identity (the real of a fake found). */
  paired?: boolean;
  /** Where the videos' perturbations are recorded; "none": the rule's videos have none. */
  perturbations?: "none" | PerturbationsDeclaration;
}

export interface PerturbationsDeclaration {
  /** Template of the meta file's path relative to the root. */
  file: string;
  /** Template of the key a meta line's path must give (the same rule applied to the line's file stem). Default {stem}. */
  key?: string;
  /** Template of the level every perturbation must have (a warning otherwise). */
  level?: string;
  /** Template of the number of perturbations (a warning otherwise). */
  count?: string;
}

export type SplitFileFormat = "pairs-json" | "lines" | "json-list";

export interface SplitFilesDeclaration {
  format: SplitFileFormat;
  files: Record<string, string>;
  defaultDir?: string;
  pairSeparator?: string;
  stripExtension?: boolean;
  /** How a split-file key names identities: a pattern over the key and identity templates over its captures. */
  keyIdentities?: { pattern: string; identities: string[] };
}

/** Variables every rule may use, derived from the video's path. */
export const BUILTIN_VARIABLES = ["path", "pathNoExt", "dir", "file", "stem", "ext"] as const;

export interface FieldRules {
  id: Template;
  label: Template;
  /** `undefined`: the split comes from the split files, looked up by `splitKey`. */
  split: Template | undefined;
  splitKey: Template;
  unlisted: "error" | "skip";
  method: Template;
  compression: Template;
  identities: Template[];
  splitOfIdentity: Template | undefined;
}

export interface PerturbationRules {
  file: Template;
  key: Template;
  level: Template | undefined;
  count: Template | undefined;
}

export interface SourceRules extends FieldRules {
  pattern: PathPattern;
  root: string | undefined;
  optIn: string | undefined;
  paired: boolean;
  perturbations: "none" | PerturbationRules | undefined;
}

export interface SplitRules {
  format: SplitFileFormat;
  files: Record<string, string>;
  defaultDir: string | undefined;
  pairSeparator: string;
  stripExtension: boolean;
  keyIdentities: { pattern: PathPattern; identities: Template[] } | undefined;
}

/** A layout ready to run: templates and patterns parsed and checked. */
export interface Layout {
  name: string;
  description: string;
  /** Where the declaration was read from. */
  file: string;
  extensions: string[];
  /** Lower-cased word → label. */
  labelWords: Map<string, Label>;
  sources: SourceRules[];
  list: FieldRules | undefined;
  splits: SplitRules | undefined;
  /** Further roots: name → description. */
  roots: Map<string, string>;
  /** Names that rules opt in by (`optIn`), sorted. */
  optIns: string[];
  noRealClass: string | undefined;
  ignore: { kind: string; pattern: PathPattern }[];
}

export const LAYOUTS_DIR = layoutsDir;
const LAYOUT_SCHEMA = join(layoutsDir, "layout.schema.json");

/** Names of the layouts shipped in `layouts/`. */
export function availableLayouts(): string[] {
  return readdirSync(LAYOUTS_DIR)
    .filter((f) => f.endsWith(".json") && !f.endsWith(".schema.json"))
    .map((f) => basename(f, ".json"))
    .sort();
}

/**
 * Loads a layout by name (`ffpp` → `layouts/ffpp.json`) or from a JSON file path (anything with a
 * `/` or ending in `.json`), validating it against `layouts/layout.schema.json`.
 */
export function loadLayout(nameOrFile: string): Layout {
  const isFile = nameOrFile.includes("/") || nameOrFile.endsWith(".json");
  const file = isFile ? nameOrFile : join(LAYOUTS_DIR, `${nameOrFile}.json`);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if (!isFile && (error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new LayoutError(`unknown layout "${nameOrFile}" (known: ${availableLayouts().join(", ")})`, file);
    }
    throw new LayoutError(`${file}: cannot read layout (${(error as Error).message})`, file);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LayoutError(`${file}: not valid JSON (${(error as Error).message})`, file);
  }
  return compileLayout(json, file);
}

/** Checks a parsed declaration against the layout schema and compiles its patterns and templates. */
export function compileLayout(json: unknown, file: string): Layout {
  const check = checkAgainstSchema(LAYOUT_SCHEMA, json);
  if (!check.valid) throw new LayoutError(`${file}: not a valid layout: ${check.errors.join("; ")}`, file);
  const declaration = json as LayoutDeclaration;
  const fail = (message: string): never => {
    throw new LayoutError(`${file}: ${message}`, file);
  };

  const labelWords = new Map<string, Label>();
  const labels = declaration.labels ?? { real: ["real"], fake: ["fake"] };
  for (const label of ["real", "fake"] as const) {
    for (const word of labels[label]) {
      const key = word.toLowerCase();
      if (labelWords.has(key) && labelWords.get(key) !== label) fail(`label word "${word}" is both real and fake`);
      labelWords.set(key, label);
    }
  }

  const sources = declaration.sources.map((source, i) => {
    let pattern: PathPattern;
    try {
      pattern = compilePathPattern(source.pattern);
    } catch (error) {
      return fail(`sources[${i}]: ${(error as Error).message}`);
    }
    for (const name of pattern.captures) {
      if ((BUILTIN_VARIABLES as readonly string[]).includes(name)) {
        fail(`sources[${i}]: the pattern captures {${name}}, which is a built-in variable; use another name`);
      }
    }
    const rules = compileFields(source, `sources[${i}]`, fail);
    const perturbations = compilePerturbations(source.perturbations, `sources[${i}].perturbations`, fail);
    const known = new Set<string>([...BUILTIN_VARIABLES, ...pattern.captures]);
    const templates = fieldTemplates(rules);
    if (perturbations && perturbations !== "none") {
      templates.push(["perturbations.file", perturbations.file], ["perturbations.key", perturbations.key]);
      if (perturbations.level) templates.push(["perturbations.level", perturbations.level]);
      if (perturbations.count) templates.push(["perturbations.count", perturbations.count]);
    }
    for (const [field, template] of templates) {
      for (const v of templateVariables(template)) {
        if (!known.has(v.name) && !v.hasFallback) {
          fail(`sources[${i}].${field} uses {${v.name}}, which the pattern does not capture (add a fallback: {${v.name}|…})`);
        }
      }
    }
    if (rules.split === undefined && !declaration.splits) {
      fail(`sources[${i}] has no split and the layout declares no split files`);
    }
    if (rules.splitOfIdentity && !declaration.splits?.keyIdentities) {
      fail(`sources[${i}] takes splitOfIdentity, but the layout's splits declare no keyIdentities`);
    }
    if (rules.splitOfIdentity && rules.split) fail(`sources[${i}] has both split and splitOfIdentity`);
    if (source.paired && !rules.splitOfIdentity) fail(`sources[${i}] is paired but has no splitOfIdentity to pair by`);
    if (source.root !== undefined && !declaration.roots?.[source.root]) {
      fail(`sources[${i}] reads root "${source.root}", which the layout's roots do not declare`);
    }
    return { ...rules, pattern, root: source.root, optIn: source.optIn, paired: source.paired ?? false, perturbations };
  });

  const ignore = (declaration.ignore ?? []).map((rule, i) => {
    try {
      return { kind: rule.kind, pattern: compilePathPattern(rule.pattern) };
    } catch (error) {
      return fail(`ignore[${i}]: ${(error as Error).message}`);
    }
  });

  const list = declaration.list ? compileFields(declaration.list, "list", fail) : undefined;
  if (list && list.split === undefined && !declaration.splits) fail(`list has no split and the layout declares no split files`);
  if (list?.splitOfIdentity) fail(`list: splitOfIdentity is for tree rules`);

  const splits = declaration.splits ? compileSplits(declaration.splits, fail) : undefined;

  return {
    name: declaration.name,
    description: declaration.description,
    file,
    extensions: declaration.extensions ?? [".mp4"],
    labelWords,
    sources,
    list,
    splits,
    roots: new Map(Object.entries(declaration.roots ?? {}).map(([name, root]) => [name, root.description])),
    optIns: [...new Set(sources.map((s) => s.optIn).filter((o): o is string => o !== undefined))].sort(),
    noRealClass: declaration.noRealClass,
    ignore,
  };
}

function compileSplits(declaration: SplitFilesDeclaration, fail: (message: string) => never): SplitRules {
  let keyIdentities: SplitRules["keyIdentities"];
  if (declaration.keyIdentities) {
    let pattern: PathPattern;
    try {
      pattern = compilePathPattern(declaration.keyIdentities.pattern);
    } catch (error) {
      return fail(`splits.keyIdentities.pattern: ${(error as Error).message}`);
    }
    const identities = declaration.keyIdentities.identities.map((source, k) => {
      try {
        const template = parseTemplate(source);
        for (const v of templateVariables(template)) {
          if (!pattern.captures.includes(v.name) && !v.hasFallback) fail(`splits.keyIdentities.identities[${k}] uses {${v.name}}, which the pattern does not capture`);
        }
        return template;
      } catch (error) {
        return fail(`splits.keyIdentities.identities[${k}]: ${(error as Error).message}`);
      }
    });
    keyIdentities = { pattern, identities };
  }
  return {
    format: declaration.format,
    files: declaration.files,
    defaultDir: declaration.defaultDir,
    pairSeparator: declaration.pairSeparator ?? "_",
    stripExtension: declaration.stripExtension ?? false,
    keyIdentities,
  };
}

/** parseTemplate whose errors name the declaration's field (`where.field: …`). */
function templateParser(where: string, fail: (message: string) => never): (field: string, source: string) => Template {
  return (field, source) => {
    try {
      return parseTemplate(source);
    } catch (error) {
      return fail(`${where}.${field}: ${(error as Error).message}`);
    }
  };
}

function compilePerturbations(
  declaration: SourceDeclaration["perturbations"],
  where: string,
  fail: (message: string) => never,
): SourceRules["perturbations"] {
  if (declaration === undefined || declaration === "none") return declaration;
  const parse = templateParser(where, fail);
  return {
    file: parse("file", declaration.file),
    key: parse("key", declaration.key ?? "{stem}"),
    level: declaration.level === undefined ? undefined : parse("level", declaration.level),
    count: declaration.count === undefined ? undefined : parse("count", declaration.count),
  };
}

function compileFields(declaration: FieldDeclarations, where: string, fail: (message: string) => never): FieldRules {
  const parse = templateParser(where, fail);
  return {
    id: parse("id", declaration.id),
    label: parse("label", declaration.label),
    split: declaration.split === undefined ? undefined : parse("split", declaration.split),
    splitKey: parse("splitKey", declaration.splitKey ?? "{stem}"),
    unlisted: declaration.unlisted ?? "error",
    method: parse("method", declaration.method),
    compression: parse("compression", declaration.compression),
    identities: (declaration.identities ?? []).map((t, k) => parse(`identities[${k}]`, t)),
    splitOfIdentity: declaration.splitOfIdentity === undefined ? undefined : parse("splitOfIdentity", declaration.splitOfIdentity),
  };
}

function fieldTemplates(rules: FieldRules): [string, Template][] {
  const out: [string, Template][] = [
    ["id", rules.id],
    ["label", rules.label],
    ["splitKey", rules.splitKey],
    ["method", rules.method],
    ["compression", rules.compression],
  ];
  if (rules.split) out.push(["split", rules.split]);
  if (rules.splitOfIdentity) out.push(["splitOfIdentity", rules.splitOfIdentity]);
  rules.identities.forEach((t, k) => out.push([`identities[${k}]`, t]));
  return out;
}
