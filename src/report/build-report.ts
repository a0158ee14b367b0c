import { dirname, join, resolve } from "node:path";
import { DatasetError } from "../store/errors.js";
import { makeDirectoryDurably, writeFileDurably } from "../io/durable-fs.js";
import { isSameOrInside, realPathOf } from "../io/path-overlap.js";
import { incompleteness, type Manifest } from "../store/manifest.js";
import { JOURNAL_FILE, LOCK_FILE, OWNER_FILE } from "../store/ownership.js";
import { DATA_DIR } from "../store/partition.js";
import { readToolInfo } from "../io/package-files.js";
import { readManifest } from "../store/store.js";
import { collectTraces, videosToLookAt, type VideoToLookAt } from "./collect.js";
import { ReportError } from "./errors.js";
import { renderReport } from "./html.js";

export interface ReportOptions {
  /** How many videos each "to look at" list shows (default 5). */
  worst?: number;
  now?: Date;
  /** Report an unfinished or inconsistent dataset (refused otherwise); the page and `incomplete` say what is missing. */
  allowIncomplete?: boolean;
}

/** The report page of a built dataset, as HTML text (reads manifest.json and the data files of the videos it plots). */
export async function buildReport(outDir: string, options: ReportOptions = {}): Promise<string> {
  return (await makeReport(outDir, options)).html;
}

async function makeReport(outDir: string, options: ReportOptions): Promise<{ html: string; incomplete: string[] }> {
  const manifest = await loadManifest(outDir);
  const incomplete = incompleteness(manifest);
  if (incomplete.length > 0 && options.allowIncomplete !== true) {
    throw new ReportError(
      `${outDir}: not a complete dataset: ${incomplete[0]}${incomplete.length > 1 ? ` (and ${incomplete.length - 1} more)` : ""}; finish it (rerun its build), or pass --allow-incomplete to report what is there`,
    );
  }
  const worst = options.worst ?? 5;
  const { byDetection, byJitter } = videosToLookAt(manifest, worst);
  let traces;
  try {
    traces = await collectTraces(outDir, manifest, [...new Map([...byDetection, ...byJitter].map((v) => [v.id, v])).values()], options.allowIncomplete === true);
  } catch (error) {
    if (error instanceof DatasetError) throw new ReportError(error.message);
    throw error;
  }
  const pick = (id: string): VideoToLookAt => traces.get(id)!;
  const html = renderReport({
    manifest,
    outDir,
    byDetection: byDetection.map((v) => pick(v.id)),
    byJitter: byJitter.map((v) => pick(v.id)),
    generatedAt: options.now ?? new Date(),
    toolVersion: readToolInfo().version,
    incomplete,
  });
  return { html, incomplete };
}

/**
 * Writes the report page to `htmlPath` atomically. A path that would replace the dataset's own files (its
 * manifest, marker, journal, or anything under data/) is refused.
 */
export async function writeReport(outDir: string, htmlPath: string, options: ReportOptions = {}): Promise<{ bytes: number; incomplete: string[] }> {
  const target = await realPathOf(htmlPath);
  const dataset = await realPathOf(outDir);
  const reserved = [DATA_DIR, "manifest.json", OWNER_FILE, JOURNAL_FILE, LOCK_FILE].map((name) => join(dataset, name));
  if (reserved.some((path) => isSameOrInside(target, path))) {
    throw new ReportError(`-o ${htmlPath} would replace a file of the dataset ${outDir}; write the report elsewhere`);
  }
  const { html, incomplete } = await makeReport(outDir, options);
  await makeDirectoryDurably(dirname(resolve(htmlPath)));
  await writeFileDurably(htmlPath, html);
  return { bytes: Buffer.byteLength(html), incomplete };
}

async function loadManifest(outDir: string): Promise<Manifest> {
  try {
    const manifest = await readManifest(outDir);
    if (!manifest) throw new ReportError(`${join(outDir, "manifest.json")}: no manifest; report needs the output directory of lrnet-data build`);
    return manifest;
  } catch (error) {
    if (error instanceof DatasetError) throw new ReportError(error.message);
    throw error;
  }
}
