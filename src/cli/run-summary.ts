import { type FrameStatus, type StatusCounts } from "../guard/guard.js";

/** Counts what happened to each frame of one video and prints it as one line. */
export class RunSummary {
  readonly statuses: StatusCounts = { detected: 0, held: 0, rejected: 0, skipped: 0, lost: 0 };
  rows = 0;
  /** Frames with a shape whose face box had no area (rule 2.7): no row, as in the reference. */
  dropped = 0;
  /** Rows cut before a lost face so that no training block spans it (see BlockAlignedLines). */
  cut = 0;

  constructor(private readonly name: string) {}

  count(status: FrameStatus, wroteRow: boolean): void {
    this.statuses[status]++;
    if (wroteRow) this.rows++;
    else if (status !== "skipped" && status !== "lost") this.dropped++;
  }

  line(framesIn: number, seconds: number): string {
    const s = this.statuses;
    const fps = seconds > 0 ? framesIn / seconds : 0;
    return (
      `${this.name}: ${framesIn} frames in, ${this.rows} rows out, ${s.detected} detected, ${s.held} held, ` +
      `${s.rejected} rejected, ${s.skipped} skipped, ${s.lost} lost, ${this.dropped} dropped, ` +
      `${this.cut > 0 ? `${this.cut} cut before lost faces, ` : ""}${seconds.toFixed(1)} s (${fps.toFixed(0)} fps)`
    );
  }
}
