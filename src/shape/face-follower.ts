import { type Shape, faceSize, meanPointDistance } from "./shape.js";

/**
 * Chooses which of several detected faces a single-face sequence follows: the largest face at the first
 * frame that has any, then in every frame the face nearest (mean point distance) to the last one chosen.
 */
export class FaceFollower {
  private last: Shape | null = null;

  /** Index of the chosen candidate, or -1 when there is none. */
  choose(candidates: readonly Shape[]): number {
    if (candidates.length === 0) return -1;
    let best = 0;
    if (this.last === null) {
      let bestSize = faceSize(candidates[0]!);
      for (let i = 1; i < candidates.length; i++) {
        const size = faceSize(candidates[i]!);
        if (size > bestSize) {
          best = i;
          bestSize = size;
        }
      }
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
