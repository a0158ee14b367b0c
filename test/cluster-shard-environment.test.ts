import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { ClusterError } from "../src/cluster/errors.js";
import { expandGlob } from "../src/cluster/merge-inputs.js";
import { parseAutoShard, shardFromEnvironment } from "../src/cluster/shard-environment.js";
import { parseShardFolderName, shardFolderName } from "../src/cluster/shard-folder.js";
import { shellQuote } from "../src/cluster/shell-quote.js";
import { toYaml, type YamlValue } from "../src/cluster/yaml.js";

function refuses(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: Error) => {
    assert.ok(error instanceof ClusterError, String(error));
    assert.match(error.message, pattern);
    assert.equal(error.message.includes("\n"), false, "one line");
    return true;
  });
}

test("--shard auto from a Slurm array task: K = (ID − MIN) / STEP + 1, N from COUNT or MAX", () => {
  const slurm = (vars: Record<string, string>, count: number | null = null) => {
    const s = shardFromEnvironment({ SLURM_JOB_ID: "77", ...vars }, count);
    return [s.engine, s.index, s.count];
  };
  assert.deepEqual(slurm({ SLURM_ARRAY_TASK_ID: "1", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_COUNT: "2" }), ["slurm", 1, 2]);
  assert.deepEqual(slurm({ SLURM_ARRAY_TASK_ID: "2", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_COUNT: "2" }), ["slurm", 2, 2]);
  // --array=0-3 counts from 0; only MAX given (older Slurm); --array=1-7:2 has a step.
  assert.deepEqual(slurm({ SLURM_ARRAY_TASK_ID: "0", SLURM_ARRAY_TASK_MIN: "0", SLURM_ARRAY_TASK_MAX: "3" }), ["slurm", 1, 4]);
  assert.deepEqual(slurm({ SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_MIN: "0", SLURM_ARRAY_TASK_MAX: "3" }), ["slurm", 4, 4]);
  assert.deepEqual(slurm({ SLURM_ARRAY_TASK_ID: "5", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_MAX: "7", SLURM_ARRAY_TASK_STEP: "2", SLURM_ARRAY_TASK_COUNT: "4" }), ["slurm", 3, 4]);
  assert.deepEqual(slurm({ SLURM_ARRAY_TASK_ID: "12", SLURM_ARRAY_TASK_MIN: "10", SLURM_ARRAY_TASK_COUNT: "3", SLURM_ARRAY_TASK_MAX: "12" }, 3), ["slurm", 3, 3]);
  assert.equal(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "2", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_COUNT: "2" }).from, "SLURM_ARRAY_TASK_ID=2, SLURM_ARRAY_TASK_MIN=1, SLURM_ARRAY_TASK_COUNT=2");

  // An array given as a list (--array=1,4,9) has no fixed step: refused rather than guessed.
  refuses(() => shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "4", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_MAX: "9", SLURM_ARRAY_TASK_COUNT: "3" }), /not a range 1-9 of 3 tasks/);
  refuses(() => shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "5", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_COUNT: "2" }), /task 5 is not one of the 2 tasks of the array starting at 1/);
  refuses(() => shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "1", SLURM_ARRAY_TASK_MIN: "1" }), /neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX/);
  refuses(() => shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "x", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_COUNT: "2" }), /SLURM_ARRAY_TASK_ID must be a whole number >= 0, got "x"/);
  refuses(() => shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "1", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_COUNT: "2" }, 3), /--shard auto\/3, but the Slurm array has 2 tasks/);
  refuses(() => shardFromEnvironment({ SLURM_JOB_ID: "12" }), /Slurm job 12 is not an array job \(no SLURM_ARRAY_TASK_ID\); submit it with sbatch --array=1-N/);
});

test("--shard auto from a Kubernetes Indexed Job: K = JOB_COMPLETION_INDEX + 1, N from auto/N or LRNET_DATA_SHARD_COUNT", () => {
  const k8s = (vars: Record<string, string>, count: number | null = null) => {
    const s = shardFromEnvironment(vars, count);
    return [s.engine, s.index, s.count];
  };
  assert.deepEqual(k8s({ JOB_COMPLETION_INDEX: "0", LRNET_DATA_SHARD_COUNT: "2" }), ["kubernetes", 1, 2]);
  assert.deepEqual(k8s({ JOB_COMPLETION_INDEX: "1" }, 2), ["kubernetes", 2, 2]);
  assert.deepEqual(k8s({ JOB_COMPLETION_INDEX: "15", LRNET_DATA_SHARD_COUNT: "16" }, 16), ["kubernetes", 16, 16]);
  refuses(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: "3" }), /JOB_COMPLETION_INDEX=3 tells the shard but not how many there are; give --shard auto\/N .* or set LRNET_DATA_SHARD_COUNT/);
  refuses(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: "2", LRNET_DATA_SHARD_COUNT: "2" }), /JOB_COMPLETION_INDEX=2 is not below the shard count 2 \(it counts from 0\)/);
  refuses(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: "0", LRNET_DATA_SHARD_COUNT: "4" }, 2), /--shard auto\/2, but LRNET_DATA_SHARD_COUNT=4/);
  refuses(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: "0", LRNET_DATA_SHARD_COUNT: "0" }), /LRNET_DATA_SHARD_COUNT must be a whole number >= 1/);
});

