import cliProgress from "cli-progress";

/**
 * Progress of one video's passes on standard error: a bar on a terminal, a plain line every 10 s
 * otherwise (logs, CI), nothing at all for short runs.
 */
export class FrameProgress {
  private bar: cliProgress.SingleBar | null = null;
  private pass = "";
  private lastLine = performance.now();

  constructor(
    private readonly name: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(pass: string, frame: number, frames: number): void {
    if (this.stream.isTTY) {
      if (pass !== this.pass) {
        this.bar?.stop();
        this.bar = new cliProgress.SingleBar(
          { format: `${this.name} ${pass.padEnd(9)} [{bar}] {value}/{total} frames | {speed} fps | ETA {eta}s`, stream: this.stream, hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        this.bar.start(frames, 0, { speed: "-" });
        this.startedPass = performance.now();
      }
      const seconds = (performance.now() - this.startedPass) / 1000;
      this.bar!.update(frame + 1, { speed: seconds > 0 ? ((frame + 1) / seconds).toFixed(1) : "-" });
    } else if (performance.now() - this.lastLine > 10_000) {
      this.lastLine = performance.now();
      this.stream.write(`${this.name}: ${pass} ${frame + 1}/${frames} frames\n`);
    }
    this.pass = pass;
  }

  private startedPass = performance.now();

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
