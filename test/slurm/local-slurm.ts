/**
 * A private single-node Slurm cluster for the real-engine test (see ../shared/docs/slurm-single-node.md):
 * munged, slurmctld and slurmd started from a temporary folder that holds everything they use (munge key and
 * socket, slurm.conf, spool, state, logs, pid files), talking over 127.0.0.1 on free ports. Nothing under /etc is
 * written, so a machine's own Slurm or munge, if any, is left alone. `stop()` cancels the jobs, shuts the daemons
 * down, ends whatever is left that this cluster started (found by its SLURM_CONF) and removes the folder.
 */
import { execFile, spawn } from "node:child_process";
import { accessSync, chmodSync, chownSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, hostname, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";

const run = promisify(execFile);
const SLURM_PROGRAMS = ["slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "scancel"];
const MUNGE_PROGRAMS = ["munged", "munge"];

/** Why this machine cannot run the test, or null. Installing the packages needs root and apt-get. */
export function slurmSkipReason(): string | null {
  if (process.platform !== "linux") return "the Slurm test runs on Linux only";
  if (process.getuid?.() !== 0) return "the Slurm test needs root (it starts slurmctld, slurmd and munged, and installs slurm-wlm and munge when missing); run it as root, as CI does";
  if (!allInstalled() && onPath("apt-get") === null) return "slurm-wlm and munge are not installed and there is no apt-get to install them";
  return null;
}

function onPath(program: string): string | null {
  for (const dir of (process.env["PATH"] ?? "").split(":").concat(["/usr/sbin", "/sbin", "/usr/bin"])) {
    const path = join(dir, program);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

function allInstalled(): boolean {
  return [...SLURM_PROGRAMS, ...MUNGE_PROGRAMS].every((p) => onPath(p) !== null);
}

/**
 * `apt-get update && apt-get install -y slurm-wlm munge` when a program is missing. Package scripts must not start
 * the machine's own daemons (the test starts its own): a policy-rc.d saying "no" is put in place for the install
 * when the machine has none (Debian's images for containers have one), and removed after. Returns whether it
 * installed anything.
 */
export async function installSlurmIfMissing(log: (line: string) => void): Promise<boolean> {
  if (allInstalled()) return false;
  const policy = "/usr/sbin/policy-rc.d";
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) {
    writeFileSync(policy, "#!/bin/sh\n# lrnet-data test:slurm: no service starts while it installs packages\nexit 101\n");
    chmodSync(policy, 0o755);
  }
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    log("installing slurm-wlm and munge (apt-get update && apt-get install -y slurm-wlm munge)");
    await run("apt-get", ["update", "-qq"], { env, maxBuffer: 64 << 20 });
    await run("apt-get", ["install", "-y", "-qq", "slurm-wlm", "munge"], { env, maxBuffer: 64 << 20 });
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
  if (!allInstalled()) throw new Error(`apt-get installed slurm-wlm and munge, but ${[...SLURM_PROGRAMS, ...MUNGE_PROGRAMS].filter((p) => onPath(p) === null).join(", ")} still missing`);
  return true;
}

export interface LocalSlurm {
  /** The cluster's folder (removed by stop). */
  dir: string;
  /** Environment for sbatch, squeue, scontrol …: the caller's, plus SLURM_CONF; no Slurm job variables. */
  env: Record<string, string>;
  /** Runs a Slurm client (or any program) with `env`; resolves to its standard output. */
  command(program: string, args: string[]): Promise<string>;
  /** `scontrol show job ID -o` as key=value pairs of its first line (an array task: `ID_K`). */
  job(id: string): Promise<Record<string, string>>;
  /** The tail of the daemons' logs, for a failure message. */
  logs(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function processEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Neither an outer Slurm job's variables nor node's test-runner context may leak into the jobs.
    if (v !== undefined && !k.startsWith("SLURM_") && k !== "NODE_TEST_CONTEXT") env[k] = v;
  }
  return env;
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startLocalSlurm(): Promise<LocalSlurm> {
  const dir = mkdtempSync(join(tmpdir(), "lrnet-slurm-"));
  chmodSync(dir, 0o755);
  const mungeDir = join(dir, "munge");
  for (const sub of ["munge", "state", "spool", "log"]) mkdirSync(join(dir, sub));
  const conf = join(dir, "slurm.conf");
  const env = { ...processEnv(), SLURM_CONF: conf };
  const pids: DaemonPids = { munged: null, slurm: [] };
  const pidFiles = [join(mungeDir, "munged.pid"), join(dir, "slurmctld.pid"), join(dir, "slurmd.pid")];
  const cluster: LocalSlurm = {
    dir,
    env,
    async command(program, args) {
      const { stdout } = await run(program, args, { env, maxBuffer: 16 << 20 });
      return stdout;
    },
    async job(id) {
      const line = (await cluster.command("scontrol", ["show", "job", id, "-o"])).split("\n")[0] ?? "";
      return Object.fromEntries(line.split(/\s+/).filter((w) => w.includes("=")).map((w) => [w.slice(0, w.indexOf("=")), w.slice(w.indexOf("=") + 1)]));
    },
    logs() {
      return ["log/slurmctld.log", "log/slurmd.log", "munge/munged.log"]
        .map((f) => {
          const path = join(dir, f);
          const text = existsSync(path) ? readFileSync(path, "utf8").trimEnd().split("\n").slice(-15).join("\n") : "(none)";
          return `== ${f}\n${text}`;
        })
        .join("\n");
    },
    async stop() {
      await stopCluster(cluster, conf, pids);
      rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    // munge: its own key and socket; munged runs as the munge user and wants its folder searchable by all.
    const munge = await run("id", ["-u", "munge"]).then((r) => Number(r.stdout.trim()));
    const mungeGroup = await run("id", ["-g", "munge"]).then((r) => Number(r.stdout.trim()));
    writeFileSync(join(mungeDir, "munge.key"), randomBytes(1024), { mode: 0o400 });
    chownSync(join(mungeDir, "munge.key"), munge, mungeGroup);
    chownSync(mungeDir, munge, mungeGroup);
    chmodSync(mungeDir, 0o711);
    const socket = join(mungeDir, "munge.socket");
    await run("runuser", [
      "-u", "munge", "--", onPath("munged")!, `--socket=${socket}`, `--key-file=${join(mungeDir, "munge.key")}`,
      `--pid-file=${pidFiles[0]}`, `--log-file=${join(mungeDir, "munged.log")}`, `--seed-file=${join(mungeDir, "munged.seed")}`,
    ], { env });
    pids.munged = await readPid(pidFiles[0]!);
    const credential = await run("munge", ["-S", socket, "-n"], { env });
    await until("munge to work", 5_000, async () => {
      const check = spawn("unmunge", ["-S", socket], { env });
      check.stdin.end(credential.stdout);
      let out = "";
      check.stdout.on("data", (d: Buffer) => (out += d.toString()));
      await new Promise((r) => check.on("close", r));
      return /STATUS:\s+Success/.test(out) ? true : null;
    });

    const host = hostname().split(".")[0]!;
    const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
    const memoryMb = Math.floor((totalmem() / 2 ** 20) * 0.8);
    writeFileSync(
      conf,
      [
        "ClusterName=lrnettest",
        `SlurmctldHost=${host}(127.0.0.1)`,
        `SlurmctldPort=${ctldPort}`,
        `SlurmdPort=${slurmdPort}`,
        "SlurmUser=root",
        "SlurmdUser=root",
        "AuthType=auth/munge",
        `AuthInfo=socket=${socket}`,
        `StateSaveLocation=${join(dir, "state")}`,
        `SlurmdSpoolDir=${join(dir, "spool")}`,
        `SlurmctldPidFile=${pidFiles[1]}`,
        `SlurmdPidFile=${pidFiles[2]}`,
        `SlurmctldLogFile=${join(dir, "log", "slurmctld.log")}`,
        `SlurmdLogFile=${join(dir, "log", "slurmd.log")}`,
        "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none",
        "JobAcctGatherType=jobacct_gather/none",
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_Core",
        "ReturnToService=2",
        "MpiDefault=none",
        "MailProg=/bin/true",
        // A killed or requeued task gets SIGTERM (the build finishes its running videos), then SIGKILL after this.
        "KillWait=5",
        `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus().length} RealMemory=${memoryMb} State=UNKNOWN`,
        `PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
        "",
      ].join("\n"),
    );
    await run(onPath("slurmctld")!, [], { env });
    pids.slurm.push(await readPid(pidFiles[1]!));
    await run(onPath("slurmd")!, [], { env });
    pids.slurm.push(await readPid(pidFiles[2]!));
    await until("the node to be idle (sinfo)", 30_000, async () => ((await cluster.command("sinfo", ["-h", "-o", "%T"])).trim() === "idle" ? true : null));
    return cluster;
  } catch (error) {
    const logs = cluster.logs();
    await cluster.stop().catch(() => undefined);
    throw new Error(`${(error as Error).message}\n${logs}`);
  }
}

async function readPid(file: string): Promise<number> {
  return until(`${file}`, 10_000, async () => {
    const pid = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Processes whose environment holds this cluster's SLURM_CONF: its daemons, step daemons and the jobs' processes. */
export function processesOf(conf: string): number[] {
  const marker = Buffer.from(`SLURM_CONF=${conf}\0`);
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`).includes(marker)) pids.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

interface DaemonPids {
  munged: number | null;
  slurm: number[];
}

async function stopCluster(cluster: LocalSlurm, conf: string, pids: DaemonPids): Promise<void> {
  const quietly = (program: string, args: string[]) => cluster.command(program, args).catch(() => "");
  if (pids.slurm.length > 0) {
    await quietly("scancel", ["--user=root", "--full"]);
    await until("the jobs to end", 15_000, async () => ((await cluster.command("squeue", ["-h"])).trim() === "" ? true : null)).catch(() => undefined);
    await quietly("scontrol", ["shutdown"]);
    await until("slurmctld and slurmd to exit", 15_000, async () => (pids.slurm.some(alive) ? null : true)).catch(() => undefined);
  }
  // Whatever this cluster started and is still there (a daemon, a step daemon, a job's process), then munged.
  for (const pid of [...processesOf(conf), ...pids.slurm.filter(alive)]) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  const munged = pids.munged;
  if (munged !== null && alive(munged)) {
    process.kill(munged, "SIGTERM");
    await until("munged to exit", 5_000, async () => (alive(munged) ? null : true)).catch(() => process.kill(munged, "SIGKILL"));
  }
}
