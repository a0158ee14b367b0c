import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Hooks that print every module URL a fresh node resolves, one per line, prefixed so other output cannot pass for it. */
const RESOLVE_HOOKS = `export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  process.stdout.write("RESOLVED " + resolved.url + "\\n");
  return resolved;
}`;

/** The packages a fresh node loads to import `modules` (relative to dist/test), as package names. */
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

test("a build worker's modules do not load apache-arrow or parquet-wasm (rows go to the main thread, which writes them)", async () => {
  const worker = await packagesLoadedBy(["../src/batch/video-job.js", "../src/sources/registry.js", "../src/batch/rows-assembler.js"]);
  assert.ok(worker.has("@mediapipe/tasks-vision"), `the hook saw the worker's packages: ${[...worker].join(", ")}`);
  assert.equal(worker.has("apache-arrow"), false);
  assert.equal(worker.has("parquet-wasm"), false);
  // The writer's side does load them: the check above can fail.
  const writer = await packagesLoadedBy(["../src/store/parquet-encode.js"]);
  assert.ok(writer.has("apache-arrow") && writer.has("parquet-wasm"), `writer packages: ${[...writer].join(", ")}`);
});
