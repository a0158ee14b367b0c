import { posix } from "node:path";
import { BUILD_EXIT_SOME_FAILED, type ClusterJob } from "./cluster-job.js";
import { ClusterError } from "./errors.js";
import { SHARD_COUNT_VARIABLE } from "./shard-environment.js";
import { shellCommand, shellQuote } from "./shell-quote.js";
import { toYamlDocuments, type YamlValue } from "./yaml.js";

/** A PersistentVolumeClaim mounted in every pod: `--volume CLAIM:/mount[:ro]`. */
export interface ClaimMount {
  claim: string;
  mountPath: string;
  readOnly: boolean;
}

export interface KubernetesOptions {
  image: string;
  volumes: ClaimMount[];
  namespace?: string;
  /** Pods running at once (default: every shard). */
  parallelism?: number;
  /** Retries of one index before it counts as failed (spec.backoffLimitPerIndex, Kubernetes >= 1.29). */
  backoffLimitPerIndex?: number;
}

/** `CLAIM:/mount` or `CLAIM:/mount:ro`. */
export function parseClaimMount(text: string): ClaimMount {
  const match = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?):(\/[^:]*?)(:(ro|rw))?$/.exec(text);
  if (!match) throw new ClusterError(`--volume takes CLAIM:/mount/path[:ro] (a PersistentVolumeClaim name, an absolute path), got "${text}"`);
  return { claim: match[1]!, mountPath: posix.normalize(match[3]!), readOnly: match[5] === "ro" };
}

/** A DNS-1123 label (job names; at most 52 characters, so that `-build`/`-merge` and pod suffixes still fit). */
export function kubernetesName(text: string): string {
  const name = text.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 46).replace(/-+$/, "");
  return name === "" ? "lrnet-data" : name;
}

/** The volume whose mount holds `path`, the deepest one; null when none does. */
export function mountHolding(path: string, volumes: readonly ClaimMount[]): ClaimMount | null {
  const inside = volumes.filter((v) => path === v.mountPath || path.startsWith(v.mountPath.endsWith("/") ? v.mountPath : `${v.mountPath}/`));
  return inside.sort((a, b) => b.mountPath.length - a.mountPath.length)[0] ?? null;
}

/**
 * Two batch/v1 Jobs:
 * - `NAME-build`, an Indexed Job of `shards` completions: the pod of index i builds shard i+1 (`--shard auto`
 *   reads JOB_COMPLETION_INDEX, and LRNET_DATA_SHARD_COUNT gives N) into OUT/shard-K-of-N on the shared volume;
 *   a retried index resumes; SIGTERM (eviction, deletion) lets running videos finish within the grace period;
 * - `NAME-merge`, created suspended, since Kubernetes has no dependencies between Jobs: resume it once the build
 *   Job completed (the YAML's header says how); it merges OUT.
 */
export function kubernetesJobs(job: ClusterJob, k8s: KubernetesOptions): { build: YamlValue; merge: YamlValue } {
  const out = mountHolding(job.out, k8s.volumes);
  if (out === null || out.readOnly) {
    throw new ClusterError(`-o ${job.out} is not on a writable --volume; every pod must write its shard to one shared (ReadWriteMany) volume`);
  }
  const merged = mountHolding(job.mergeOut, k8s.volumes);
  if (merged === null || merged.readOnly) throw new ClusterError(`--merge-out ${job.mergeOut} is not on a writable --volume`);
  const volumes: YamlValue[] = k8s.volumes.map((v, i): YamlValue => ({
    name: volumeName(i),
    persistentVolumeClaim: v.readOnly ? { claimName: v.claim, readOnly: true } : { claimName: v.claim },
  }));
  const volumeMounts: YamlValue[] = k8s.volumes.map((v, i): YamlValue => {
    const mount: { [key: string]: YamlValue } = { name: volumeName(i), mountPath: v.mountPath };
    if (v.readOnly) mount["readOnly"] = true;
    return mount;
  });
  const metadata = (component: string): YamlValue => ({
    name: `${job.name}-${component}`,
    ...(k8s.namespace ? { namespace: k8s.namespace } : {}),
    labels: { "app.kubernetes.io/name": "lrnet-data", "app.kubernetes.io/instance": job.name, "app.kubernetes.io/component": component },
  });
  const memory = `${job.memoryMiB}Mi`;
  const buildScript = [
    `${job.exec} build ${shellCommand(job.buildArgs)} \\`,
    `  --shard auto --workers ${job.workers} --progress lines -o ${shellQuote(job.out)}`,
    "code=$?",
    `if [ "$code" -eq ${BUILD_EXIT_SOME_FAILED} ]; then exit 0; fi`,
    'exit "$code"',
    "",
  ].join("\n");
  const build: YamlValue = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: metadata("build"),
    spec: {
      completionMode: "Indexed",
      completions: job.shards,
      parallelism: Math.min(k8s.parallelism ?? job.shards, job.shards),
      backoffLimitPerIndex: k8s.backoffLimitPerIndex ?? 3,
      template: {
        metadata: { labels: { "app.kubernetes.io/name": "lrnet-data", "app.kubernetes.io/instance": job.name, "app.kubernetes.io/component": "build" } },
        spec: {
          restartPolicy: "Never",
          terminationGracePeriodSeconds: 300,
          containers: [
            {
              name: "build",
              image: k8s.image,
              command: ["/bin/sh", "-c"],
              args: [buildScript],
              env: [{ name: SHARD_COUNT_VARIABLE, value: String(job.shards) }],
              resources: {
                requests: { cpu: String(job.workers), memory },
                limits: { cpu: String(job.workers), memory },
              },
              volumeMounts,
            },
          ],
          volumes,
        },
      },
    },
  };
  const merge: YamlValue = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: metadata("merge"),
    spec: {
      suspend: true,
      backoffLimit: 2,
      template: {
        metadata: { labels: { "app.kubernetes.io/name": "lrnet-data", "app.kubernetes.io/instance": job.name, "app.kubernetes.io/component": "merge" } },
        spec: {
          restartPolicy: "Never",
          containers: [
            {
              name: "merge",
              image: k8s.image,
              command: ["/bin/sh", "-c"],
              args: [`${job.exec} merge ${shellQuote(job.out)} -o ${shellQuote(job.mergeOut)}\n`],
              resources: { requests: { cpu: "1", memory: "2048Mi" }, limits: { cpu: "1", memory: "2048Mi" } },
              volumeMounts,
            },
          ],
          volumes,
        },
      },
    },
  };
  return { build, merge };
}

/** The YAML to `kubectl apply -f`, with a header saying how to run it. */
export function kubernetesYaml(job: ClusterJob, k8s: KubernetesOptions): string {
  const { build, merge } = kubernetesJobs(job, k8s);
  const ns = k8s.namespace ? ` -n ${k8s.namespace}` : "";
  return toYamlDocuments(
    [build, merge],
    [
      job.generatedBy,
      `A sharded lrnet-data build on Kubernetes: an Indexed Job of ${job.shards} pods (one shard each), then a merge Job.`,
      "The merge Job is created suspended (Jobs cannot depend on each other); resume it once the build completed:",
      `  kubectl apply${ns} -f lrnet.yaml`,
      `  kubectl wait${ns} --for=condition=complete --timeout=-1s job/${job.name}-build`,
      `  kubectl patch${ns} job/${job.name}-merge --type=merge -p '{"spec":{"suspend":false}}'`,
      `A failed index is retried up to backoffLimitPerIndex times (Kubernetes >= 1.29) and resumes its shard.`,
    ],
  );
}

function volumeName(index: number): string {
  return `volume-${index}`;
}
