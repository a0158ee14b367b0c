import { type GuardSettings, LRNET_JUMP_LIMITS } from "../guard/guard.js";
import { FACE_FINDER, type FaceFinderSettings } from "./finder/face-finder.js";
import { DARK_FRAMES, type DarkFrameSettings } from "./dark-frames.js";

/**
 * The guard for MediaPipe detections. Its score is the face detector's confidence, and the landmarker only
 * reports faces at or above its own detection threshold (0.5), so the guard fails frames with no face;
 * LRNet's 0.1 was a threshold on FAN's heat-map scores, a different scale.
 */
export const MEDIAPIPE_GUARD: GuardSettings = { minScore: 0.5, ...LRNET_JUMP_LIMITS };

export const DEFAULT_MODE: "image" | "video" = "image";

/**
 * Faces the landmarker reports per image: several in IMAGE mode, so that the follower sees every face of a
 * frame (or tile) and chooses by its rule rather than by the detector's score order; VIDEO mode smooths
 * landmarks only for one face (MediaPipe), so there it stays 1.
 */
export function facesPerImage(mode: "image" | "video"): number {
  return mode === "image" ? 4 : 1;
}

/**
 * How faces are found in the frame. The face finder runs the landmarker on crops and tiles of each frame,
 * which needs IMAGE mode (VIDEO mode's tracking assumes one whole frame per timestamp): VIDEO mode keeps
 * whole frames (null).
 */
export function faceFinderFor(mode: "image" | "video"): FaceFinderSettings | null {
  return mode === "image" ? FACE_FINDER : null;
}

/**
 * `--enhance` when not given: auto, since an image that is not dark reaches the detector as the same bytes
 * (dark-frames.ts), so only dark video changes, and its points come closer to the same frames normally lit.
 */
export const DEFAULT_ENHANCE: "auto" | "off" = "auto";

/** The dark-frame gain the detector's images pass (dark-frames.ts), null with `--enhance off`. */
export function darkFramesFor(enhance: "auto" | "off"): DarkFrameSettings | null {
  return enhance === "auto" ? DARK_FRAMES : null;
}
