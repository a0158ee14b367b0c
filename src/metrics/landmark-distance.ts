import { POINT_COUNT } from "../shape/shape.js";

export interface DistanceReport {
  frames: number;
  /** Mean Euclidean point distance, in the units of the inputs (LRNet's normalised units for calibrated rows). */
  mean: number;
  /** Mean over frames of (mean point distance / inter-ocular distance of the reference). */
  nme: number;
  /** Mean point distance per named region. */
  regions: Record<string, number>;
}

/** Outer eye corners in the iBUG layout: the usual inter-ocular normaliser. */
const LEFT_EYE_OUTER = 36;
const RIGHT_EYE_OUTER = 45;

/**
 * Compares two sequences of 68-point rows frame by frame (same frame, same point), e.g. an extractor's
 * calibrated output against LRNet's own. Rows are x0 y0 … x67 y67.
 */
export function compareLandmarkRows(
  ours: readonly ArrayLike<number>[],
  reference: readonly ArrayLike<number>[],
  regions: Readonly<Record<string, readonly [number, number]>>,
): DistanceReport {
  const frames = Math.min(ours.length, reference.length);
  if (frames === 0) throw new Error("no frame to compare");
  const perPoint = new Float64Array(POINT_COUNT);
  let sum = 0;
  let nmeSum = 0;
  for (let f = 0; f < frames; f++) {
    const a = ours[f]!;
    const b = reference[f]!;
    let frameSum = 0;
    for (let p = 0; p < POINT_COUNT; p++) {
      const d = Math.hypot(a[2 * p]! - b[2 * p]!, a[2 * p + 1]! - b[2 * p + 1]!);
      perPoint[p]! += d;
      frameSum += d;
    }
    sum += frameSum;
    const iod = Math.hypot(
      b[2 * LEFT_EYE_OUTER]! - b[2 * RIGHT_EYE_OUTER]!,
      b[2 * LEFT_EYE_OUTER + 1]! - b[2 * RIGHT_EYE_OUTER + 1]!,
    );
    nmeSum += frameSum / POINT_COUNT / iod;
  }
  const regionMeans: Record<string, number> = {};
  for (const [name, [from, to]] of Object.entries(regions)) {
    let s = 0;
    for (let p = from; p < to; p++) s += perPoint[p]!;
    regionMeans[name] = s / ((to - from) * frames);
  }
  return { frames, mean: sum / (frames * POINT_COUNT), nme: nmeSum / frames, regions: regionMeans };
}
