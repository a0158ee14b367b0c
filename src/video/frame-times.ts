/**
 * Presentation times of decoded frames, read from the log lines of ffmpeg's `showinfo` filter as the frames
 * pass through it (one line per frame, printed before the frame reaches the output pipe). The k-th frame line
 * gives frame k's pts, converted with the filter's input time base (`pts_time` itself is printed with only six
 * significant digits). Times count from the stream's start, as ffmpeg shifts them without `-copyts`.
 */
const SHOWINFO = /\[Parsed_showinfo_\d+ @ 0x[0-9a-f]+\]/;
const TIME_BASE = /config in time_base: (\d+)\/(\d+)/;
const FRAME = /\bn:\s*\d+\s+pts:\s*(\S+)\s+pts_time:(\S+)/;

export class ShowinfoTimes {
  private timeBase: { num: number; den: number } | null = null;
  private next = 0;
  private readonly times = new Map<number, number | null>();
  private ended = false;
  private wake: (() => void) | null = null;

  /** Takes a stderr line; returns false when it is not showinfo's (the caller keeps it as a log line). */
  push(line: string): boolean {
    if (!SHOWINFO.test(line)) return false;
    const base = TIME_BASE.exec(line);
    if (base) {
      const num = Number(base[1]);
      const den = Number(base[2]);
      this.timeBase = num > 0 && den > 0 ? { num, den } : this.timeBase;
      return true;
    }
    const frame = FRAME.exec(line);
    if (frame) {
      const pts = Number(frame[1]);
      const printed = Number(frame[2]);
      const time = Number.isFinite(pts) && this.timeBase ? (pts * this.timeBase.num) / this.timeBase.den : Number.isFinite(printed) ? printed : null;
      this.times.set(this.next++, time);
      this.notify();
    }
    return true;
  }

  /** No more lines will come (ffmpeg exited). */
  end(): void {
    this.ended = true;
    this.notify();
  }

  /** Frame `index`'s presentation time in seconds, waiting for its line; null when ffmpeg gave none (no pts). */
  async timeOf(index: number): Promise<number | null> {
    while (!this.times.has(index) && !this.ended) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    const time = this.times.get(index) ?? null;
    this.times.delete(index);
    return time;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
