import { POINT_COUNT } from "../shape/shape.js";
import { CALIBRATION } from "./constants.js";
import type { FlowStep } from "./kalman-merge.js";
import type { CvMat, OpenCv } from "./opencv.js";

/**
 * Rule 4.1–4.2 on OpenCV: forward LK from `prev` to `next` starting at `track` with `guess` as the initial
 * flow, then backward from `next` to `prev` starting at the forward result with `track` as the guess.
 */
export class BidirectionalFlow {
  private readonly start: CvMat;
  private readonly forward: CvMat;
  private readonly backward: CvMat;
  private readonly status: CvMat;
  private readonly error: CvMat;

  constructor(private readonly cv: OpenCv) {
    this.start = new cv.Mat(POINT_COUNT, 1, cv.CV_32FC2);
    this.forward = new cv.Mat(POINT_COUNT, 1, cv.CV_32FC2);
    this.backward = new cv.Mat(POINT_COUNT, 1, cv.CV_32FC2);
    this.status = new cv.Mat();
    this.error = new cv.Mat();
  }

  track(prev: CvMat, next: CvMat, track: Int32Array, guess: Int32Array): FlowStep {
    this.start.data32F.set(track);
    this.forward.data32F.set(guess);
    this.lk(prev, next, this.start, this.forward);
    const forwardStatus = Uint8Array.from(this.status.data.subarray(0, POINT_COUNT));
    this.backward.data32F.set(track);
    this.lk(next, prev, this.forward, this.backward);
    const backwardStatus = Uint8Array.from(this.status.data.subarray(0, POINT_COUNT));
    return {
      forward: Float32Array.from(this.forward.data32F),
      backward: Float32Array.from(this.backward.data32F),
      forwardStatus,
      backwardStatus,
    };
  }

  private lk(from: CvMat, to: CvMat, points: CvMat, result: CvMat): void {
    const cv = this.cv;
    const window = new cv.Size(CALIBRATION.lkWindow, CALIBRATION.lkWindow);
    const criteria = new cv.TermCriteria(
      cv.TermCriteria_COUNT + cv.TermCriteria_EPS,
      CALIBRATION.lkMaxIterations,
      CALIBRATION.lkEpsilon,
    );
    cv.calcOpticalFlowPyrLK(from, to, points, result, this.status, this.error, window, CALIBRATION.lkMaxLevel, criteria, cv.OPTFLOW_USE_INITIAL_FLOW, 1e-4);
  }

  delete(): void {
    for (const m of [this.start, this.forward, this.backward, this.status, this.error]) m.delete();
  }
}
