import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Hooks that print every module URL a fresh node resolves, one per line, prefixed so other output cannot pass for it. */
const RESOLVE_HOOKS = `export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  process.stdout.write("RESOLVED " + resolved.url + "\\n");
  return resolved;
}`;

/** The packages a fresh node loads to import `modules` (URLs, or paths relative to dist/test), as package names. */
async function packagesLoadedBy(modules: string[]): Promise<Set<string>> {
  const hooks = `data:text/javascript,${encodeURIComponent(RESOLVE_HOOKS)}`;
  const imports = modules.map((m) => `await import(${JSON.stringify(new URL(m, import.meta.url).href)});`).join("\n");
  const script = `import { register } from "node:module";\nregister(${JSON.stringify(hooks)});\n${imports}`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { maxBuffer: 16 << 20 });
  const packages = new Set<string>();
  for (const line of stdout.split("\n")) {
    const match = /^RESOLVED .*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line);
    if (match) packages.add(match[1]!);
  }
  return packages;
}

/**
 * The project modules the build's worker entry imports, read from its compiled code (type-only imports are gone
 * there). The entry itself cannot be imported outside a piscina worker: it takes workerData and redirects the
 * thread's output.
 */
function workerImports(): string[] {
  const entry = new URL("../src/batch/worker.js", import.meta.url);
  const specifiers = [...readFileSync(entry, "utf8").matchAll(/^import .* from "(\.{1,2}\/[^"]+)";$/gm)].map((m) => m[1]!);
  return specifiers.map((s) => new URL(s, entry).href);
}

test("a build worker's modules do not load apache-arrow or parquet-wasm (rows go to the main thread, which writes them)", async () => {
  const imports = workerImports();
  assert.ok(imports.some((url) => url.endsWith("/video-job.js")), `worker imports: ${imports.join(", ")}`);
  const worker = await packagesLoadedBy(imports);
  assert.ok(worker.has("@mediapipe/tasks-vision"), `the hook saw the worker's packages: ${[...worker].join(", ")}`);
  assert.equal(worker.has("apache-arrow"), false);
  assert.equal(worker.has("parquet-wasm"), false);
  // The writer's side does load them: the check above can fail.
  const writer = await packagesLoadedBy(["../src/store/parquet-encode.js"]);
  assert.ok(writer.has("apache-arrow") && writer.has("parquet-wasm"), `writer packages: ${[...writer].join(", ")}`);
});
