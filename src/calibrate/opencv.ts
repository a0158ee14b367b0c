import { createRequire } from "node:module";

/**
 * The slice of @techstark/opencv-js that the calibrator uses. The package ships no usable typings,
 * so this interface is the one place that states what we rely on.
 */
export interface CvMat {
  readonly rows: number;
  readonly cols: number;
  readonly data: Uint8Array;
  readonly data32F: Float32Array;
  roi(rect: CvRect): CvMat;
  copyTo(dst: CvMat): void;
  type(): number;
  isDeleted(): boolean;
  delete(): void;
}
export type CvRect = object;
export type CvSize = object;
export type CvTermCriteria = object;

export interface OpenCv {
  Mat: { new (): CvMat; new (rows: number, cols: number, type: number): CvMat };
  Rect: new (x: number, y: number, width: number, height: number) => CvRect;
  Size: new (width: number, height: number) => CvSize;
  TermCriteria: new (type: number, maxCount: number, epsilon: number) => CvTermCriteria;
  matFromArray(rows: number, cols: number, type: number, data: ArrayLike<number>): CvMat;
  resize(src: CvMat, dst: CvMat, size: CvSize, fx: number, fy: number, interpolation: number): void;
  calcOpticalFlowPyrLK(
    prevImg: CvMat,
    nextImg: CvMat,
    prevPts: CvMat,
    nextPts: CvMat,
    status: CvMat,
    err: CvMat,
    winSize: CvSize,
    maxLevel: number,
    criteria: CvTermCriteria,
    flags: number,
    minEigThreshold: number,
  ): void;
  CV_8UC3: number;
  CV_8UC4: number;
  CV_32FC2: number;
  INTER_CUBIC: number;
  INTER_AREA: number;
  TermCriteria_COUNT: number;
  TermCriteria_EPS: number;
  OPTFLOW_USE_INITIAL_FLOW: number;
}

let runtime: Promise<OpenCv> | undefined;

/** Loads the OpenCV wasm runtime once per thread (about 70 ms) and returns it. */
export function loadOpenCv(): Promise<OpenCv> {
  runtime ??= (async () => {
    const require = createRequire(import.meta.url);
    // The package's default export is a thenable that resolves once the wasm runtime is ready.
    const loaded = (await require("@techstark/opencv-js")) as unknown;
    if (typeof loaded !== "object" || loaded === null || typeof (loaded as { Mat?: unknown }).Mat !== "function") {
      throw new Error("@techstark/opencv-js did not initialise: its runtime has no Mat class");
    }
    return loaded as OpenCv;
  })();
  return runtime;
}
