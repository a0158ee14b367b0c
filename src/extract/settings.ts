import { type GuardSettings, LRNET_JUMP_LIMITS } from "../guard/guard.js";
import type { ExtractSettings } from "./extract-video.js";
import { FACE_FINDER } from "./finder/face-finder.js";
import type { RunningMode } from "./mediapipe/landmarker.js";
import { CONTOUR_MAPPING, type MeshMapping } from "./mesh-to-ibug.js";

/**
 * The guard for MediaPipe detections. Its score is the face detector's confidence, and the landmarker only
 * reports faces at or above its own detection threshold (0.5), so the guard fails frames with no face;
 * LRNet's 0.1 was a threshold on FAN's heat-map scores, a different scale.
 */
export const MEDIAPIPE_GUARD: GuardSettings = { minScore: 0.5, ...LRNET_JUMP_LIMITS };

export const DEFAULT_MODE: RunningMode = "image";

/** Chosen by measurement against LRNet's own landmarks (bench/extract-accuracy.ts): jaw error halved, every region better. */
export const DEFAULT_MAPPING: MeshMapping = CONTOUR_MAPPING;

/**
 * Faces the landmarker reports per image: several in IMAGE mode, so that the follower sees every face of a
 * frame (or tile) and chooses by its rule rather than by the detector's score order; VIDEO mode smooths
 * landmarks only for one face (MediaPipe), so there it stays 1.
 */
export function facesPerImage(mode: RunningMode): number {
  return mode === "image" ? 4 : 1;
}

/**
 * What an extraction in `mode` applies. The face finder runs the landmarker on crops and tiles of each frame,
 * which needs IMAGE mode (VIDEO mode's tracking assumes one whole frame per timestamp): VIDEO mode keeps
 * whole frames.
 */
export function extractSettings(mode: RunningMode): ExtractSettings {
  return { mapping: DEFAULT_MAPPING, guard: MEDIAPIPE_GUARD, finder: mode === "image" ? FACE_FINDER : null };
}
