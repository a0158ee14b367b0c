import { type Shape, faceSize, meanPointDistance, shapeBounds, shapeCentroid } from "./shape.js";

/**
 * Which face a single-face sequence follows, chosen at the first frame that has any face (then the nearest):
 * - `largest`: the largest face (LRNet's extractor takes the most prominent face);
 * - `center`: the face whose centre is nearest the frame's centre;
 * - `index`: the N-th face counted from the left (0 = leftmost), by the centre of its landmarks.
 */
export type FaceChoice = { rule: "largest" } | { rule: "center" } | { rule: "index"; index: number };

export const DEFAULT_FACE_CHOICE: FaceChoice = { rule: "largest" };

/** `--face` as given: largest, center, or a whole number N. Null when it is none of them. */
export function parseFaceChoice(text: string): FaceChoice | null {
  if (text === "largest" || text === "center") return { rule: text };
  if (/^\d+$/.test(text)) return { rule: "index", index: Number(text) };
  return null;
}

export function describeFaceChoice(choice: FaceChoice): string {
  return choice.rule === "index" ? String(choice.index) : choice.rule;
}

/**
 * The candidate `choice` picks among the faces of the first frame that has any (-1 when there is none, or
 * fewer faces than the index asks for). `frame` is the frame's size, for `center`.
 */
export function pickFirstFace(candidates: readonly Shape[], choice: FaceChoice, frame?: { width: number; height: number }): number {
  if (candidates.length === 0) return -1;
  if (choice.rule === "index") {
    const byLeft = candidates.map((shape, i) => ({ i, x: shapeCentroidOfBox(shape)[0] })).sort((a, b) => a.x - b.x || a.i - b.i);
    return byLeft[choice.index]?.i ?? -1;
  }
  const key = (shape: Shape): number => {
    if (choice.rule === "largest") return -faceSize(shape);
    const [cx, cy] = shapeCentroid(shape);
    return frame ? Math.hypot(cx - frame.width / 2, cy - frame.height / 2) : 0;
  };
  let best = 0;
  let bestKey = key(candidates[0]!);
  for (let i = 1; i < candidates.length; i++) {
    const k = key(candidates[i]!);
    if (k < bestKey) {
      best = i;
      bestKey = k;
    }
  }
  return best;
}

function shapeCentroidOfBox(shape: Shape): [number, number] {
  const b = shapeBounds(shape);
  return [(b.xMin + b.xMax) / 2, (b.yMin + b.yMax) / 2];
}

/**
 * Chooses which of several detected faces a single-face sequence follows: the face `choice` picks at the first
 * frame that has any (by default the largest), then in every frame the face nearest (mean point distance) to
 * the last one chosen.
 */
export class FaceFollower {
  private last: Shape | null = null;

  constructor(private readonly choice: FaceChoice = DEFAULT_FACE_CHOICE) {}

  /** Index of the chosen candidate, or -1 when there is none. */
  choose(candidates: readonly Shape[], frame?: { width: number; height: number }): number {
    if (candidates.length === 0) return -1;
    let best = 0;
    if (this.last === null) {
      best = pickFirstFace(candidates, this.choice, frame);
      if (best < 0) return -1;
    } else {
      let bestDistance = meanPointDistance(candidates[0]!, this.last);
      for (let i = 1; i < candidates.length; i++) {
        const distance = meanPointDistance(candidates[i]!, this.last);
        if (distance < bestDistance) {
          best = i;
          bestDistance = distance;
        }
      }
    }
    this.last = candidates[best]!;
    return best;
  }
}
