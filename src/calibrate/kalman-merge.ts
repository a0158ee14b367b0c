import { rint } from "../shape/numeric.js";
import { POINT_COUNT } from "../shape/shape.js";
import { CALIBRATION } from "./constants.js";

/** What one bidirectional Lucas–Kanade step between two consecutive crops produced. */
export interface FlowStep {
  /** Forward-tracked points (float, crop pixels), 136 values. */
  forward: Float32Array;
  /** Forward points tracked back to the first crop. */
  backward: Float32Array;
  forwardStatus: Uint8Array;
  backwardStatus: Uint8Array;
}

/**
 * Rule 4.3–4.5: merge the detections of the next frame with the optical-flow prediction, one scalar
 * Kalman filter per point. `variance` (68 values) is carried across frames and updated in place.
 * All point arrays are x0 y0 … x67 y67 in 400×400 crop pixels; `track` and `loc*` are integers.
 */
export function kalmanMerge(
  track: Int32Array,
  locPrev: Int32Array,
  locNext: Int32Array,
  flow: FlowStep,
  variance: Float64Array,
): Int32Array {
  const merged = Int32Array.from(locNext);
  for (let p = 0; p < POINT_COUNT; p++) {
    const ix = 2 * p;
    const iy = ix + 1;
    const f0x = track[ix]!;
    const f0y = track[iy]!;
    const f1x = rint(flow.forward[ix]!);
    const f1y = rint(flow.forward[iy]!);
    const b0x = rint(flow.backward[ix]!);
    const b0y = rint(flow.backward[iy]!);
    const feedback = norm(b0x - f0x, b0y - f0y);
    if (feedback > CALIBRATION.feedbackThreshold) continue;
    if (flow.forwardStatus[p] === 0 || flow.backwardStatus[p] === 0) continue;
    const detect = norm(locNext[ix]! - locPrev[ix]!, locNext[iy]! - locPrev[iy]!);
    let predict = norm(f1x - f0x, f1y - f0y);
    if (predict === 0) predict = 1;
    const pd = detect / predict;
    const pNow = variance[p]! + CALIBRATION.processNoise;
    const gain = pNow / (pNow + pd);
    merged[ix] = Math.trunc(f1x + gain * (locNext[ix]! - f1x));
    merged[iy] = Math.trunc(f1y + gain * (locNext[iy]! - f1y));
    variance[p] = (1 - gain) * pNow;
  }
  return merged;
}

/** numpy's `linalg.norm` of a 2-vector: sqrt of the exact integer sum (Math.hypot may differ by an ulp). */
function norm(dx: number, dy: number): number {
  return Math.sqrt(dx * dx + dy * dy);
}
