import { linesAcrossStretches } from "../store/training-blocks.js";
import { readdir, readFile, stat } from "node:fs/promises";
import { LRNET_BLOCK_FRAMES } from "../calibrate/constants.js";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { isTempFileName } from "../io/durable-fs.js";
import { manifestPathFields, pathEscape, resolveManifestPath } from "../store/confine.js";
import { MANIFEST_FILE, validateManifest, type Manifest, type ManifestDataFile, videosByFile } from "../store/manifest.js";
import { DATA_DIR } from "../store/partition.js";
import { readFileHashed, type HashedBytes } from "../store/data-file.js";
import { addTally, emptyTally, type FileTally } from "./data-checks.js";
import { createFileChecker } from "./file-checker.js";
import { ValidationInputError } from "./errors.js";
import { Findings, listSome, percent, plural } from "./findings.js";
import { checkManifest } from "./manifest-checks.js";
import { CHECKS, type CheckName, type Finding, type ResolvedValidationOptions, type ValidationOptions, type ValidationReport } from "./types.js";

/** Below this many data files, starting worker threads (~0.3 s each to load the decoders) costs more than it saves. */
const MIN_FILES_FOR_WORKERS = 16;

/** One worker per core, at most 8 (each holds one decoded file, ~50 MB). */
function defaultWorkers(): number {
  return Math.min(8, availableParallelism());
}

export const VALIDATION_DEFAULTS: ResolvedValidationOptions = {
  maxFailedShare: 0,
  minDetectedShare: 0.5,
  block: LRNET_BLOCK_FRAMES,
  allowLeakage: false,
};

/**
 * Checks an output directory of `lrnet-data build` (see CHECKS) and reports every problem with the file,
 * video and frame it concerns. Reads manifest.json, then each data file once: its sha256 is computed while
 * it is read, then it is decoded and checked against the manifest. Throws ValidationInputError only when
 * `outDir` is not a directory or an option is out of range; everything else is a finding.
 */
export async function validateDataset(outDir: string, options: ValidationOptions = {}): Promise<ValidationReport> {
  const started = performance.now();
  const resolved = resolveOptions(options);
  const info = await stat(outDir).catch(() => null);
  if (!info?.isDirectory()) throw new ValidationInputError(`${outDir}: not a directory (expected the output directory of lrnet-data build)`);

  const findings = new Findings();
  const tally = emptyTally();
  const ran: CheckName[] = [];
  const skipped: { name: CheckName; reason: string }[] = [];
  const manifest = await loadManifest(outDir, findings);
  ran.push("manifest");
  let dataFileCount = 0;
  let bytes = 0;
  if (!manifest) {
    for (const name of Object.keys(CHECKS) as CheckName[]) if (name !== "manifest") skipped.push({ name, reason: "manifest.json is missing or invalid" });
  } else {
    checkManifest(manifest, resolved, findings);
    ran.push("consistency", "state", "splits", "leakage", "coverage", "failures", "detection");
    await checkFilesOnDisk(outDir, manifest, findings);
    const read = await checkDataFiles(outDir, manifest, findings, tally, { workers: options.workers ?? (manifest.data_files.length >= MIN_FILES_FOR_WORKERS ? defaultWorkers() : 0), onProgress: options.onProgress });
    dataFileCount = manifest.data_files.length;
    bytes = read.bytes;
    ran.push("files", "schema", "rows", "frames", "status", "values", "range");
    if (resolved.block > 0) {
      checkBlocks(manifest, resolved.block, tally, findings);
      ran.push("blocks");
    } else skipped.push({ name: "blocks", reason: "--block 0" });
    if (tally.outOfRangeValues > 0) {
      const worst = tally.worstOutOfRange!;
      findings.warning(
        "range",
        `${plural(tally.outOfRangeValues, "calibrated value")} of ${tally.calibratedValues} (${percent(tally.outOfRangeValues / tally.calibratedValues)}) lie outside [−1, 1]; most in video ${worst.video} (${worst.count}, first at frame ${worst.frame})`,
        { file: worst.file, video: worst.video, frame: worst.frame },
      );
    }
  }

  const order = new Map((Object.keys(CHECKS) as CheckName[]).map((name, i) => [name, i]));
  const checks = [...new Set(ran)]
    .sort((a, b) => order.get(a)! - order.get(b)!)
    .map((name) => {
      const own = findings.list.filter((f) => f.check === name);
      return {
        name,
        description: CHECKS[name],
        errors: own.filter((f) => f.severity === "error").length,
        warnings: own.filter((f) => f.severity === "warning").length,
      };
    });
  const errors = findings.list.filter((f) => f.severity === "error").length;
  const videos = manifest?.videos.length ?? 0;
  const failures = manifest?.failures.length ?? 0;
  const blocks = resolved.block > 0 ? tally.landmarkRowsOf.reduce((sum, [, stretches]) => sum + blocksOf(linesAcrossStretches(stretches, resolved.block), resolved.block), 0) : 0;
  return {
    ok: errors === 0,
    outDir,
    options: resolved,
    checks,
    skipped,
    findings: findings.list,
    errors,
    warnings: findings.list.length - errors,
    figures: {
      videos,
      failures,
      failedShare: videos + failures > 0 ? failures / (videos + failures) : 0,
      dataFiles: dataFileCount,
      bytes,
      rows: tally.rows,
      landmarkRows: tally.landmarkRows,
      blocks,
      calibratedValues: tally.calibratedValues,
      outOfRangeValues: tally.outOfRangeValues,
      outOfRangeShare: tally.calibratedValues > 0 ? tally.outOfRangeValues / tally.calibratedValues : 0,
      seconds: (performance.now() - started) / 1000,
    },
  };
}

