import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { LayoutError } from "./errors.js";

/** One video named by a list file: its columns (`path`, `label`, optional `split`, and any named by a header). */
export interface ListedVideo {
  /** `line 4` (CSV) or `entry 4` (JSON), for messages. */
  at: string;
  columns: Record<string, string>;
}

const POSITIONAL = ["path", "label", "split"];

/**
 * Reads a CSV (`path,label[,split]`, optionally with a header row naming the columns) or a JSON list (an array
 * of `{path, label, split?}` objects or of `[path, label, split?]` arrays).
 */
export function readVideoList(file: string): ListedVideo[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new LayoutError(`${file}: cannot read video list (${(error as Error).message})`, file);
  }
  const rows = extname(file).toLowerCase() === ".json" ? readJsonList(text, file) : readCsvList(text, file);
  for (const row of rows) {
    if (!row.columns["path"]) throw new LayoutError(`${file}: ${row.at} has no path`, file);
  }
  if (rows.length === 0) throw new LayoutError(`${file}: the video list is empty`, file);
  return rows;
}

function readJsonList(text: string, file: string): ListedVideo[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LayoutError(`${file}: not valid JSON (${(error as Error).message})`, file);
  }
  if (!Array.isArray(json)) throw new LayoutError(`${file}: expected a JSON array of videos`, file);
  return json.map((item: unknown, i) => {
    const at = `entry ${i + 1}`;
    const columns: Record<string, string> = {};
    if (Array.isArray(item)) {
      item.forEach((v, k) => {
        const name = POSITIONAL[k];
        if (name === undefined) throw new LayoutError(`${file}: ${at} has more than ${POSITIONAL.length} values`, file);
        columns[name] = scalarText(v, file, at);
      });
    } else if (item !== null && typeof item === "object") {
      for (const [k, v] of Object.entries(item as Record<string, unknown>)) columns[k] = scalarText(v, file, at);
    } else {
      throw new LayoutError(`${file}: ${at} is neither an object nor an array`, file);
    }
    return { at, columns };
  });
}

function scalarText(value: unknown, file: string, at: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null) return "";
  throw new LayoutError(`${file}: ${at} has a value that is not text or a number`, file);
}

function readCsvList(text: string, file: string): ListedVideo[] {
  const records = parseCsv(text, file);
  if (records.length === 0) return [];
  const first = records[0]!.cells.map((c) => c.trim().toLowerCase());
  const hasHeader = first.includes("path") && first.includes("label");
  const names = hasHeader ? first : POSITIONAL;
  const body = hasHeader ? records.slice(1) : records;
  return body.map(({ line, cells }) => {
    if (cells.length > names.length) {
      throw new LayoutError(`${file}: line ${line} has ${cells.length} columns, expected at most ${names.length}`, file);
    }
    const columns: Record<string, string> = {};
    cells.forEach((cell, k) => (columns[names[k]!] = cell.trim()));
    return { at: `line ${line}`, columns };
  });
}

/** RFC 4180 CSV with `"` quoting; blank lines and lines starting with `#` are skipped. */
function parseCsv(text: string, file: string): { line: number; cells: string[] }[] {
  const out: { line: number; cells: string[] }[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const startLine = line;
    const cells: string[] = [];
    let cell = "";
    let quoted = false;
    let atRecordEnd = false;
    while (i < text.length && !atRecordEnd) {
      const ch = text[i]!;
      if (quoted) {
        if (ch === '"' && text[i + 1] === '"') {
          cell += '"';
          i += 2;
        } else if (ch === '"') {
          quoted = false;
          i++;
        } else {
          if (ch === "\n") line++;
          cell += ch;
          i++;
        }
      } else if (ch === '"' && cell.trim() === "") {
        quoted = true;
        cell = "";
        i++;
      } else if (ch === ",") {
        cells.push(cell);
        cell = "";
        i++;
      } else if (ch === "\n" || ch === "\r") {
        if (ch === "\r" && text[i + 1] === "\n") i++;
        i++;
        line++;
        atRecordEnd = true;
      } else {
        cell += ch;
        i++;
      }
    }
    if (quoted) throw new LayoutError(`${file}: line ${startLine} has an unterminated quote`, file);
    cells.push(cell);
    const blank = cells.length === 1 && cells[0]!.trim() === "";
    if (!blank && !cells[0]!.trimStart().startsWith("#")) out.push({ line: startLine, cells });
  }
  return out;
}
