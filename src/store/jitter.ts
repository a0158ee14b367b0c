import { POINT_COUNT, SHAPE_VALUES } from "../shape/shape.js";

/**
 * Landmark jitter of one video: the mean, over every run of three consecutive frames that all have landmarks
 * and over the 68 points, of the length of the point's second difference ‖p(t+1) − 2·p(t) + p(t−1)‖, divided
 * by the video's mean face size (the larger side of the points' bounding box, averaged over frames with
 * landmarks). Steady motion contributes nothing, frame-to-frame shake does; dividing by face size makes the
 * value unit-free, so raw points in pixels and calibrated points in crop units are comparable.
 * `null` when no three consecutive frames have landmarks.
 */
export function landmarkJitter(values: Float32Array | Float64Array, present: Uint8Array): number | null {
  const frames = present.length;
  let faceSum = 0;
  let faceCount = 0;
  for (let t = 0; t < frames; t++) {
    if (!present[t]) continue;
    faceSum += faceSizeAt(values, t);
    faceCount++;
  }
  let sum = 0;
  let triples = 0;
  for (let t = 1; t + 1 < frames; t++) {
    if (!present[t - 1] || !present[t] || !present[t + 1]) continue;
    const a = (t - 1) * SHAPE_VALUES;
    const b = t * SHAPE_VALUES;
    const c = (t + 1) * SHAPE_VALUES;
    let frameSum = 0;
    for (let p = 0; p < POINT_COUNT; p++) {
      const dx = values[c + 2 * p]! - 2 * values[b + 2 * p]! + values[a + 2 * p]!;
      const dy = values[c + 2 * p + 1]! - 2 * values[b + 2 * p + 1]! + values[a + 2 * p + 1]!;
      frameSum += Math.hypot(dx, dy);
    }
    sum += frameSum / POINT_COUNT;
    triples++;
  }
  const meanFace = faceSum / faceCount;
  if (triples === 0 || !(meanFace > 0)) return null;
  return sum / triples / meanFace;
}

function faceSizeAt(values: Float32Array | Float64Array, t: number): number {
  const o = t * SHAPE_VALUES;
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (let p = 0; p < POINT_COUNT; p++) {
    const x = values[o + 2 * p]!;
    const y = values[o + 2 * p + 1]!;
    if (x < xMin) xMin = x;
    if (x > xMax) xMax = x;
    if (y < yMin) yMin = y;
    if (y > yMax) yMax = y;
  }
  return Math.max(xMax - xMin, yMax - yMin);
}
