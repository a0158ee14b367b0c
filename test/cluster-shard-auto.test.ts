import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MANIFEST_FILE, manifestInconsistencies, type Manifest } from "../src/store/manifest.js";
import { shardOf } from "../src/batch/shard.js";
import { mergeShards } from "../src/batch/merge.js";
import { resolveMergeInputs } from "../src/cluster/merge-inputs.js";
import { ffppVideos, makeBuildTree, readBack } from "./helpers/build-tree.js";
import { lrnetDataBin } from "./helpers/cli.js";
import { parseAllDocuments } from "yaml";
import type { IJob } from "kubernetes-models/batch/v1/Job";
import { shellCommand } from "../src/cluster/shell-quote.js";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A command with exactly these cluster variables (none of the test runner's own). */
function sh(command: string[], vars: Record<string, string>): Promise<Run> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(SLURM_|JOB_COMPLETION_INDEX$|LRNET_DATA_SHARD_COUNT$)/.test(k)) env[k] = v;
  return new Promise((resolve) => {
    execFile(command[0]!, command.slice(1), { env: { ...env, ...vars }, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function lrnetData(args: string[], vars: Record<string, string> = {}): Promise<Run> {
  return sh([process.execPath, lrnetDataBin, ...args], vars);
}

function manifestOf(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, MANIFEST_FILE), "utf8")) as Manifest;
}

const base = mkdtempSync(join(tmpdir(), "lrnet-shard-auto-"));
process.once("exit", () => rmSync(base, { recursive: true, force: true }));
const { videos, splits } = ffppVideos(2, (i) => 6 + (i % 3));
const tree = await makeBuildTree(videos, splits, base);
const buildArgs = ["build", "--layout", "ffpp", "--root", tree.root, "--splits", tree.splits, "--openface", tree.openface, "--workers", "1", "--rows-per-part", "10", "--progress", "none", "--no-validate"];
const slurmTask = (id: number) => ({ SLURM_JOB_ID: "41", SLURM_ARRAY_JOB_ID: "40", SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_COUNT: "2" });
const sharded = join(base, "sharded");
const whole = join(base, "whole");

test("SLURM_ARRAY_TASK_ID=1 and 2 (MIN 1, COUNT 2) with --shard auto, merged from the parent folder, equal the unsharded build", async () => {
  const unsharded = await lrnetData([...buildArgs, "-o", whole]);
  assert.equal(unsharded.code, 0, unsharded.stderr);
  for (const task of [1, 2]) {
    const run = await lrnetData([...buildArgs, "-o", sharded, "--shard", "auto"], slurmTask(task));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`^build: shard ${task}/2 from SLURM_ARRAY_TASK_ID=${task}, SLURM_ARRAY_TASK_MIN=1, SLURM_ARRAY_TASK_COUNT=2\\n`));
    const dir = join(sharded, `shard-${task}-of-2`);
    const manifest = manifestOf(dir);
    assert.deepEqual(manifest.source.shard, { index: task, count: 2 });
    assert.ok(manifest.videos.length > 0, `shard ${task} holds videos`);
    for (const v of manifest.videos) assert.equal(shardOf(v.id, 2), task, v.id);
  }
  const merged = join(sharded, "merged");
  const merge = await lrnetData(["merge", sharded, "-o", merged]);
  assert.equal(merge.code, 0, merge.stderr);
  assert.match(merge.stderr, /^merge: 2 shards → .*merged: 6 videos, 0 failures/);
  const manifest = manifestOf(merged);
  const reference = manifestOf(whole);
  assert.deepEqual(manifestInconsistencies(manifest), []);
  assert.equal(manifest.source.shard, null);
  assert.equal(manifest.configuration_fingerprint, reference.configuration_fingerprint);
  assert.deepEqual(manifest.splits, reference.splits);
  const summaries = (m: Manifest) => m.videos.map(({ data, ...s }) => s).sort((a, b) => (a.id < b.id ? -1 : 1));
  assert.deepEqual(summaries(manifest), summaries(reference));
  const back = await readBack(merged);
  assert.equal(back.length, videos.length);
  assert.deepEqual(back, await readBack(whole), "video by video, read back with DuckDB");

});

test("the Jobs of cluster k8s, their pods' scripts run here as an Indexed Job would, then the merge Job: the same dataset", async () => {
  // The pods' paths are this machine's: one "volume" mounted where the test's folders are.
  const k8sOut = join(base, "k8s");
  const yaml = await lrnetData([
    "cluster", "k8s", "--shards", "2", "--workers", "1", "--image", "lrnet-data:test", "--volume", `scratch:${base}`,
    "--exec", shellCommand([process.execPath, lrnetDataBin]), "--layout", "ffpp", "--root", tree.root, "--splits", tree.splits,
    "--openface", tree.openface, "--rows-per-part", "10", "--no-validate", "-o", k8sOut,
  ]);
  assert.equal(yaml.code, 0, yaml.stderr);
  const [build, merge] = parseAllDocuments(yaml.stdout).map((d) => d.toJS() as IJob);
  const pod = build!.spec!.template.spec!.containers[0]!;
  const env = Object.fromEntries(pod.env!.map((e) => [e.name, e.value!]));
  for (let index = 0; index < build!.spec!.completions!; index++) {
    const run = await sh([...pod.command!, ...pod.args!], { ...env, JOB_COMPLETION_INDEX: String(index) });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`^build: shard ${index + 1}/2 from JOB_COMPLETION_INDEX=${index}, LRNET_DATA_SHARD_COUNT=2\n`));
  }
  assert.deepEqual(await readBack(join(k8sOut, "shard-2-of-2")), await readBack(join(sharded, "shard-2-of-2")), "index 1 builds Slurm's task 2");
  const mergePod = merge!.spec!.template.spec!.containers[0]!;
  const merged = await sh([...mergePod.command!, ...mergePod.args!], {});
  assert.equal(merged.code, 0, merged.stderr);
  assert.deepEqual(await readBack(join(k8sOut, "merged")), await readBack(whole));
});

