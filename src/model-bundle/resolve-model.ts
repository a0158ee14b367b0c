/**
 * Which `face_landmarker.task` a run uses, first match wins:
 *   1. an explicit path (`--model PATH`);
 *   2. env LRNET_DATA_MODEL;
 *   3. Google's official bundle previously downloaded into the user cache
 *      ($LRNET_DATA_CACHE, else $XDG_CACHE_HOME/lrnet-data, else ~/.cache/lrnet-data), if its sha256 matches;
 *   4. a download of that official bundle, only when asked (`download: true` or LRNET_DATA_DOWNLOAD_MODEL=1),
 *      refused unless its sha256 matches the pinned value;
 *   5. the offline default built from `@mediapipe/face_mesh`, cached as
 *      lrnet-offline-face-landmarker-<version>.task and reused while its sha256 matches the sidecar .sha256.
 */
import { LrnetDataError } from "../errors.js";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { makeDirectoryDurably, writeFileDurably } from "../io/durable-fs.js";
import { buildOfflineBundle, DETECTOR_MEMBER, LANDMARKS_MEMBER, offlineBundleFileName, offlineBundleVersion } from "./offline-bundle.js";
import { readFaceMeshAssets } from "./packed-assets.js";
import { listZipEntries } from "./stored-zip.js";

export type ModelSource = "explicit" | "env" | "cache" | "download" | "offline";

export interface ResolvedModel {
  /** Absolute path of the bundle on disk. */
  path: string;
  /** The bundle's bytes when they were read or built while resolving. */
  bytes?: Uint8Array;
  sha256: string;
  source: ModelSource;
}

export interface OfficialBundle {
  url: string;
  sha256: string;
  /** Expected size in bytes, checked before hashing when known. */
  size?: number;
  /** Name of the downloaded copy inside the cache folder. */
  fileName: string;
}

/**
 * Google's official Face Landmarker bundle, float16 version 1.
 *
 * PINNED CHECKSUM: Google publishes no SHA-256 for this file (its storage metadata gives only size
 * 3758596 and MD5 b0e7274907a1644404fef66b28dd6d85). The SHA-256 below is the value two unrelated public
 * projects pin for this exact URL; it could not be recomputed here (no internet). Any download that
 * does not match it is refused.
 */
export const OFFICIAL_FACE_LANDMARKER: OfficialBundle = {
  url: "https://storage.googleapis.com/mediapipe-models/face_landmarker/face_landmarker/float16/1/face_landmarker.task",
  sha256: "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff",
  size: 3758596,
  fileName: "face_landmarker-float16-1.task",
};

export const ENV_MODEL = "LRNET_DATA_MODEL";
export const ENV_CACHE = "LRNET_DATA_CACHE";
export const ENV_DOWNLOAD = "LRNET_DATA_DOWNLOAD_MODEL";

const CACHE_HINT = `; set ${ENV_CACHE} to a writable folder`;

export class ModelResolveError extends LrnetDataError {}

export interface ResolveModelOptions {
  /** `--model PATH`; relative paths are taken from the working directory. */
  modelPath?: string;
  /** Allow downloading the official bundle (also enabled by LRNET_DATA_DOWNLOAD_MODEL=1). */
  download?: boolean;
  /** Environment to read (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Home folder for the default cache (default os.homedir()). */
  homeDir?: string;
  official?: OfficialBundle;
  /** Give up on the download after this many milliseconds (default 30 000). */
  downloadTimeoutMs?: number;
}

export async function resolveModel(options: ResolveModelOptions = {}): Promise<ResolvedModel> {
  const env = options.env ?? process.env;
  if (options.modelPath !== undefined && options.modelPath !== "") {
    return fromUserFile(resolve(options.modelPath), "explicit", "--model");
  }
  const fromEnv = env[ENV_MODEL];
  if (fromEnv !== undefined && fromEnv !== "") return fromUserFile(resolve(fromEnv), "env", ENV_MODEL);

  const official = options.official ?? OFFICIAL_FACE_LANDMARKER;
  const cacheDir = modelCacheDir(env, options.homeDir);
  const cached = readIfSha256(join(cacheDir, official.fileName), official.sha256);
  if (cached !== null) return { path: join(cacheDir, official.fileName), bytes: cached, sha256: official.sha256, source: "cache" };

  if (options.download === true || isTrue(env[ENV_DOWNLOAD])) {
    const bytes = await downloadOfficial(official, options.downloadTimeoutMs ?? 30_000);
    const path = join(cacheDir, official.fileName);
    await writeAtomic(path, bytes, CACHE_HINT);
    return { path, bytes, sha256: official.sha256, source: "download" };
  }
  return offlineDefault(cacheDir);
}

