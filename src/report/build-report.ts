import { join } from "node:path";
import { DatasetError } from "../store/errors.js";
import { writeFileDurably } from "../io/durable-fs.js";
import type { Manifest } from "../store/manifest.js";
import { readToolInfo } from "../io/package-files.js";
import { readManifest } from "../store/store.js";
import { collectTraces, videosToLookAt, type VideoToLookAt } from "./collect.js";
import { ReportError } from "./errors.js";
import { renderReport } from "./html.js";

export interface ReportOptions {
  /** How many videos each "to look at" list shows (default 5). */
  worst?: number;
  now?: Date;
}

/** The report page of a built dataset, as HTML text (reads manifest.json and the data files of the videos it plots). */
export async function buildReport(outDir: string, options: ReportOptions = {}): Promise<string> {
  const manifest = await loadManifest(outDir);
  const worst = options.worst ?? 5;
  const { byDetection, byJitter } = videosToLookAt(manifest, worst);
  const traces = await collectTraces(outDir, [...new Map([...byDetection, ...byJitter].map((v) => [v.id, v])).values()]);
  const pick = (id: string): VideoToLookAt => traces.get(id)!;
  return renderReport({
    manifest,
    outDir,
    byDetection: byDetection.map((v) => pick(v.id)),
    byJitter: byJitter.map((v) => pick(v.id)),
    generatedAt: options.now ?? new Date(),
    toolVersion: readToolInfo().version,
  });
}

/** Writes the report page to `htmlPath` atomically. */
export async function writeReport(outDir: string, htmlPath: string, options: ReportOptions = {}): Promise<{ bytes: number }> {
  const html = await buildReport(outDir, options);
  await writeFileDurably(htmlPath, html).catch((error: NodeJS.ErrnoException) => {
    throw new ReportError(`${htmlPath}: cannot be written (${error.code ?? error.message})`);
  });
  return { bytes: Buffer.byteLength(html) };
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
