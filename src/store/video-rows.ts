import { SHAPE_VALUES } from "../shape/shape.js";
import { DatasetError } from "./errors.js";
import { FRAME_STATUSES } from "../guard/guard.js";
import type { Label } from "./types.js";

/** The video a batch of rows belongs to: the values repeated on each of its rows. */
export interface RowVideo {
  id: string;
  label: Label;
  split: string;
  method: string;
  compression: string;
}

/**
 * One video's rows, one per decoded frame, as plain typed arrays (transferable from a worker; no Arrow types).
 * `n` = `frame.length`; shapes are `n × 136` values `x0 y0 … x67 y67`, and a row whose `…Present` byte is 0 is
 * written as null (its 136 values are ignored).
 */
export interface VideoRows {
  video: RowVideo;
  /** Frame index in decode order: 0..n−1. */
  frame: Int32Array;
  /** Presentation time in seconds. */
  timeS: Float64Array;
  /** Calibrated landmarks (normalised crop units, on the 0.005 grid), stored as float32. */
  landmarks: Float32Array | Float64Array;
  landmarksPresent: Uint8Array;
  /** The detector's 68 points in frame pixels, stored as float32. */
  raw: Float32Array | Float64Array;
  rawPresent: Uint8Array;
  /** Index into FRAME_STATUSES (detected, held, rejected, skipped). */
  status: Uint8Array;
  /** Detector confidence of the frame (0 where nothing was detected). */
  score: Float32Array;
}

export function rowCount(rows: VideoRows): number {
  return rows.frame.length;
}

/** Throws a one-line DatasetError naming the video when the arrays do not fit together. */
export function checkVideoRows(rows: VideoRows): void {
  const n = rows.frame.length;
  const id = rows.video.id;
  const expect = (name: string, actual: number, wanted: number): void => {
    if (actual !== wanted) throw new DatasetError(`video ${id}: ${name} has ${actual} values, expected ${wanted} for ${n} frames`);
  };
  expect("timeS", rows.timeS.length, n);
  expect("landmarks", rows.landmarks.length, n * SHAPE_VALUES);
  expect("landmarksPresent", rows.landmarksPresent.length, n);
  expect("raw", rows.raw.length, n * SHAPE_VALUES);
  expect("rawPresent", rows.rawPresent.length, n);
  expect("status", rows.status.length, n);
  expect("score", rows.score.length, n);
  for (let i = 0; i < n; i++) {
    if (rows.status[i]! >= FRAME_STATUSES.length) {
      throw new DatasetError(`video ${id}: frame ${rows.frame[i]} has status code ${rows.status[i]}, not one of 0..${FRAME_STATUSES.length - 1}`);
    }
  }
}
