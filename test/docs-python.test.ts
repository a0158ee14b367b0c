/**
 * docs/python.md stays runnable as written: every ```python block must at least compile with python3 (no
 * pyarrow, pandas or datasets can be installed here to run them). The dataset card's snippets are compiled too.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createManifest, type Manifest } from "../src/store/manifest.js";
import { datasetCard } from "../src/export/hf/card.js";
import { CONFIGURATION, SOURCE } from "./helpers/small-dataset.js";
import { repoRoot } from "./helpers/paths.js";

/** The ```python blocks of a Markdown text, each with the line it starts on. */
function pythonBlocks(markdown: string): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== "```python") continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]!.trim() !== "```") end++;
    blocks.push({ line: start + 1, code: lines.slice(start, end).join("\n") });
    i = end;
  }
  return blocks;
}

const PYTHON = (() => {
  const probe = spawnSync("python3", ["--version"], { encoding: "utf8" });
  return probe.status === 0 ? (probe.stdout || probe.stderr).trim() : null;
})();

/** Compiles each block with python3's compile(); returns one line per block that does not compile. */
function compileErrors(name: string, blocks: { line: number; code: string }[]): string[] {
  const script = [
    "import json, sys",
    "errors = []",
    "for block in json.load(sys.stdin):",
    "    try:",
    "        compile(block['code'], f\"{block['name']}:{block['line']}\", 'exec')",
    "    except SyntaxError as e:",
    "        errors.append(f\"{block['name']}:{block['line'] + (e.lineno or 1) - 1}: {e.msg}\")",
    "print(json.dumps(errors))",
  ].join("\n");
  const out = execFileSync("python3", ["-c", script], { input: JSON.stringify(blocks.map((b) => ({ ...b, name }))), encoding: "utf8" });
  return JSON.parse(out) as string[];
}

test("docs/python.md: every python snippet compiles with python3", { skip: PYTHON ? false : "python3 is not on PATH: the snippets of docs/python.md were not compiled" }, () => {
  const blocks = pythonBlocks(readFileSync(join(repoRoot, "docs", "python.md"), "utf8"));
  assert.ok(blocks.length >= 5, `found ${blocks.length} python blocks`);
  assert.deepEqual(compileErrors("docs/python.md", blocks), []);
  // The check can fail: a broken snippet is reported with its line.
  assert.deepEqual(compileErrors("broken.md", [{ line: 10, code: "x = [1, 2\nprint(x)" }]).length, 1);
});

test("the dataset card's python snippets compile with python3", { skip: PYTHON ? false : "python3 is not on PATH" }, () => {
  const manifest: Manifest = createManifest({ tool: { name: "lrnet-data", version: "0.1.0" }, configuration: CONFIGURATION, source: SOURCE });
  const card = datasetCard(manifest, { name: "t", description: "d", license: "other" });
  const blocks = pythonBlocks(card);
  assert.equal(blocks.length, 2);
  assert.deepEqual(compileErrors("README.md", blocks), []);
});
