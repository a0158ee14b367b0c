export { FlowPyramid, PyramidLevel, buildFlowPyramid, type FlowPyramidOptions } from "./pyramid.js";
export { type Accumulation, LkWorkspace } from "./lk-tracker.js";
export { LRNET_LK_PARAMS, PyramidalLK, trackPoints, type LkParams, type PyramidShape } from "./pyramidal-lk.js";
export { LkBidirectionalFlow, type PackedImage } from "./bidirectional-flow.js";
export { type CropFlow, type LkCore, createCropFlow, defaultLkCore } from "./crop-flow.js";
export { LkWasmMissingError, WasmCubicResizer, WasmLk, WasmPyramid, lkWasmAvailable } from "./wasm-lk.js";
