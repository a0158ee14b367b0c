import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { Job, type IJob } from "kubernetes-models/batch/v1/Job";
import { cli, lrnetDataBin } from "./helpers/cli.js";

const base = mkdtempSync(join(tmpdir(), "lrnet-cluster-jobs-"));
process.once("exit", () => rmSync(base, { recursive: true, force: true }));

const k8sArgs = [
  "cluster", "k8s", "--shards", "4", "--workers", "2", "--image", "registry.example.org/lrnet-data:0.1.0",
  "--volume", "faceforensics:/data:ro", "--volume", "lrnet-out:/out", "--layout", "ffpp", "--root", "/data/FF++",
  "--splits", "/data/ffpp-splits", "--compression", "c23", "--methods", "youtube,Deepfakes", "-o", "/out/ffpp-c23",
];

const labels = (component: string) => ({ "app.kubernetes.io/name": "lrnet-data", "app.kubernetes.io/instance": "lrnet-ffpp-c23", "app.kubernetes.io/component": component });
const mounts = [
  { name: "volume-0", mountPath: "/data", readOnly: true },
  { name: "volume-1", mountPath: "/out" },
];
const volumes = [
  { name: "volume-0", persistentVolumeClaim: { claimName: "faceforensics", readOnly: true } },
  { name: "volume-1", persistentVolumeClaim: { claimName: "lrnet-out" } },
];

/**
 * What `cluster k8s` must print. Typed as kubernetes-models' IJob, so tsc checks every field name and type
 * against the Kubernetes API (the JSON schema below does not reject unknown fields, as the API server
 * without strict field validation does not); the test then requires the printed YAML to be exactly this.
 */
const expectedBuild: IJob = {
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name: "lrnet-ffpp-c23-build", labels: labels("build") },
  spec: {
    completionMode: "Indexed",
    completions: 4,
    parallelism: 4,
    backoffLimitPerIndex: 3,
    template: {
      metadata: { labels: labels("build") },
      spec: {
        restartPolicy: "Never",
        terminationGracePeriodSeconds: 300,
        containers: [
          {
            name: "build",
            image: "registry.example.org/lrnet-data:0.1.0",
            command: ["/bin/sh", "-c"],
            args: [
              "lrnet-data build --layout ffpp --root /data/FF++ --splits /data/ffpp-splits --methods youtube,Deepfakes --compression c23 \\\n" +
                "  --shard auto --workers 2 --progress lines -o /out/ffpp-c23\n" +
                'code=$?\nif [ "$code" -eq 3 ]; then exit 0; fi\nexit "$code"\n',
            ],
            env: [{ name: "LRNET_DATA_SHARD_COUNT", value: "4" }],
            resources: { requests: { cpu: "2", memory: "1024Mi" }, limits: { cpu: "2", memory: "1024Mi" } },
            volumeMounts: mounts,
          },
        ],
        volumes,
      },
    },
  },
};

const expectedMerge: IJob = {
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name: "lrnet-ffpp-c23-merge", labels: labels("merge") },
  spec: {
    suspend: true,
    backoffLimit: 2,
    template: {
      metadata: { labels: labels("merge") },
      spec: {
        restartPolicy: "Never",
        containers: [
          {
            name: "merge",
            image: "registry.example.org/lrnet-data:0.1.0",
            command: ["/bin/sh", "-c"],
            args: ["lrnet-data merge /out/ffpp-c23 -o /out/ffpp-c23/merged\n"],
            resources: { requests: { cpu: "1", memory: "2048Mi" }, limits: { cpu: "1", memory: "2048Mi" } },
            volumeMounts: mounts,
          },
        ],
        volumes,
      },
    },
  },
};

