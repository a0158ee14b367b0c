import { POINT_COUNT, SHAPE_VALUES } from "../shape/shape.js";
import { STATUS_CODE } from "./types.js";
import type { RowVideo, VideoRows } from "./video-rows.js";

/**
 * Deterministic, plausible rows for tests and benchmarks: a face of ~200 px drifting and jittering in a
 * 1280×720 frame; raw points are float pixels, calibrated points sit on the 0.005 grid. Every 50th frame is
 * `held`, every 97th `skipped` (no landmarks at all), the rest `detected`.
 */
export function syntheticVideoRows(video: RowVideo, frames: number, seed = 1, fps = 30): VideoRows {
  const random = mulberry32(seed);
  const base = new Float64Array(SHAPE_VALUES);
  for (let p = 0; p < POINT_COUNT; p++) {
    const angle = (2 * Math.PI * p) / POINT_COUNT;
    base[2 * p] = Math.cos(angle) * (60 + 40 * random());
    base[2 * p + 1] = Math.sin(angle) * (70 + 40 * random());
  }
  const rows: VideoRows = {
    video,
    frame: new Int32Array(frames),
    timeS: new Float64Array(frames),
    landmarks: new Float32Array(frames * SHAPE_VALUES),
    landmarksPresent: new Uint8Array(frames),
    raw: new Float32Array(frames * SHAPE_VALUES),
    rawPresent: new Uint8Array(frames),
    status: new Uint8Array(frames),
    score: new Float32Array(frames),
  };
  for (let i = 0; i < frames; i++) {
    rows.frame[i] = i;
    rows.timeS[i] = i / fps;
    const skipped = i % 97 === 96;
    const held = !skipped && i % 50 === 49;
    rows.status[i] = skipped ? STATUS_CODE.skipped : held ? STATUS_CODE.held : STATUS_CODE.detected;
    rows.score[i] = skipped ? 0 : 0.9 + 0.1 * random();
    if (skipped) continue;
    rows.landmarksPresent[i] = 1;
    rows.rawPresent[i] = 1;
    const cx = 640 + 80 * Math.sin(i / 40);
    const cy = 360 + 30 * Math.cos(i / 55);
    for (let k = 0; k < SHAPE_VALUES; k++) {
      const pixel = base[k]! + (k % 2 === 0 ? cx : cy) + (random() - 0.5) * 3;
      rows.raw[i * SHAPE_VALUES + k] = pixel;
      const centred = (pixel - (k % 2 === 0 ? cx : cy)) * (400 / 240);
      rows.landmarks[i * SHAPE_VALUES + k] = Math.trunc(centred) / 200;
    }
  }
  return rows;
}

/** Small seeded PRNG (mulberry32): same seed, same rows, on every platform. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