/** The user cache folder: $LRNET_DATA_CACHE, $XDG_CACHE_HOME/lrnet-data or ~/.cache/lrnet-data. */
export function modelCacheDir(env: Readonly<Record<string, string | undefined>> = process.env, homeDir = homedir()): string {
  const explicit = env[ENV_CACHE];
  if (explicit !== undefined && explicit !== "") return resolve(explicit);
  const xdg = env.XDG_CACHE_HOME;
  if (xdg !== undefined && xdg !== "") return join(resolve(xdg), "lrnet-data");
  return join(homeDir, ".cache", "lrnet-data");
}

/** The offline bundle in `cacheDir`, built and written atomically unless a verified copy is there. */
export async function offlineDefault(cacheDir: string): Promise<ResolvedModel> {
  const assets = readFaceMeshAssets();
  const path = join(cacheDir, offlineBundleFileName(offlineBundleVersion(assets)));
  const recorded = readTextOrNull(`${path}.sha256`)?.trim();
  if (recorded !== undefined && /^[0-9a-f]{64}$/.test(recorded)) {
    const bytes = readIfSha256(path, recorded);
    if (bytes !== null) return { path, bytes, sha256: recorded, source: "offline" };
  }
  const bytes = buildOfflineBundle(assets);
  const sha256 = sha256Hex(bytes);
  await writeAtomic(path, bytes, CACHE_HINT);
  await writeAtomic(`${path}.sha256`, `${sha256}\n`, CACHE_HINT);
  return { path, bytes, sha256, source: "offline" };
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** writeFileDurably (temporary file, fsync, rename), creating the folder, with errors as one ModelResolveError line. */
export async function writeAtomic(path: string, bytes: Uint8Array | string, hint = ""): Promise<void> {
  try {
    await makeDirectoryDurably(dirname(path));
    await writeFileDurably(path, bytes);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ModelResolveError(`cannot write ${path} (${code})${hint}`);
  }
}

function fromUserFile(path: string, source: ModelSource, via: string): ResolvedModel {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (err) {
    throw new ModelResolveError(`${via}: cannot read model bundle ${path} (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  checkTaskBundle(bytes, `${via}: ${path}`);
  return { path, bytes, sha256: sha256Hex(bytes), source };
}

/** A Face Landmarker bundle is a zip holding at least the detector and landmark models. */
function checkTaskBundle(bytes: Uint8Array, where: string): void {
  let names: string[];
  try {
    names = listZipEntries(bytes).map((e) => e.name);
  } catch {
    throw new ModelResolveError(`${where} is not a .task bundle (not a zip archive)`);
  }
  const missing = [DETECTOR_MEMBER, LANDMARKS_MEMBER].filter((m) => !names.includes(m));
  if (missing.length > 0) throw new ModelResolveError(`${where} is not a face landmarker bundle: it lacks ${missing.join(" and ")}`);
}

async function downloadOfficial(official: OfficialBundle, timeoutMs: number): Promise<Uint8Array> {
  const offline = `pass --model PATH, or leave ${ENV_DOWNLOAD} unset to use the built-in offline model`;
  let bytes: Uint8Array;
  try {
    const response = await fetch(official.url, { signal: AbortSignal.timeout(timeoutMs), redirect: "follow" });
    if (!response.ok) throw new ModelResolveError(`download of ${official.url} failed: HTTP ${response.status}; ${offline}`);
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (err) {
    if (err instanceof ModelResolveError) throw err;
    const e = err as Error & { cause?: { code?: string } };
    const why = e.name === "TimeoutError" ? `no answer within ${timeoutMs / 1000} s` : (e.cause?.code ?? e.message);
    throw new ModelResolveError(`cannot download ${official.url} (${why}): offline? ${offline}`);
  }
  if (official.size !== undefined && bytes.length !== official.size) {
    throw new ModelResolveError(`downloaded ${official.url} has ${bytes.length} bytes, expected ${official.size}: refused, nothing written`);
  }
  const sha256 = sha256Hex(bytes);
  if (sha256 !== official.sha256) {
    throw new ModelResolveError(`downloaded ${official.url} has sha256 ${sha256}, expected ${official.sha256}: refused, nothing written`);
  }
  return bytes;
}

function readIfSha256(path: string, sha256: string): Uint8Array | null {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch {
    return null;
  }
  return sha256Hex(bytes) === sha256 ? bytes : null;
}

function readTextOrNull(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && ["1", "true", "yes"].includes(value.trim().toLowerCase());
}
