export { FlowPyramid, PyramidLevel, buildFlowPyramid, type FlowPyramidOptions } from "./pyramid.js";
export { type Accumulation, LkWorkspace } from "./lk-tracker.js";
export { LRNET_LK_PARAMS, PyramidalLK, trackPoints, type LkParams } from "./pyramidal-lk.js";
export { LkBidirectionalFlow, type PackedImage } from "./bidirectional-flow.js";
