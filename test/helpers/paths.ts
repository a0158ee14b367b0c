import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (tests run compiled from dist/test/…). */
export const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

function findRepoRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

/** `../shared/fixtures/lrnet` beside the project, when it exists (CI has it; a fresh clone may not). */
export const lrnetFixtures: string | null = (() => {
  const dir = resolve(repoRoot, "..", "shared", "fixtures", "lrnet");
  return existsSync(join(dir, "README.md")) ? dir : null;
})();

export const sharedTools: string | null = (() => {
  const dir = resolve(repoRoot, "..", "shared", "tools");
  return existsSync(join(dir, "lrnet-score.mjs")) ? dir : null;
})();

/** Reason string for `{ skip }` when the shared fixtures are absent. */
export const NO_FIXTURES =
  "../shared/fixtures/lrnet is not beside this checkout (a fresh clone): fixture tests run in CI, where it exists";
