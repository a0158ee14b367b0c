/**
 * A per-face confidence for MediaPipe faces: the face detector's score of the detection the face came from.
 *
 * MediaPipe's JS result has no per-face score; the graph's face detections (see face-detections.ts) do.
 * A face's landmarks derive from one detection's box, so a face takes the score of the detection whose box
 * centre lies inside the face's landmark bounds (nearest centre first, each detection used once). In VIDEO
 * mode the detector only runs when tracking needs it: a tracked face keeps the score of the face it
 * continues from the previous frame (the one whose bounds contain its centre).
 */
import type { FaceDetection } from "./face-detections.js";

/** Normalised [0,1] image coordinates. */
export interface Bounds {
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
}

export interface ScoredBounds {
  bounds: Bounds;
  score: number;
}

/** Bounds of a face's points. */
export function pointBounds(points: readonly { x: number; y: number }[]): Bounds {
  let xmin = Infinity;
  let ymin = Infinity;
  let xmax = -Infinity;
  let ymax = -Infinity;
  for (const { x, y } of points) {
    if (x < xmin) xmin = x;
    if (x > xmax) xmax = x;
    if (y < ymin) ymin = y;
    if (y > ymax) ymax = y;
  }
  return { xmin, ymin, xmax, ymax };
}

function centre(b: Bounds): { x: number; y: number } {
  return { x: (b.xmin + b.xmax) / 2, y: (b.ymin + b.ymax) / 2 };
}

function contains(b: Bounds, p: { x: number; y: number }): boolean {
  return p.x >= b.xmin && p.x <= b.xmax && p.y >= b.ymin && p.y <= b.ymax;
}

function distance(a: { x: number; y: number }, b: { x: number; y: number }): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/**
 * One score per face, in face order. `previous` is the previous frame's scored faces (VIDEO mode), and
 * `fallback` the score of a face nothing can be matched to (the detector threshold it must have passed).
 */
export function scoreFaces(
  faces: readonly Bounds[],
  detections: readonly FaceDetection[],
  previous: readonly ScoredBounds[],
  fallback: number,
): number[] {
  const scores: number[] = faces.map(() => Number.NaN);
  // A face count equal to one box-less detection count leaves no ambiguity.
  if (detections.length === faces.length && detections.every((d) => d.box === null)) {
    return detections.map((d) => clampUnit(d.score));
  }
  const pairs: { face: number; detection: number; gap: number }[] = [];
  faces.forEach((face, f) => {
    detections.forEach((detection, d) => {
      if (!detection.box) return;
      const c = centre(detection.box);
      if (contains(face, c)) pairs.push({ face: f, detection: d, gap: distance(c, centre(face)) });
    });
  });
  pairs.sort((a, b) => a.gap - b.gap);
  const usedDetections = new Set<number>();
  for (const { face, detection } of pairs) {
    if (!Number.isNaN(scores[face]!) || usedDetections.has(detection)) continue;
    scores[face] = clampUnit(detections[detection]!.score);
    usedDetections.add(detection);
  }
  return scores.map((score, f) => {
    if (!Number.isNaN(score)) return score;
    const c = centre(faces[f]!);
    const carried = previous
      .filter((p) => contains(p.bounds, c))
      .sort((a, b) => distance(centre(a.bounds), c) - distance(centre(b.bounds), c))[0];
    return carried ? carried.score : clampUnit(fallback);
  });
}

function clampUnit(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
