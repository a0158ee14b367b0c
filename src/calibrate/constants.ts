/** LRNet's calibration constants (../shared/docs/lrnet-calibration.md). Recorded in every manifest. */
export const CALIBRATION = {
  cropSize: 400,
  boxScale: 1.2,
  centerShiftThreshold: 1.42,
  lkWindow: 15,
  lkMaxLevel: 3,
  lkMaxIterations: 10,
  lkEpsilon: 0.03,
  feedbackThreshold: 2,
  processNoise: 0.3,
} as const;

/** Frames in one of LRNet's training blocks: videos with fewer frames with landmarks give it nothing to train on. */
export const LRNET_BLOCK_FRAMES = 30;
