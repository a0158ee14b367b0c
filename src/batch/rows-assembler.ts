import type { FrameStatus } from "../guard/guard.js";
import { STATUS_CODE } from "../store/types.js";
import type { RowVideo, VideoRows } from "../store/video-rows.js";
import { SHAPE_VALUES } from "../shape/shape.js";

/** One decoded frame as a dataset row needs it. */
export interface FrameRow {
  index: number;
  timeS: number;
  status: FrameStatus;
  /** The detector's 68 points in frame pixels; null when it found nothing. */
  raw: ArrayLike<number> | null;
  score: number;
  /** Calibrated landmarks (normalised units); null when the frame has none (skipped, or a face box without area). */
  calibrated: ArrayLike<number> | null;
}

/**
 * Collects a video's frames, in decode order, into the plain typed arrays of VideoRows (float32 points), sized
 * for the probed frame count so that nothing is reallocated per frame.
 */
export class RowsAssembler {
  private readonly rows: VideoRows;
  private count = 0;

  constructor(video: RowVideo, private readonly capacity: number) {
    this.rows = {
      video,
      frame: new Int32Array(capacity),
      timeS: new Float64Array(capacity),
      landmarks: new Float32Array(capacity * SHAPE_VALUES),
      landmarksPresent: new Uint8Array(capacity),
      raw: new Float32Array(capacity * SHAPE_VALUES),
      rawPresent: new Uint8Array(capacity),
      status: new Uint8Array(capacity),
      score: new Float32Array(capacity),
    };
  }

  get frames(): number {
    return this.count;
  }

  push(row: FrameRow): void {
    const i = this.count;
    if (row.index !== i) throw new Error(`frame ${row.index} arrived where frame ${i} was expected`);
    if (i >= this.capacity) throw new Error(`more frames decoded than the ${this.capacity} probed`);
    const r = this.rows;
    r.frame[i] = row.index;
    r.timeS[i] = row.timeS;
    r.status[i] = STATUS_CODE[row.status];
    r.score[i] = row.score;
    if (row.raw) {
      (r.raw as Float32Array).set(row.raw, i * SHAPE_VALUES);
      r.rawPresent[i] = 1;
    }
    if (row.calibrated) {
      (r.landmarks as Float32Array).set(row.calibrated, i * SHAPE_VALUES);
      r.landmarksPresent[i] = 1;
    }
    this.count++;
  }

  /** The rows so far (views trimmed to the frames pushed when fewer than the capacity arrived). */
  finish(): VideoRows {
    const n = this.count;
    const r = this.rows;
    if (n === this.capacity) return r;
    return {
      video: r.video,
      frame: r.frame.slice(0, n),
      timeS: r.timeS.slice(0, n),
      landmarks: r.landmarks.slice(0, n * SHAPE_VALUES),
      landmarksPresent: r.landmarksPresent.slice(0, n),
      raw: r.raw.slice(0, n * SHAPE_VALUES),
      rawPresent: r.rawPresent.slice(0, n),
      status: r.status.slice(0, n),
      score: r.score.slice(0, n),
    };
  }
}

/** The ArrayBuffers behind a VideoRows: what a worker transfers instead of copying. */
export function rowBuffers(rows: VideoRows): ArrayBuffer[] {
  const views = [rows.frame, rows.timeS, rows.landmarks, rows.landmarksPresent, rows.raw, rows.rawPresent, rows.status, rows.score];
  return [...new Set(views.map((v) => v.buffer as ArrayBuffer))];
}
