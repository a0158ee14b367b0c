import { join } from "node:path";
import { LayoutError, readListFile } from "./errors.js";
import type { Layout } from "./layout-spec.js";
import { matchPathPattern } from "./path-pattern.js";
import { renderTemplate } from "./template.js";

/** One entry of a split file (a line, a key or an FF++ pair) and the keys it puts in its split. */
export interface SplitFileEntry {
  split: string;
  file: string;
  /** Where in the file: `line 12` or `entry 3`. */
  at: string;
  /** As written, for messages: `["071", "054"]` or `000_M101.mp4`. */
  text: string;
  keys: string[];
}

export interface SplitTable {
  /** Split of each key. */
  byKey: Map<string, SplitFileEntry>;
  entries: SplitFileEntry[];
  files: string[];
  /** Entries naming each identity (layouts with `keyIdentities`), in file order. */
  byIdentity: Map<string, SplitFileEntry[]>;
}

/** Reads a layout's split files from `dir`; a key listed in two splits is an error naming both files. */
export function readSplitFiles(layout: Layout, dir: string): SplitTable {
  const rule = layout.splits;
  if (!rule) throw new LayoutError(`layout ${layout.name} declares no split files`, layout.file);
  const entries: SplitFileEntry[] = [];
  const files: string[] = [];
  for (const [split, name] of Object.entries(rule.files)) {
    const file = join(dir, name);
    files.push(file);
    const text = readListFile(file, `split file not found (layout ${layout.name} needs ${Object.values(rule.files).join(", ")} in the splits directory)`, "split file ");
    const strip = (key: string): string => (rule.stripExtension ? key.replace(/\.[A-Za-z0-9]+$/, "") : key);
    if (rule.format === "lines") {
      text.split(/\r?\n/).forEach((line, i) => {
        const key = line.trim();
        if (key === "" || key.startsWith("#")) return;
        entries.push({ split, file, at: `line ${i + 1}`, text: key, keys: [strip(key)] });
      });
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new LayoutError(`${file}: not valid JSON (${(error as Error).message})`, file);
    }
    if (!Array.isArray(json)) throw new LayoutError(`${file}: expected a JSON array`, file);
    json.forEach((item: unknown, i) => {
      const at = `entry ${i + 1}`;
      if (rule.format === "json-list") {
        if (typeof item !== "string") throw new LayoutError(`${file}: ${at} is not a string`, file);
        entries.push({ split, file, at, text: item, keys: [strip(item)] });
        return;
      }
      if (!Array.isArray(item) || item.length !== 2 || !item.every((v) => typeof v === "string")) {
        throw new LayoutError(`${file}: ${at} is not a pair of two ids like ["071", "054"]`, file);
      }
      const [a, b] = item as [string, string];
      const sep = rule.pairSeparator;
      entries.push({ split, file, at, text: JSON.stringify(item), keys: [a, b, `${a}${sep}${b}`, `${b}${sep}${a}`].map(strip) });
    });
  }

  const byKey = new Map<string, SplitFileEntry>();
  for (const entry of entries) {
    for (const key of entry.keys) {
      const seen = byKey.get(key);
      if (seen && seen.split !== entry.split) {
        throw new LayoutError(
          `${entry.file}: ${entry.at} puts "${key}" in ${entry.split}, but ${seen.file} (${seen.at}) puts it in ${seen.split}`,
          entry.file,
        );
      }
      byKey.set(key, entry);
    }
  }
  const byIdentity = new Map<string, SplitFileEntry[]>();
  const rules = rule.keyIdentities;
  if (rules) {
    for (const entry of entries) {
      for (const key of entry.keys) {
        const captures = matchPathPattern(rules.pattern, key);
        if (!captures) {
          throw new LayoutError(`${entry.file}: ${entry.at} (${entry.text}) is not a key like ${rules.pattern.source}`, entry.file);
        }
        for (const template of rules.identities) {
          const identity = renderTemplate(template, captures);
          if (identity === undefined || identity === "") continue;
          const list = byIdentity.get(identity) ?? [];
          list.push(entry);
          byIdentity.set(identity, list);
        }
      }
    }
  }
  return { byKey, entries, files, byIdentity };
}
