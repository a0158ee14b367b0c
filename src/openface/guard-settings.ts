import { type GuardSettings, LRNET_JUMP_LIMITS } from "../guard/guard.js";

/** The guard's failure threshold for OpenFace confidences (lrnet-extraction.md rule 1, OpenFace flavour). */
export const OPENFACE_MIN_CONFIDENCE = 0.7;

/** The guard for OpenFace confidences (recorded in every manifest built from OpenFace CSVs). */
export const OPENFACE_GUARD: GuardSettings = { minScore: OPENFACE_MIN_CONFIDENCE, ...LRNET_JUMP_LIMITS };
