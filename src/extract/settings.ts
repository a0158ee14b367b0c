import { type GuardSettings, LRNET_JUMP_LIMITS } from "../guard/guard.js";

/**
 * The guard for MediaPipe detections. Its score is the face detector's confidence, and the landmarker only
 * reports faces at or above its own detection threshold (0.5), so the guard fails frames with no face;
 * LRNet's 0.1 was a threshold on FAN's heat-map scores, a different scale.
 */
export const MEDIAPIPE_GUARD: GuardSettings = { minScore: 0.5, ...LRNET_JUMP_LIMITS };

export const DEFAULT_MODE: "image" | "video" = "image";
