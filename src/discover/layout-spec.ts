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
}

export interface SourceDeclaration extends FieldDeclarations {
  pattern: string;
}

export type SplitFileFormat = "pairs-json" | "lines" | "json-list";

export interface SplitFilesDeclaration {
  format: SplitFileFormat;
  files: Record<string, string>;
  defaultDir?: string;
  pairSeparator?: string;
  stripExtension?: boolean;
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
}

export interface SourceRules extends FieldRules {
  pattern: PathPattern;
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
  splits: (Required<Omit<SplitFilesDeclaration, "defaultDir">> & { defaultDir: string | undefined }) | undefined;
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
    const known = new Set<string>([...BUILTIN_VARIABLES, ...pattern.captures]);
    for (const [field, template] of fieldTemplates(rules)) {
      for (const v of templateVariables(template)) {
        if (!known.has(v.name) && !v.hasFallback) {
          fail(`sources[${i}].${field} uses {${v.name}}, which the pattern does not capture (add a fallback: {${v.name}|…})`);
        }
      }
    }
    if (rules.split === undefined && !declaration.splits) {
      fail(`sources[${i}] has no split and the layout declares no split files`);
    }
    return { ...rules, pattern };
  });

  const list = declaration.list ? compileFields(declaration.list, "list", fail) : undefined;
  if (list && list.split === undefined && !declaration.splits) fail(`list has no split and the layout declares no split files`);

  const splits = declaration.splits
    ? {
        format: declaration.splits.format,
        files: declaration.splits.files,
        defaultDir: declaration.splits.defaultDir,
        pairSeparator: declaration.splits.pairSeparator ?? "_",
        stripExtension: declaration.splits.stripExtension ?? false,
      }
    : undefined;

  return {
    name: declaration.name,
    description: declaration.description,
    file,
    extensions: declaration.extensions ?? [".mp4"],
    labelWords,
    sources,
    list,
    splits,
  };
}

function compileFields(declaration: FieldDeclarations, where: string, fail: (message: string) => never): FieldRules {
  const parse = (field: string, source: string): Template => {
    try {
      return parseTemplate(source);
    } catch (error) {
      return fail(`${where}.${field}: ${(error as Error).message}`);
    }
  };
  return {
    id: parse("id", declaration.id),
    label: parse("label", declaration.label),
    split: declaration.split === undefined ? undefined : parse("split", declaration.split),
    splitKey: parse("splitKey", declaration.splitKey ?? "{stem}"),
    unlisted: declaration.unlisted ?? "error",
    method: parse("method", declaration.method),
    compression: parse("compression", declaration.compression),
    identities: (declaration.identities ?? []).map((t, k) => parse(`identities[${k}]`, t)),
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
  rules.identities.forEach((t, k) => out.push([`identities[${k}]`, t]));
  return out;
}
