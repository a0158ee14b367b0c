import { POINT_COUNT } from "../shape/shape.js";

export interface DistanceReport {
  frames: number;
  /** Mean Euclidean point distance, in the units of the inputs (LRNet's normalised units for calibrated rows). */
  mean: number;
  /** Mean over frames of (mean point distance / the reference's inter-ocular distance, eye centre to eye centre). */
  nme: number;
  /** Mean point distance per named region. */
  regions: Record<string, number>;
  /** NME per named region: mean over frames of (the region's mean point distance / inter-ocular distance). */
  regionsNme: Record<string, number>;
}

/**
 * The inter-ocular distance used for NME: between the centres of the two eyes (mean of iBUG points 36–41 and
 * 42–47). This is the normaliser behind the figures in ../shared/docs/mediapipe-in-node.md (0.054 → 0.076 on
 * ff_real: LRNet's crops put the eye centres 0.72 apart; the outer corners would be 0.98 apart).
 */
export function eyeCentreDistance(row: ArrayLike<number>): number {
  let lx = 0;
  let ly = 0;
  let rx = 0;
  let ry = 0;
  for (let p = 36; p < 42; p++) {
    lx += row[2 * p]!;
    ly += row[2 * p + 1]!;
    rx += row[2 * (p + 6)]!;
    ry += row[2 * (p + 6) + 1]!;
  }
  return Math.hypot(lx - rx, ly - ry) / 6;
}

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
  /** Per point, the sum over frames of distance / inter-ocular distance. */
  const perPointNormalised = new Float64Array(POINT_COUNT);
  let sum = 0;
  let nmeSum = 0;
  for (let f = 0; f < frames; f++) {
    const a = ours[f]!;
    const b = reference[f]!;
    const iod = eyeCentreDistance(b);
    let frameSum = 0;
    for (let p = 0; p < POINT_COUNT; p++) {
      const d = Math.hypot(a[2 * p]! - b[2 * p]!, a[2 * p + 1]! - b[2 * p + 1]!);
      perPoint[p]! += d;
      perPointNormalised[p]! += d / iod;
      frameSum += d;
    }
    sum += frameSum;
    nmeSum += frameSum / POINT_COUNT / iod;
  }
  const regionMeans: Record<string, number> = {};
  const regionNmes: Record<string, number> = {};
  for (const [name, [from, to]] of Object.entries(regions)) {
    let s = 0;
    let n = 0;
    for (let p = from; p < to; p++) {
      s += perPoint[p]!;
      n += perPointNormalised[p]!;
    }
    regionMeans[name] = s / ((to - from) * frames);
    regionNmes[name] = n / ((to - from) * frames);
  }
  return { frames, mean: sum / (frames * POINT_COUNT), nme: nmeSum / frames, regions: regionMeans, regionsNme: regionNmes };
}
