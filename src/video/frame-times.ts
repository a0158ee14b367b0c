/**
 * Presentation times of decoded frames, read from the lines ffmpeg's `-debug_ts` prints as each frame leaves
 * the decoder (before it reaches the output pipe). The k-th "decoder ->" line of the video stream gives frame
 * k's pts (`best_effort_ts`, the pts ffmpeg gives the frame, in the stream's time base; `-vsync passthrough`
 * drops none). These are the times the filters see: counted from the stream's start, as ffmpeg shifts them
 * without `-copyts`. Unlike the showinfo filter, which checksums every plane of every frame (≈ 2.6 ms a 720p
 * frame), -debug_ts costs nothing measurable.
 */
const DEBUG_TS = /^(?:\[\w+\] )?(?:demuxer|demuxer\+ffmpeg|decoder|filter|encoder|muxer) (?:->|<-) /;
const DECODED = /^(?:\[\w+\] )?decoder -> .*\btype:video\b.*\bbest_effort_ts:(-?\d+)\b.*\btime_base:(\d+)\/(\d+)/;
/** AV_NOPTS_VALUE prints as INT64_MIN: anything this far from zero is "no pts". */
const NO_PTS = 2 ** 62;

export class DecoderTimes {
  private next = 0;
  private readonly times = new Map<number, number | null>();
  private ended = false;
  private wake: (() => void) | null = null;

  /** Takes a stderr line; returns false when it is not one of -debug_ts's (the caller keeps it as a log line). */
  push(line: string): boolean {
    if (!DEBUG_TS.test(line)) return false;
    const decoded = DECODED.exec(line);
    if (decoded) {
      const pts = Number(decoded[1]);
      const num = Number(decoded[2]);
      const den = Number(decoded[3]);
      const valid = Number.isFinite(pts) && Math.abs(pts) < NO_PTS && num > 0 && den > 0;
      this.times.set(this.next++, valid ? (pts * num) / den : null);
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
