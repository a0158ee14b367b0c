/**
 * The checks that make an exported Hugging Face folder publishable, as assertions: the card's YAML parses and
 * declares what the Hub reads; its `configs` globs match exactly the data files; croissant.json parses, lists
 * every data file with its sha256 and every column with its type, and has the responsible-AI fields.
 * Used by test/export-hf.test.ts and runnable on any folder: `node dist/test/helpers/hf-folder.js DIR`.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parse as parseYaml } from "yaml";
import type { Manifest } from "../../src/store/manifest.js";
import { PARQUET_COLUMNS } from "../../src/store/parquet-columns.js";

export const RAI_FIELDS = [
  "rai:dataCollection",
  "rai:dataPreprocessingProtocol",
  "rai:dataAnnotationProtocol",
  "rai:personalSensitiveInformation",
  "rai:dataLimitations",
  "rai:dataBiases",
  "rai:dataUseCases",
] as const;

export interface CardYaml {
  license: string;
  task_categories: string[];
  tags: string[];
  size_categories: string[];
  configs: { config_name: string; default?: boolean; data_files: { split: string; path: string }[] }[];
}

export interface CheckedHfFolder {
  card: CardYaml;
  body: string;
  croissant: Record<string, unknown>;
  manifest: Manifest;
  /** Data files on disk, relative, sorted. */
  dataFiles: string[];
}

/** Every file under dir (relative, `/`-separated, sorted). */
export function filesUnder(dir: string, relative = ""): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(dir, relative), { withFileTypes: true })) {
    const path = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) found.push(...filesUnder(dir, path));
    else found.push(path);
  }
  return found.sort();
}

/** Glob matching as the Hub's data_files use it here: `*` is any run of characters within one path part. */
export function globMatches(glob: string, path: string): boolean {
  const pattern = glob
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join("[^/]*");
  return new RegExp(`^${pattern}$`).test(path);
}