/** LRNet's loaders take blocks at i = 0, block, 2·block, … while i < n − block. */
export function blocksOf(rows: number, block: number): number {
  return rows > block ? Math.floor((rows - 1) / block) : 0;
}

function resolveOptions(options: ValidationOptions): ResolvedValidationOptions {
  const resolved: ResolvedValidationOptions = {
    maxFailedShare: options.maxFailedShare ?? VALIDATION_DEFAULTS.maxFailedShare,
    minDetectedShare: options.minDetectedShare ?? VALIDATION_DEFAULTS.minDetectedShare,
    block: options.block ?? VALIDATION_DEFAULTS.block,
    allowLeakage: options.allowLeakage ?? VALIDATION_DEFAULTS.allowLeakage,
  };
  const share = (name: string, value: number): void => {
    if (!(value >= 0 && value <= 1)) throw new ValidationInputError(`${name} must be a share between 0 and 1, got ${value}`);
  };
  share("--max-failed-share", resolved.maxFailedShare);
  share("--min-detected-share", resolved.minDetectedShare);
  if (!Number.isInteger(resolved.block) || resolved.block < 0) throw new ValidationInputError(`--block must be a whole number >= 0, got ${resolved.block}`);
  return resolved;
}

async function loadManifest(outDir: string, findings: Findings): Promise<Manifest | null> {
  const path = join(outDir, MANIFEST_FILE);
  const where = { file: MANIFEST_FILE };
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    findings.error("manifest", code === "ENOENT" ? `${MANIFEST_FILE} is missing: ${outDir} is not a built dataset` : `${path}: cannot be read (${code})`, where);
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    findings.error("manifest", `${MANIFEST_FILE} is not valid JSON (${(error as Error).message})`, where);
    return null;
  }
  const check = validateManifest(json);
  for (const problem of check.errors) findings.error("manifest", `${MANIFEST_FILE} does not match its schema: ${problem}`, where);
  if (!check.valid) return null;
  for (const { field, path } of manifestPathFields(json as Manifest)) {
    const reason = pathEscape(path);
    if (reason) findings.error("manifest", `${MANIFEST_FILE}: ${field} "${path}" ${reason}, outside ${outDir}; it is not read`, where);
  }
  return json as Manifest;
}

/**
 * Files under data/ that the manifest does not list. Readers glob the directory (pyarrow reads every file not
 * starting with "." or "_"; Hugging Face takes every .parquet three levels below data/<split>), so such a file would join the data.
 */
