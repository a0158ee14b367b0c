#!/usr/bin/env node
/**
 * Builds the offline face_landmarker.task from @mediapipe/face_mesh.
 *
 *   node dist/src/extract/model/build-cli.js [--out PATH]
 *
 * PATH may be a file, or a folder (existing, or ending in /) where the bundle keeps its versioned name. Without
 * --out the bundle goes to the user model cache, where the resolver looks for it.
 */
import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildOfflineBundle, offlineBundleFileName, offlineBundleVersion } from "./offline-bundle.js";
import { readFaceMeshAssets } from "./packed-assets.js";
import { modelCacheDir, offlineDefault, sha256Hex, writeAtomic } from "./resolve-model.js";

const USAGE = "usage: build-cli [--out PATH]   (default: the user model cache)";

function parseArgs(argv: readonly string[]): { out: string | null } {
  let out: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (arg === "--out") {
      const value = argv[++i];
      if (value === undefined || value === "") throw new Error(`--out needs a path; ${USAGE}`);
      out = value;
    } else if (arg.startsWith("--out=")) {
      out = arg.slice("--out=".length);
    } else {
      throw new Error(`unknown argument ${arg}; ${USAGE}`);
    }
  }
  return { out };
}

async function main(): Promise<void> {
  const { out } = parseArgs(process.argv.slice(2));
  const started = performance.now();
  if (out === null) {
    const model = await offlineDefault(modelCacheDir());
    report(model.path, model.bytes?.length ?? 0, model.sha256, performance.now() - started);
    return;
  }
  const assets = readFaceMeshAssets();
  const bytes = buildOfflineBundle(assets);
  const target = isDirectory(out) || /[\\/]$/.test(out) ? join(out, offlineBundleFileName(offlineBundleVersion(assets))) : resolve(out);
  await writeAtomic(target, bytes);
  report(target, bytes.length, sha256Hex(bytes), performance.now() - started);
}

function report(path: string, size: number, sha256: string, ms: number): void {
  console.log(`${path}  ${size} bytes  sha256 ${sha256}  (${ms.toFixed(0)} ms)`);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

try {
  await main();
} catch (err) {
  console.error(`build-cli: ${(err as Error).message}`);
  process.exit(1);
}