export function checkHfFolder(dir: string): CheckedHfFolder {
  const files = filesUnder(dir);
  const dataFiles = files.filter((f) => f.startsWith("data/"));
  assert.ok(dataFiles.length > 0, "the folder has data files");
  assert.ok(dataFiles.every((f) => /^data\/[^/=]+\/[^/=]+\/[^/=]+\/part-[0-9a-f]+\.parquet$/.test(f)), `data files in plain directories: ${dataFiles.join(", ")}`);
  assert.deepEqual(files.filter((f) => !f.startsWith("data/")), ["README.md", "croissant.json", "manifest.json"]);
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;
  assert.deepEqual(manifest.data_files.map((f) => f.path).sort(), dataFiles, "manifest.json lists exactly the data files");

  // The card: YAML front matter between the first two "---" lines.
  const readme = readFileSync(join(dir, "README.md"), "utf8");
  const front = /^---\n([\s\S]*?)\n---\n/.exec(readme);
  assert.ok(front, "README.md starts with a YAML front matter block");
  const card = parseYaml(front[1]!) as CardYaml;
  assert.equal(typeof card.license, "string");
  assert.ok(card.license.length > 0);
  assert.ok(Array.isArray(card.task_categories) && card.task_categories.length > 0, "task_categories");
  assert.ok(Array.isArray(card.tags) && card.tags.includes("deepfake-detection"), "tags");
  assert.ok(Array.isArray(card.size_categories) && card.size_categories.length === 1, "size_categories");

  // configs: "all" (default) and one per method-compression; each split glob matches exactly its files.
  const partitions = manifest.data_files.map((f) => ({ path: f.path, ...f.partition }));
  const subsets = [...new Set(partitions.map((p) => `${p.method}-${p.compression}`))].sort();
  assert.deepEqual(card.configs.map((c) => c.config_name), ["all", ...subsets]);
  assert.deepEqual(card.configs.filter((c) => c.default === true).map((c) => c.config_name), ["all"]);
  const splits = Object.keys(manifest.splits);
  for (const config of card.configs) {
    const inConfig = config.config_name === "all" ? partitions : partitions.filter((p) => `${p.method}-${p.compression}` === config.config_name);
    const configSplits = splits.filter((s) => inConfig.some((p) => p.split === s));
    assert.deepEqual(config.data_files.map((d) => d.split), configSplits, `${config.config_name}: one data_files entry per split it has`);
    for (const { split, path } of config.data_files) {
      const matched = dataFiles.filter((f) => globMatches(path, f));
      const expected = inConfig.filter((p) => p.split === split).map((p) => p.path).sort();
      assert.deepEqual(matched, expected, `${config.config_name}/${split}: ${path} matches exactly its data files`);
    }
  }
  const allConfig = card.configs[0]!;
  assert.deepEqual(dataFiles.filter((f) => allConfig.data_files.filter((d) => globMatches(d.path, f)).length !== 1), [], "each data file is in exactly one split of all");

  // croissant.json
  const croissant = JSON.parse(readFileSync(join(dir, "croissant.json"), "utf8")) as Record<string, unknown>;
  const context = croissant["@context"] as Record<string, unknown>;
  assert.equal(context["cr"], "http://mlcommons.org/croissant/");
  assert.equal(context["rai"], "http://mlcommons.org/croissant/RAI/");
  assert.equal(context["@vocab"], "https://schema.org/");
  assert.equal(croissant["@type"], "sc:Dataset");
  assert.equal(croissant["conformsTo"], "http://mlcommons.org/croissant/1.0");
  for (const key of ["name", "description", "license"]) assert.ok(typeof croissant[key] === "string" && (croissant[key] as string).length > 0, key);
  const distribution = croissant["distribution"] as Record<string, unknown>[];
  const fileObjects = distribution.filter((d) => d["@type"] === "cr:FileObject");
  assert.deepEqual(fileObjects.map((d) => d["contentUrl"]).sort(), dataFiles, "one FileObject per data file");
  for (const object of fileObjects) {
    const bytes = readFileSync(join(dir, object["contentUrl"] as string));
    assert.equal(object["sha256"], createHash("sha256").update(bytes).digest("hex"), `${String(object["contentUrl"])}: sha256`);
    assert.equal(object["contentSize"], `${bytes.length} B`);
    assert.equal(object["encodingFormat"], "application/x-parquet");
  }
  const fileSets = distribution.filter((d) => d["@type"] === "cr:FileSet");
  assert.equal(fileSets.length, 1);
  assert.deepEqual(dataFiles.filter((f) => !globMatches(fileSets[0]!["includes"] as string, f)), [], "the FileSet includes every data file");
  const recordSets = croissant["recordSet"] as Record<string, unknown>[];
  assert.equal(recordSets.length, 1);
  assert.equal(recordSets[0]!["@type"], "cr:RecordSet");
  const fields = recordSets[0]!["field"] as Record<string, unknown>[];
  assert.deepEqual(fields.map((f) => f["name"]), PARQUET_COLUMNS.map((c) => c.name), "one Field per column, in order");
  const expectedType: Record<string, string> = { string: "sc:Text", int32: "sc:Integer", float64: "sc:Float", float32: "sc:Float" };
  for (const column of PARQUET_COLUMNS) {
    const field = fields.find((f) => f["name"] === column.name)!;
    assert.equal(field["@type"], "cr:Field");
    const list = column.type.startsWith("fixed_size_list");
    assert.equal(field["dataType"], list ? "sc:Float" : expectedType[column.type], `${column.name}: dataType`);
    assert.equal(field["repeated"] === true, list, `${column.name}: repeated only for the 136-value lists`);
    assert.deepEqual(field["source"], { fileSet: { "@id": fileSets[0]!["@id"] }, extract: { column: column.name } });
  }
  for (const key of RAI_FIELDS) {
    const value = croissant[key];
    const text = Array.isArray(value) ? value.join(" ") : value;
    assert.ok(typeof text === "string" && text.length > 20, `${key} is filled`);
  }
  return { card, body: readme.slice(front[0].length), croissant, manifest, dataFiles };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const dir = process.argv[2];
  if (!dir) throw new Error("usage: node dist/test/helpers/hf-folder.js DIR");
  const checked = checkHfFolder(dir);
  const fields = (checked.croissant["recordSet"] as { field: unknown[] }[])[0]!.field.length;
  console.log(
    `${dir}: card YAML parses (license ${checked.card.license}, ${checked.card.configs.length} configs: ${checked.card.configs.map((c) => c.config_name).join(", ")}); ` +
      `every configs glob matches exactly its data files (${checked.dataFiles.length}); croissant.json lists ${checked.dataFiles.length} files with sha256 and ${fields} columns; ` +
      `${RAI_FIELDS.length} rai fields filled`,
  );
}
