import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The installed package's root (the folder with package.json), found from this module's location. */
export const packageRoot: string = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** `manifests/` of the package: the manifest's JSON Schema ships there. */
export const manifestsDir: string = join(packageRoot, "manifests");

/** `layouts/` of the package: the input-tree layout declarations and their JSON Schema. */
export const layoutsDir: string = join(packageRoot, "layouts");

export interface ToolInfo {
  name: string;
  version: string;
}

/** Name and version from the package's package.json. */
export function readToolInfo(): ToolInfo {
  const pkg = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
  return { name: String(pkg.name ?? "lrnet-data"), version: String(pkg.version ?? "0.0.0") };
}

function findPackageRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}