test("--shard auto with neither engine, or both: one line saying what is missing", () => {
  refuses(() => shardFromEnvironment({ HOME: "/root" }), /^--shard auto needs a Slurm array task \(SLURM_ARRAY_TASK_ID\) or a Kubernetes Indexed Job pod \(JOB_COMPLETION_INDEX\), and neither is set here; give --shard K\/N instead$/);
  refuses(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: "0", SLURM_ARRAY_TASK_ID: "1" }), /both SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX are set/);
  assert.deepEqual(parseAutoShard("auto"), { count: null });
  assert.deepEqual(parseAutoShard("auto/8"), { count: 8 });
  assert.equal(parseAutoShard("3/8"), null);
  refuses(() => parseAutoShard("auto/0"), /--shard auto\/N must be a whole number >= 1, got "0"/);
});

test("shard folders are named shard-K-of-N, K padded to N's digits, and parsed back", () => {
  assert.equal(shardFolderName({ index: 2, count: 4 }), "shard-2-of-4");
  assert.equal(shardFolderName({ index: 3, count: 16 }), "shard-03-of-16");
  assert.equal(shardFolderName({ index: 100, count: 100 }), "shard-100-of-100");
  assert.deepEqual(parseShardFolderName("shard-03-of-16"), { index: 3, count: 16 });
  assert.deepEqual(parseShardFolderName("shard-3-of-16"), { index: 3, count: 16 });
  for (const name of ["shard-0-of-4", "shard-5-of-4", "shard-1-of-4-old", "merged", "shard-a-of-4"]) assert.equal(parseShardFolderName(name), null, name);
});

test("YAML writer: what it writes reads back as the same value (checked with the yaml package)", () => {
  const value: YamlValue = {
    plain: "batch/v1",
    numberLike: "4",
    boolLike: "yes",
    nullLike: "null",
    colon: "registry.example.org:5000/lrnet-data:0.1.0",
    quote: `it's "quoted"`,
    leadingDash: "-c",
    n: 16,
    t: true,
    z: null,
    empty: [],
    emptyMap: {},
    script: "line one \\\n  --flag 'x'\ncode=$?\n",
    noNewline: "a\nb",
    twoNewlines: "a\n\n",
    indented: "  starts with spaces\nthen not\n",
    list: [{ name: "a", items: ["x", "y"], nested: { deep: [1, 2] } }, "scalar", [3, 4]],
    "app.kubernetes.io/name": "lrnet-data",
  };
  assert.deepEqual(parse(toYaml(value)), value);
  assert.match(toYaml(value), /^script: \|\n {2}line one \\\n {4}--flag 'x'\n {2}code=\$\?\n/m);
});

test("shellQuote leaves safe words alone and single-quotes the rest", () => {
  assert.equal(shellQuote("/data/FF++/x_y-1.json"), "/data/FF++/x_y-1.json");
  assert.equal(shellQuote("a b"), "'a b'");
  assert.equal(shellQuote("it's"), "'it'\\''s'");
  assert.equal(shellQuote("{split}/{label}/**/*"), "'{split}/{label}/**/*'");
  assert.equal(shellQuote(""), "''");
});

test("expandGlob matches wildcards within path segments, sorted, hidden names only when asked", async () => {
  const base = mkdtempSync(join(tmpdir(), "lrnet-glob-"));
  try {
    for (const name of ["shard-1-of-3", "shard-2-of-3", "shard-3-of-3", "logs", ".shard-9-of-9"]) mkdirSync(join(base, "out", name), { recursive: true });
    writeFileSync(join(base, "out", "shard-x.txt"), "");
    assert.deepEqual(await expandGlob(join(base, "out", "shard-*-of-3")), [1, 2, 3].map((k) => join(base, "out", `shard-${k}-of-3`)));
    assert.deepEqual(await expandGlob(join(base, "o?t", "shard-[13]-of-3")), [1, 3].map((k) => join(base, "out", `shard-${k}-of-3`)));
    assert.deepEqual(await expandGlob(join(base, "out", "shard-[!1]-of-3")), [2, 3].map((k) => join(base, "out", `shard-${k}-of-3`)));
    assert.deepEqual(await expandGlob(join(base, "*", "logs")), [join(base, "out", "logs")]);
    assert.deepEqual(await expandGlob(join(base, "out", "nothing-*")), []);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
