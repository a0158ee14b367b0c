import { type Detection, type GuardedFrame, LRNET_JUMP_LIMITS, type GuardSettings, guardSequence } from "../guard/guard.js";
import type { FaceChoice } from "../shape/face-follower.js";
import { alignToFrames } from "./align.js";
import { OpenFaceCsvError } from "./errors.js";
import { OPENFACE_MIN_CONFIDENCE, observationToDetection } from "./to-detections.js";
import type { OpenFaceTable } from "./types.js";

/** The guard for OpenFace confidences (recorded in every manifest built from OpenFace CSVs). */
export const OPENFACE_GUARD: GuardSettings = { minScore: OPENFACE_MIN_CONFIDENCE, ...LRNET_JUMP_LIMITS };

export interface OpenFacePlan {
  /** One per video frame: what OpenFace reported (null shape where it failed or has no row). */
  detections: Detection[];
  /** One per video frame: what the calibrator uses, after the guard. */
  plan: GuardedFrame[];
}

/**
 * The default (guarded) calibration input of an OpenFace CSV: rows aligned to the video's frames (one face
 * followed), failed rows as failed detections, then the guard.
 *
 * @throws OpenFaceCsvError when no frame has a successful detection (nothing to calibrate), or the rows do not
 *   fit the video (see alignToFrames)
 */
export function openFaceGuardedPlan(
  table: OpenFaceTable,
  frameCount: number,
  csvPath: string,
  faceId?: number,
  choice?: { choice: FaceChoice; frame: { width: number; height: number } },
): OpenFacePlan {
  const observations = alignToFrames(table, frameCount, { file: csvPath, ...(faceId === undefined ? {} : { faceId }), ...(choice ?? {}) });
  const detections = observations.map(observationToDetection);
  const plan = guardSequence(detections, OPENFACE_GUARD);
  if (plan.every((f) => f.shape === null)) {
    throw new OpenFaceCsvError(
      csvPath,
      null,
      `no frame has a successful detection (success = 1 and confidence >= ${OPENFACE_MIN_CONFIDENCE}): nothing to calibrate`,
    );
  }
  return { detections, plan };
}