async function checkFilesOnDisk(outDir: string, manifest: Manifest, findings: Findings): Promise<void> {
  const listed = new Set(manifest.data_files.map((f) => f.path));
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(join(outDir, relative), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        await walk(path);
        continue;
      }
      if (listed.has(path)) continue;
      if (isTempFileName(entry.name)) {
        findings.warning("files", `${path}: a temporary file left by an interrupted build (readers skip it; the next build removes it)`, { file: path });
      } else if (entry.name.startsWith(".") || entry.name.startsWith("_")) {
        findings.warning("files", `${path}: a hidden file the manifest does not list (readers skip it)`, { file: path });
      } else {
        findings.error("files", `${path}: not listed in the manifest, yet readers that glob data/ would read it as data`, { file: path });
      }
    }
  };
  await walk(DATA_DIR);
}

/**
 * Each listed data file, read once and hashed as it is read; decoded and checked by `checker` (worker threads
 * for large datasets), with at most `parallel + 1` files in memory. Findings keep file order.
 */
async function checkDataFiles(
  outDir: string,
  manifest: Manifest,
  findings: Findings,
  tally: FileTally,
  options: { workers: number; onProgress: ValidationOptions["onProgress"] },
): Promise<{ bytes: number }> {
  const videosOf = videosByFile(manifest.videos);
  for (const videos of videosOf.values()) videos.sort((a, b) => a.data.row_start - b.data.row_start);
  const files = manifest.data_files;
  const checker = createFileChecker(Math.min(options.workers, files.length));
  const perFile: Finding[][] = files.map(() => []);
  const inFlight = new Set<Promise<void>>();
  let bytes = 0;
  let done = 0;
  try {
    for (let i = 0; i < files.length; i++) {
      while (inFlight.size > checker.parallel) await Promise.race(inFlight);
      const file = files[i]!;
      const own = new Findings();
      const content = await resolveManifestPath(outDir, file.path, `data_files[${i}].path`)
        .then((path) => readFileHashed(path))
        .catch((error: NodeJS.ErrnoException) => error);
      if (content instanceof Error && content.name === "ConfinementError") {
        own.error("files", content.message, { file: file.path, video: file.videos[0]! });
        perFile[i] = own.list;
        options.onProgress?.(++done, files.length, file.path);
        continue;
      }
      if (content instanceof Error) {
        const what = content.code === "ENOENT" ? "is missing" : `cannot be read (${content.code ?? content.message})`;
        own.error("files", `${file.path} ${what}; its ${plural(file.videos.length, "video")} (${listSome(file.videos)}) are unavailable`, {
          file: file.path,
          video: file.videos[0]!,
        });
        perFile[i] = own.list;
        options.onProgress?.(++done, files.length, file.path);
        continue;
      }
      bytes += content.bytes.length;
      checkFileIntegrity(file, content, own);
      const job = checker.check(file, videosOf.get(file.path) ?? [], content.bytes).then((result) => {
        perFile[i] = [...own.list, ...result.findings];
        addTally(tally, result.tally);
        inFlight.delete(job);
        options.onProgress?.(++done, files.length, file.path);
      });
      inFlight.add(job);
    }
    await Promise.all(inFlight);
  } finally {
    await checker.close();
  }
  for (const list of perFile) findings.list.push(...list);
  return { bytes };
}

function checkFileIntegrity(file: ManifestDataFile, content: HashedBytes, findings: Findings): void {
  if (content.bytes.length !== file.bytes) {
    findings.error("files", `${file.path}: ${content.bytes.length} bytes, the manifest says ${file.bytes} (truncated or rewritten)`, { file: file.path });
  } else if (content.sha256 !== file.sha256) {
    findings.error("files", `${file.path}: sha256 ${content.sha256.slice(0, 16)}…, the manifest says ${file.sha256.slice(0, 16)}… (the file changed since it was written)`, {
      file: file.path,
    });
  }
}

function checkBlocks(manifest: Manifest, block: number, tally: FileTally, findings: Findings): void {
  const landmarkRowsOf = new Map(tally.landmarkRowsOf);
  for (const video of manifest.videos) {
    const stretches = landmarkRowsOf.get(video.id);
    if (stretches === undefined) continue;
    const rows = linesAcrossStretches(stretches, block);
    if (blocksOf(rows, block) > 0) continue;
    findings.error(
      "blocks",
      `video ${video.id}: ${plural(rows, "frame")} with landmarks, too few for one training block of ${block} (LRNet needs more than ${block})`,
      { file: video.data.file, video: video.id },
    );
  }
}
