import { accessSync, constants, statSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, join, resolve, sep } from "node:path";
import { FfmpegNotFoundError } from "./errors.js";
import { runFfmpeg } from "./run-ffmpeg.js";
import type { FfmpegBinary } from "./types.js";

type FfmpegSource = FfmpegBinary["source"];

export interface FfmpegCandidate {
  source: FfmpegSource;
  /** Executable to try, or null when this source offers none. */
  path: string | null;
  /** Why `path` is null (e.g. "package not installed"), for the final error. */
  missing?: string;
}

const FIXES =
  "set FFMPEG_PATH to an ffmpeg executable, install ffmpeg on PATH, or run `npm install @ffmpeg-installer/ffmpeg`";
const VERSION_TIMEOUT_MS = 15_000;

let cached: { key: string | undefined; binary: Promise<FfmpegBinary> } | null = null;

/**
 * The ffmpeg to use, in this order: FFMPEG_PATH (when set, it is the only one tried), the `ffmpeg-static`
 * package, `ffmpeg` on PATH, the `@ffmpeg-installer/ffmpeg` package. Each candidate must run `-version`.
 * Cached after the first success (per FFMPEG_PATH value, so changing the variable re-resolves).
 */
export function resolveFfmpeg(): Promise<FfmpegBinary> {
  const key = process.env.FFMPEG_PATH;
  if (cached && cached.key === key) return cached.binary;
  const entry = { key, binary: pickFfmpeg(ffmpegCandidates(process.env)) };
  cached = entry;
  entry.binary.catch(() => {
    if (cached === entry) cached = null;
  });
  return entry.binary;
}

/** The candidates in the documented order, without running any of them. */
export function ffmpegCandidates(env: NodeJS.ProcessEnv): FfmpegCandidate[] {
  const explicit = env.FFMPEG_PATH;
  if (explicit !== undefined && explicit !== "") {
    // A bare name ("ffmpeg-6") is looked up on PATH like a shell would; anything else is a file path.
    const path = hasDirectory(explicit) ? resolve(explicit) : (findOnPath(explicit, env) ?? explicit);
    return [{ source: "FFMPEG_PATH", path }];
  }
  const onPath = findOnPath("ffmpeg", env);
  return [
    fromPackage("ffmpeg-static", (exported) => {
      const value = typeof exported === "object" && exported !== null && "default" in exported ? exported.default : exported;
      return typeof value === "string" ? value : null;
    }),
    onPath ? { source: "PATH", path: onPath } : { source: "PATH", path: null, missing: "no ffmpeg on PATH" },
    fromPackage("@ffmpeg-installer/ffmpeg", (exported) =>
      typeof exported === "object" && exported !== null && "path" in exported && typeof exported.path === "string"
        ? exported.path
        : null,
    ),
  ];
}

/** Tries candidates in order; the first whose `-version` works wins. */
export async function pickFfmpeg(candidates: readonly FfmpegCandidate[]): Promise<FfmpegBinary> {
  const failures: string[] = [];
  for (const candidate of candidates) {
    if (candidate.path === null) {
      failures.push(`${candidate.source}: ${candidate.missing ?? "none"}`);
      continue;
    }
    const check = await checkFfmpeg(candidate.path);
    if ("version" in check) return { path: candidate.path, source: candidate.source, version: check.version };
    if (candidate.source === "FFMPEG_PATH") {
      throw new FfmpegNotFoundError(
        `FFMPEG_PATH=${candidate.path} is not a working ffmpeg (${check.reason}): point FFMPEG_PATH at an ffmpeg executable or unset it`,
      );
    }
    failures.push(`${candidate.source}: ${candidate.path} ${check.reason}`);
  }
  throw new FfmpegNotFoundError(`ffmpeg not found: ${FIXES} (tried ${failures.join("; ")})`);
}

/** Runs `<path> -version`; returns its first line or why it is unusable. */
export async function checkFfmpeg(path: string): Promise<{ version: string } | { reason: string }> {
  try {
    if (statSync(path).isDirectory()) return { reason: "is a directory" };
  } catch {
    return { reason: "does not exist" };
  }
  const run = await runFfmpeg(path, ["-version"], VERSION_TIMEOUT_MS);
  if (run.error) {
    const code = run.error.code;
    if (code === "EACCES") return { reason: "is not executable" };
    if (code === "ENOENT") return { reason: "does not exist" };
    return { reason: `could not run: ${run.error.message}` };
  }
  if (run.code !== 0) return { reason: `\`-version\` failed (${run.signal ?? `exit code ${run.code}`})` };
  const firstLine = run.stdout.split(/\r?\n/, 1)[0]?.trim() ?? "";
  if (!firstLine.startsWith("ffmpeg version")) return { reason: "`-version` did not print an ffmpeg version" };
  return { version: firstLine };
}

function fromPackage(name: "ffmpeg-static" | "@ffmpeg-installer/ffmpeg", pathOf: (exported: unknown) => string | null): FfmpegCandidate {
  let exported: unknown;
  try {
    exported = createRequire(import.meta.url)(name);
  } catch {
    // Optional dependencies: absent, or (for @ffmpeg-installer) present without a binary for this platform.
    return { source: name, path: null, missing: "package not installed" };
  }
  const path = pathOf(exported);
  return path ? { source: name, path } : { source: name, path: null, missing: "package has no binary for this platform" };
}

function hasDirectory(command: string): boolean {
  return command.includes("/") || command.includes(sep);
}

function findOnPath(command: string, env: NodeJS.ProcessEnv): string | null {
  const extensions = process.platform === "win32" ? (env.PATHEXT ?? ".EXE").split(";") : [""];
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    for (const extension of extensions) {
      const candidate = resolve(join(dir, command + extension));
      try {
        if (!statSync(candidate).isFile()) continue;
        if (process.platform !== "win32") accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return null;
}
