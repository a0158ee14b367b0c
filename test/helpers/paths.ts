import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { packageRoot } from "../../src/io/package-files.js";

/** The repository root (tests run compiled from dist/test/…). */
export const repoRoot = packageRoot;

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
