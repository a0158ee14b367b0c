import cliProgress from "cli-progress";
import type { BuildPlan, BuildReporter, BuildSummary, VideoEvent } from "../batch/run-build.js";
import type { WorkerMessage } from "../batch/task.js";
import { discoveryLines } from "./discovery-lines.js";

export type ProgressStyle = "bars" | "lines" | "none";

type ProgressMessage = Extract<WorkerMessage, { kind: "progress" }>;

/**
 * What `lrnet-data build` shows while it runs, on standard error: on a terminal, a bar of videos done / total
 * with frames per second and ETA, and one line per worker with its current video and pass; otherwise a plain
 * line every `intervalMs`. Failures are printed as they happen (above the bars), and a summary at the end.
 * Nothing else writes to the terminal meanwhile: the workers' own output (glog, ffmpeg) is captured.
 */
export class BuildProgress implements BuildReporter {
  private plan: BuildPlan | null = null;
  private started = performance.now();
  private done = 0;
  private failed = 0;
  private frames = 0;
  private multibar: cliProgress.MultiBar | null = null;
  private videosBar: cliProgress.SingleBar | null = null;
  private readonly workerBars = new Map<number, cliProgress.SingleBar>();
  private readonly current = new Map<number, string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly style: ProgressStyle,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly intervalMs = 10_000,
  ) {}

  static styleFor(stream: NodeJS.WriteStream, requested: ProgressStyle | "auto"): ProgressStyle {
    if (requested !== "auto") return requested;
    return stream.isTTY ? "bars" : "lines";
  }

  planned(plan: BuildPlan): void {
    this.plan = plan;
    this.started = performance.now();
    const r = plan.resume;
    const shard = plan.shard ? `, shard ${plan.shard.index}/${plan.shard.count} (${plan.selected} of ${plan.discovered} videos)` : "";
    this.print(
      `build: ${plan.selected} videos${shard}: ${plan.committed} already committed, ${plan.todo} to do` +
        (plan.todo > 0 ? ` with ${plan.workers} worker${plan.workers === 1 ? "" : "s"} (${plan.source})` : "") +
        ` → ${plan.out}`,
    );
    if (r.claim.adopted) this.print(`build: ${plan.out} was made by an older lrnet-data: marked as its output, ${r.claim.adopted.length} data file(s) recognised by their sha256`);
    if (r.rebuilt) {
      this.print(`build: starting over because ${r.rebuildReason ?? "of --rebuild"}: removed the ${r.removedOwnFiles} file(s) lrnet-data had written there (--rebuild)`);
    }
    if (r.removedTempFiles.length + r.removedOrphanFiles.length > 0) {
      this.print(`build: removed ${r.removedTempFiles.length} temporary and ${r.removedOrphanFiles.length} uncommitted file(s) that an interrupted build of lrnet-data left`);
    }
    if (r.foreignFiles.length > 0) {
      const some = r.foreignFiles.slice(0, 3).join(", ") + (r.foreignFiles.length > 3 ? ", …" : "");
      this.print(`build: left alone ${r.foreignFiles.length} file(s) under data/ that lrnet-data did not write (${some}); readers that glob data/ would read them: move them out`);
    }
    for (const f of r.droppedFiles) this.print(`build: ${f.path} was ${f.reason}; its videos are redone`);
    for (const line of discoveryLines(plan)) this.print(line);
    if (plan.todo === 0 || this.style === "none") return;
    if (this.style === "bars") this.startBars(plan);
    else {
      this.timer = setInterval(() => this.print(this.statusLine()), this.intervalMs);
      this.timer.unref();
    }
  }

  progress(message: ProgressMessage): void {
    this.current.set(message.threadId, message.id);
    const bar = this.workerBar(message.threadId);
    bar?.setTotal(Math.max(1, message.frames));
    bar?.update(message.frame + 1, { video: message.id, pass: message.pass });
  }

  videoDone(event: VideoEvent): void {
    if (event.kind === "abandoned") return;
    this.done++;
    if (event.kind === "failed") {
      this.failed++;
      this.print(`failed: ${event.id}: ${event.error}`);
    } else {
      this.frames += event.frames;
    }
    if (event.threadId !== null) {
      this.current.delete(event.threadId);
      this.workerBar(event.threadId)?.update(0, { video: "(idle)", pass: "" });
    }
    this.videosBar?.update(this.done, this.rates());
  }

  interrupted(how: "stop" | "abandon", running: string[]): void {
    const list = running.length > 0 ? ` (${running.slice(0, 4).join(", ")}${running.length > 4 ? ", …" : ""})` : "";
    if (how === "stop") {
      this.print(
        `build: interrupted: no new video starts; waiting for the ${running.length} running${list} to finish, then committing what is complete. Ctrl-C again abandons them.`,
      );
    } else {
      this.print(`build: abandoning the ${running.length} running video(s)${list}; committing what is complete`);
    }
  }

  /** Stops the display and prints the summary, then the failures (at most `maxFailures` lines). */
  finish(summary: BuildSummary, maxFailures = 50): void {
    this.stop();
    const s = summary;
    const fps = s.wallSeconds > 0 ? s.frames / s.wallSeconds : 0;
    const perMinute = s.wallSeconds > 0 ? (s.ok / s.wallSeconds) * 60 : 0;
    const interrupted = s.interrupted ? `, interrupted (${s.abandoned.length} abandoned, ${s.notStarted} not started)` : "";
    this.print(
      `build: ${s.ok} ok, ${s.failures.length} failed, ${s.plan.committed} skipped as already committed${interrupted}; ` +
        `${s.frames} frames in ${formatDuration(s.wallSeconds)} (${fps.toFixed(1)} fps, ${perMinute.toFixed(1)} videos/min) → ${s.out}`,
    );
    if (s.failures.length > 0) {
      this.print(`build: ${s.failures.length} video(s) failed (listed in manifest.json under failures; a rerun retries them):`);
      for (const f of s.failures.slice(0, maxFailures)) this.print(`  ${f.id}: ${f.error}`);
      if (s.failures.length > maxFailures) this.print(`  … and ${s.failures.length - maxFailures} more`);
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.multibar?.stop();
    this.multibar = null;
    this.videosBar = null;
    this.workerBars.clear();
  }

  private startBars(plan: BuildPlan): void {
    this.multibar = new cliProgress.MultiBar(
      { stream: this.stream, hideCursor: true, clearOnComplete: false, autopadding: true, fps: 5, forceRedraw: true },
      cliProgress.Presets.shades_classic,
    );
    this.videosBar = this.multibar.create(plan.todo, 0, this.rates(), {
      format: "videos   [{bar}] {value}/{total} | {fps} fps | ETA {etaText} | {failedText}",
      barsize: 20,
    });
  }

  private workerBar(threadId: number): cliProgress.SingleBar | null {
    if (!this.multibar) return null;
    let bar = this.workerBars.get(threadId);
    if (!bar) {
      const n = this.workerBars.size + 1;
      bar = this.multibar.create(1, 0, { video: "(starting)", pass: "" }, {
        format: `worker ${n} [{bar}] {value}/{total} {pass} {video}`,
        barsize: 20,
      });
      this.workerBars.set(threadId, bar);
    }
    return bar;
  }

  private rates(): { fps: string; etaText: string; failedText: string } {
    const seconds = (performance.now() - this.started) / 1000;
    const todo = this.plan?.todo ?? 0;
    const eta = this.done > 0 ? ((todo - this.done) * seconds) / this.done : null;
    return {
      fps: seconds > 0 ? (this.frames / seconds).toFixed(1) : "-",
      etaText: eta === null ? "-" : formatDuration(eta),
      failedText: `${this.failed} failed`,
    };
  }

  private statusLine(): string {
    const r = this.rates();
    const running = [...this.current.values()];
    return (
      `build: ${this.done}/${this.plan?.todo ?? 0} videos, ${this.failed} failed, ${this.frames} frames, ${r.fps} fps, ETA ${r.etaText}` +
      (running.length > 0 ? `; running: ${running.join(", ")}` : "")
    );
  }

  private print(line: string): void {
    if (this.multibar) this.multibar.log(`${line}\n`);
    else this.stream.write(`${line}\n`);
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "-";
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : `${m}m${String(s % 60).padStart(2, "0")}s`;
}
