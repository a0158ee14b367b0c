import { CALIBRATION } from "../constants.js";
import { type Accumulation, type LevelTrackingParams, LkWorkspace, trackLevel } from "./lk-tracker.js";
import { FlowPyramid, buildFlowPyramid } from "./pyramid.js";

/** cv::calcOpticalFlowPyrLK's parameters (square window, criteria COUNT|EPS). */
export interface LkParams {
  winSize: number;
  maxLevel: number;
  /** criteria.maxCount. */
  maxIterations: number;
  /** criteria.epsilon (squared internally, as calc() does). */
  epsilon: number;
  minEigThreshold: number;
  /** OPTFLOW_USE_INITIAL_FLOW: start from `nextPts` instead of `prevPts`. */
  useInitialFlow: boolean;
  accumulation: Accumulation;
}

/** LRNet's call: window 15, 3 levels, COUNT|EPS 10 / 0.03, minEig 1e-4, initial flow, native SSE2 order. */
export const LRNET_LK_PARAMS: Readonly<LkParams> = Object.freeze({
  winSize: CALIBRATION.lkWindow,
  maxLevel: CALIBRATION.lkMaxLevel,
  maxIterations: CALIBRATION.lkMaxIterations,
  epsilon: CALIBRATION.lkEpsilon,
  minEigThreshold: 1e-4,
  useInitialFlow: true,
  accumulation: "sse2",
});

/** What tracking needs to know of a pyramid, whichever core (TypeScript or wasm) built it. */
export interface PyramidShape {
  readonly winSize: number;
  readonly requestedMaxLevel: number;
  readonly levelCount: number;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/**
 * The checks calc() makes before tracking, and the per-level parameters it derives (criteria clamped,
 * epsilon squared). Returns null when there is no point to track.
 */
export function prepareTracking(
  prevPyr: PyramidShape,
  nextPyr: PyramidShape,
  prevPts: Float32Array,
  nextPts: Float32Array,
  status: Uint8Array,
  params: Readonly<LkParams>,
): { pointCount: number; maxLevel: number; level: LevelTrackingParams } {
  const pointCount = prevPts.length >> 1;
  if (prevPts.length % 2 !== 0) throw new Error(`prevPts must hold x y pairs, got ${prevPts.length} values`);
  if (nextPts.length < prevPts.length) throw new Error(`nextPts holds ${nextPts.length} values, prevPts ${prevPts.length}`);
  if (status.length < pointCount) throw new Error(`status holds ${status.length} entries for ${pointCount} points`);
  for (const pyr of [prevPyr, nextPyr]) {
    if (pyr.levelCount === 0) throw new Error("LK pyramid was never built");
    if (pyr.winSize !== params.winSize) throw new Error(`LK pyramid was padded for window ${pyr.winSize}, tracking uses ${params.winSize}`);
    if (pyr.requestedMaxLevel < params.maxLevel) {
      throw new Error(`LK pyramid was built up to level ${pyr.requestedMaxLevel}, tracking needs ${params.maxLevel}`);
    }
  }
  if (prevPyr.width !== nextPyr.width || prevPyr.height !== nextPyr.height || prevPyr.channels !== nextPyr.channels) {
    throw new Error(
      `LK images differ: ${prevPyr.width}×${prevPyr.height}×${prevPyr.channels} vs ${nextPyr.width}×${nextPyr.height}×${nextPyr.channels}`,
    );
  }
  const maxIterations = Math.min(Math.max(params.maxIterations, 0), 100);
  const epsilon = Math.min(Math.max(params.epsilon, 0), 10);
  return {
    pointCount,
    maxLevel: Math.min(params.maxLevel, prevPyr.levelCount - 1, nextPyr.levelCount - 1),
    level: {
      winSize: params.winSize,
      maxIterations,
      epsilonSquared: epsilon * epsilon,
      minEigThreshold: params.minEigThreshold,
      useInitialFlow: params.useInitialFlow,
      accumulation: params.accumulation,
      finalBoundsCheck: true,
    },
  };
}

/**
 * cv::calcOpticalFlowPyrLK (OpenCV 4.6, with an `err` output, without OPTFLOW_LK_GET_MIN_EIGENVALS) on two
 * prebuilt pyramids. `nextPts` carries the initial flow in (when `useInitialFlow`) and the result out;
 * `status` receives 1/0 per point. Pass a `workspace` to reuse window buffers across calls.
 */
export function trackPoints(
  prevPyr: FlowPyramid,
  nextPyr: FlowPyramid,
  prevPts: Float32Array,
  nextPts: Float32Array,
  status: Uint8Array,
  params: Readonly<LkParams>,
  workspace: LkWorkspace = new LkWorkspace(),
): void {
  const { pointCount, maxLevel, level: levelParams } = prepareTracking(prevPyr, nextPyr, prevPts, nextPts, status, params);
  status.fill(1, 0, pointCount);
  if (pointCount === 0) return;
  for (let level = maxLevel; level >= 0; level--) {
    trackLevel(
      prevPyr.levels[level]!,
      nextPyr.levels[level]!,
      prevPts,
      nextPts,
      status,
      pointCount,
      level,
      maxLevel,
      levelParams,
      workspace,
    );
  }
}

/** Pyramidal LK with fixed parameters and its own reusable window buffers. */
export class PyramidalLK {
  readonly params: Readonly<LkParams>;
  private readonly workspace = new LkWorkspace();

  constructor(params: Partial<LkParams> = {}) {
    this.params = Object.freeze({ ...LRNET_LK_PARAMS, ...params });
  }

  /** The pyramid of one frame for these parameters; pass `reuse` to rebuild an old one in place. */
  buildPyramid(image: Uint8Array, width: number, height: number, channels: number, reuse?: FlowPyramid): FlowPyramid {
    return buildFlowPyramid(image, width, height, channels, { winSize: this.params.winSize, maxLevel: this.params.maxLevel }, reuse);
  }

  track(prevPyr: FlowPyramid, nextPyr: FlowPyramid, prevPts: Float32Array, nextPts: Float32Array, status: Uint8Array): void {
    trackPoints(prevPyr, nextPyr, prevPts, nextPts, status, this.params, this.workspace);
  }
}