test("--shard auto outside a cluster job: one line, exit 2, nothing written", async () => {
  const out = join(base, "nowhere");
  const run = await lrnetData([...buildArgs, "-o", out, "--shard", "auto"]);
  assert.equal(run.code, 2);
  assert.equal(run.stderr, "lrnet-data: --shard auto needs a Slurm array task (SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job pod (JOB_COMPLETION_INDEX), and neither is set here; give --shard K/N instead (see lrnet-data --help)\n");
  assert.equal(existsSync(out), false);
  const k8s = await lrnetData([...buildArgs, "-o", out, "--shard", "auto"], { JOB_COMPLETION_INDEX: "0" });
  assert.equal(k8s.code, 2);
  assert.match(k8s.stderr, /JOB_COMPLETION_INDEX=0 tells the shard but not how many there are/);
});

test("merge of a parent folder refuses, in one line naming the shard, a missing, incomplete or foreign shard", async () => {
  // In process, as the merge command does it (resolve the arguments, then merge); the CLI's line is checked once below.
  const refuse = async (parent: string, pattern: RegExp) => {
    const out = join(base, `refused-${Math.random().toString(16).slice(2)}`);
    await assert.rejects(
      (async () => mergeShards({ shards: (await resolveMergeInputs([parent])).shards, out }))(),
      (error: Error) => {
        assert.ok(error.name === "ClusterError" || error.name === "MergeError", String(error));
        assert.match(error.message, pattern);
        assert.equal(error.message.includes("\n"), false, "one line");
        return true;
      },
    );
    assert.equal(existsSync(join(out, MANIFEST_FILE)), false);
  };
  const copy = (name: string): string => {
    const dir = join(base, name);
    mkdirSync(dir);
    for (const k of [1, 2]) cpSync(join(sharded, `shard-${k}-of-2`), join(dir, `shard-${k}-of-2`), { recursive: true });
    return dir;
  };

  const missing = copy("missing");
  rmSync(join(missing, "shard-2-of-2"), { recursive: true });
  await refuse(missing, /missing\/shard-2-of-2 is missing: shard 2 of 2 was not built here \(or not copied here\)/);
  const cliRefusal = await lrnetData(["merge", missing, "-o", join(base, "not-made")]);
  assert.equal(cliRefusal.code, 1);
  assert.match(cliRefusal.stderr, /^lrnet-data: .*missing\/shard-2-of-2 is missing: shard 2 of 2 was not built here .*\n$/);
  assert.equal(existsSync(join(base, "not-made")), false);
  const part = await lrnetData(["merge", missing, "-o", join(base, "part"), "--allow-missing-shards"]);
  assert.equal(part.code, 0, part.stderr);
  assert.match(part.stderr, /note: .*missing\/shard-2-of-2 is missing: shard 2 of 2 left out/);

  const empty = copy("empty");
  rmSync(join(empty, "shard-1-of-2", MANIFEST_FILE));
  await refuse(empty, /empty\/shard-1-of-2 is incomplete: no manifest\.json, its build has not committed anything/);

  const building = copy("building");
  writeFileSync(join(building, "shard-2-of-2", MANIFEST_FILE), JSON.stringify({ ...manifestOf(join(building, "shard-2-of-2")), state: "building" }));
  await refuse(building, /building\/shard-2-of-2: its build has not finished \(manifest state "building"\)/);

  const foreign = copy("foreign");
  const m = manifestOf(join(foreign, "shard-2-of-2"));
  writeFileSync(join(foreign, "shard-2-of-2", MANIFEST_FILE), JSON.stringify({ ...m, configuration: { ...m.configuration, mode: "other" }, configuration_fingerprint: "e".repeat(64) }));
  await refuse(foreign, /foreign\/shard-2-of-2 was built with another configuration than .*foreign\/shard-1-of-2 \(fingerprint eeeeeeeeeeee… vs /);

  const mixed = copy("mixed");
  cpSync(join(mixed, "shard-1-of-2"), join(mixed, "shard-1-of-3"), { recursive: true });
  await refuse(mixed, /mixed holds shards of builds split 2 and 3 ways \(.*shard-1-of-2, .*shard-1-of-3\); move the other build's shard folders away/);

  const renamed = copy("renamed");
  renameSync(join(renamed, "shard-1-of-2"), join(renamed, "shard-x"));
  renameSync(join(renamed, "shard-2-of-2"), join(renamed, "shard-1-of-2"));
  renameSync(join(renamed, "shard-x"), join(renamed, "shard-2-of-2"));
  await refuse(renamed, /renamed\/shard-1-of-2 holds shard 2\/2 \(its manifest\.json says so\), not shard 1\/2 as its name says/);

  await refuse(join(base, "ffpp"), /ffpp holds neither a manifest\.json \(a build output\) nor shard-K-of-N folders/);

  // A glob (quoted, so lrnet-data expands it) merges like the parent folder.
  const globbed = join(base, "globbed");
  const glob = await lrnetData(["merge", join(sharded, "shard-*-of-2"), "-o", globbed]);
  assert.equal(glob.code, 0, glob.stderr);
  assert.deepEqual(await readBack(globbed), await readBack(join(sharded, "merged")));
});