test("cluster k8s: an Indexed Job and a suspended merge Job, valid against the Kubernetes schema (kubernetes-models)", async () => {
  const result = await cli(...k8sArgs);
  assert.equal(result.code, 0, result.stderr);
  const docs = parseAllDocuments(result.stdout);
  assert.equal(docs.length, 2);
  for (const doc of docs) assert.deepEqual(doc.errors, []);
  const [build, merge] = docs.map((d) => d.toJS() as IJob);
  for (const job of [build!, merge!]) {
    assert.doesNotThrow(() => new Job(job).validate(), `${job.metadata?.name} matches the batch/v1 Job schema`);
    assert.match(job.metadata!.name!, /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "a DNS-1123 label");
    const spec = job.spec!.template.spec!;
    const names = new Set(spec.volumes!.map((v) => v.name));
    for (const m of spec.containers[0]!.volumeMounts!) assert.ok(names.has(m.name), `mount ${m.name} has a volume`);
  }
  assert.deepEqual(build, expectedBuild);
  assert.deepEqual(merge, expectedMerge);
  assert.match(result.stdout, /^# lrnet-data cluster k8s --shards 4 .*\n(# .*\n)*---\n/);
  assert.match(result.stdout, /kubectl patch job\/lrnet-ffpp-c23-merge --type=merge -p '\{"spec":\{"suspend":false\}\}'/);

  // The validator has teeth: a count as a string and a misspelt enum are refused.
  assert.throws(() => new Job({ ...build!, spec: { ...build!.spec!, completions: "4" as unknown as number } }).validate(), /completions must be integer/);
  assert.throws(() => new Job({ ...build!, spec: { ...build!.spec!, completionMode: "indexed" as "Indexed" } }).validate(), /completionMode must be equal to one of the allowed values/);
});

test("cluster k8s refuses outputs off the shared volume, relative paths and a missing image, in one line", async () => {
  const cases: [string[], RegExp][] = [
    [k8sArgs.map((a) => (a === "/out/ffpp-c23" ? "/scratch/ffpp" : a)), /-o \/scratch\/ffpp is not on a writable --volume; every pod must write its shard to one shared \(ReadWriteMany\) volume/],
    [k8sArgs.map((a) => (a === "/out/ffpp-c23" ? "/data/out" : a)), /-o \/data\/out is not on a writable --volume/],
    [k8sArgs.map((a) => (a === "/out/ffpp-c23" ? "ffpp-c23" : a)), /-o ffpp-c23: give the absolute path inside the pods/],
    [k8sArgs.filter((a, i) => a !== "--image" && k8sArgs[i - 1] !== "--image"), /k8s needs --image IMAGE/],
    [[...k8sArgs, "--volume", "Bad_Claim:/x"], /--volume takes CLAIM:\/mount\/path\[:ro\]/],
    [[...k8sArgs, "--shard", "1/4"], /--shard is set by the job \(--shard auto\); give the number of shards with --shards N/],
    [k8sArgs.filter((a, i) => a !== "--shards" && k8sArgs[i - 1] !== "--shards"), /--shards N is required/],
    [[...k8sArgs, "--mode", "fast"], /--mode takes image or video, got "fast"/],
  ];
  for (const [args, pattern] of cases) {
    const result = await cli(...args);
    assert.equal(result.code === 1 || result.code === 2, true, `${args.join(" ")}: exit ${result.code}`);
    assert.equal(result.stdout, "");
    assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
    assert.match(result.stderr, pattern);
  }
});

test("cluster slurm: a submit script that writes an array job and a merge job depending on it (fake sbatch)", async () => {
  const work = join(base, "slurm");
  mkdirSync(work);
  const result = await cli(
    "cluster", "slurm", "--shards", "3", "--workers", "2", "--time", "02:00:00", "--partition", "cpu", "--layout", "folder",
    "--root", "clips dir", "--pattern", "{split}/{label}/**/*", "--openface", "csvs", "-o", join(work, "out"), "--rows-per-part", "100",
  );
  assert.equal(result.code, 0, result.stderr);
  const script = join(work, "submit.sh");
  writeFileSync(script, result.stdout);
  execFileSync("bash", ["-n", script]);

  // sbatch stand-in: records its arguments and answers job ids as --parsable does (JOBID;CLUSTER).
  const bin = join(work, "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "sbatch"), '#!/bin/bash\necho "$*" >> "$SBATCH_LOG"\necho "$(( $(wc -l < "$SBATCH_LOG") + 100 ));local"\n');
  chmodSync(join(bin, "sbatch"), 0o755);
  const log = join(work, "sbatch.log");
  const out = execFileSync("bash", [script], { cwd: work, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, SBATCH_LOG: log }, encoding: "utf8" });
  assert.match(out, /submitted build array job 101 \(3 tasks\) and merge job 102/);
  const calls = readFileSync(log, "utf8").trimEnd().split("\n");
  assert.deepEqual(calls, [
    `--parsable ${join(work, "out", "slurm", "build.sbatch")}`,
    `--parsable --dependency=afterok:101 ${join(work, "out", "slurm", "merge.sbatch")}`,
  ]);

  const build = readFileSync(join(work, "out", "slurm", "build.sbatch"), "utf8");
  execFileSync("bash", ["-n", join(work, "out", "slurm", "build.sbatch")]);
  const directives = build.split("\n").filter((l) => l.startsWith("#SBATCH"));
  assert.deepEqual(directives, [
    "#SBATCH --job-name=lrnet-out-build",
    "#SBATCH --array=1-3",
    "#SBATCH --cpus-per-task=2",
    "#SBATCH --mem=1024M",
    "#SBATCH --time=02:00:00",
    "#SBATCH --partition=cpu",
    "#SBATCH --requeue",
    "#SBATCH --open-mode=append",
    `#SBATCH --output=${join(work, "out", "logs")}/build-%A_%a.log`,
  ]);
  // Relative paths made absolute where cluster ran (jobs may start elsewhere), quoted where needed; the shard
  // and the workers come from Slurm.
  const command = `${process.execPath} ${lrnetDataBin} build --layout folder --root '${resolve("clips dir")}' --pattern '{split}/{label}/**/*' --openface ${resolve("csvs")} --rows-per-part 100 \\\n` +
    `    --shard auto --workers "\${SLURM_CPUS_PER_TASK:-2}" --progress lines -o ${join(work, "out")}\n`;
  assert.ok(build.includes(command), build);
  assert.match(build, /\ncode=\$\?\n.*\nif \[ "\$code" -eq 3 \]; then exit 0; fi\nexit "\$code"\n$/);

  const merge = readFileSync(join(work, "out", "slurm", "merge.sbatch"), "utf8");
  assert.match(merge, /#SBATCH --partition=cpu\n/);
  assert.ok(merge.endsWith(`${process.execPath} ${lrnetDataBin} merge ${join(work, "out")} -o ${join(work, "out", "merged")}\n`), merge);
});
