import type { Detection } from "../guard/guard.js";
import type { FrameObservation } from "./types.js";

/** OpenFace's score for the guard: its confidence when tracking succeeded, 0 when it did not. */
export function observationToDetection(observation: FrameObservation): Detection {
  if (!observation.success || observation.shape === null) return { shape: null, score: 0 };
  return { shape: observation.shape, score: observation.confidence };
}

/** The guard's failure threshold for OpenFace confidences (lrnet-extraction.md rule 1, OpenFace flavour). */
export const OPENFACE_MIN_CONFIDENCE = 0.7;
