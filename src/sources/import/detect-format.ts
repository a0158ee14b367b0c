import { closeSync, openSync, readSync, statSync } from "node:fs";
import { extname } from "node:path";
import { LandmarkFileError } from "./errors.js";
import { IMPORT_FORMATS, type ImportFormat } from "./track.js";

/**
 * The format of a `--landmarks` path: a folder is `npy-frames`; a file by its extension (`.npy`, `.jsonl` or
 * `.ndjson`), a `.csv` by its header (OpenFace's has `success` and `confidence` columns).
 */
export function detectImportFormat(path: string): ImportFormat {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LandmarkFileError(path, code === "ENOENT" ? "not found" : `cannot read it (${code})`);
  }
  if (isDirectory) return "npy-frames";
  const ext = extname(path).toLowerCase();
  if (ext === ".npy") return "npy-video";
  if (ext === ".jsonl" || ext === ".ndjson") return "jsonl";
  if (ext === ".csv") return isOpenFaceHeader(firstLine(path)) ? "openface" : "csv";
  throw new LandmarkFileError(path, `cannot tell the landmark format from the name; give --landmark-format (${IMPORT_FORMATS.join(", ")})`);
}

export function isImportFormat(text: string): text is ImportFormat {
  return (IMPORT_FORMATS as readonly string[]).includes(text);
}

function isOpenFaceHeader(line: string): boolean {
  const names = line.split(",").map((c) => c.trim().toLowerCase());
  return names.includes("success") && names.includes("confidence");
}

function firstLine(path: string): string {
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(4096);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, n).toString("utf8").split(/\r?\n/)[0] ?? "";
  } finally {
    closeSync(fd);
  }
}
