/**
 * MediaPipe Face Landmarker (478-point face mesh) in plain Node, main thread or worker_threads, CPU only.
 *
 * Frames go in as RGBA bytes; faces come out as 478 points in frame pixels with a per-face score (the face
 * detector's confidence, see face-scores.ts). The wasm module's output (glog lines, on stderr by default)
 * goes to `onLog` or nowhere, so it never mixes with progress output.
 */
import { LrnetDataError } from "../errors.js";
import { MESH_POINT_COUNT } from "../sources/mesh-to-ibug.js";
import { readFile } from "node:fs/promises";
import { FaceLandmarker, type FaceLandmarkerResult } from "@mediapipe/tasks-vision";
import { faceDetectionTap, tapFaceDetections, type FaceDetectionTap } from "./face-detections.js";
import { pointBounds, scoreFaces, type ScoredBounds } from "./face-scores.js";
import { CanvasStandIn } from "./webgl2-stand-in.js";
import { createWithWasm, prepareWasm, routeDebugOutput, type WasmOutput } from "./wasm-loader.js";

export { MESH_POINT_COUNT };

type BrowserCanvas = NonNullable<Parameters<typeof FaceLandmarker.createFromOptions>[1]["canvas"]>;
type ImageSource = Parameters<FaceLandmarker["detect"]>[0];

/**
 * "image": every frame is detected on its own (the per-frame detector LRNet's calibration assumes).
 * "video": MediaPipe tracks the face between frames and smooths the landmarks (one-euro filter).
 */
export type RunningMode = "image" | "video";

export type ModelSource = { modelPath: string; modelBytes?: never } | { modelBytes: Uint8Array; modelPath?: never };

export type FaceLandmarkerConfig = ModelSource & {
  mode: RunningMode;
  /** Most faces reported per frame (default 1). MediaPipe smooths landmarks in VIDEO mode only for 1. */
  numFaces?: number;
  /** Face detector threshold (default 0.5). */
  minDetectionConfidence?: number;
  /** Landmark model's face-presence threshold (default 0.5). */
  minPresenceConfidence?: number;
  /** VIDEO mode: overlap needed to keep tracking a face instead of detecting it again (default 0.5). */
  minTrackingConfidence?: number;
  /** VIDEO mode: clock step when `detect` gets no timestamp, and the gap inserted after a backward one (default 1000/30). */
  frameIntervalMs?: number;
  /** Receives each line the wasm module prints (glog INFO/WARNING/ERROR). Default: dropped. */
  onLog?: (line: string) => void;
};

export interface FaceResult {
  /** 478 × (x, y, z): x and y in frame pixels, z as MediaPipe gives it (relative depth, scaled like x). */
  points: Float32Array;
  /** Confidence in [0, 1] that this is a face: the face detector's score (see face-scores.ts). */
  score: number;
}

export interface NodeFaceLandmarker {
  readonly mode: RunningMode;
  /**
   * Faces in one RGBA frame (width × height × 4 bytes, row-major). The bytes are copied; the caller may
   * reuse the buffer once this returns. `timestampMs` only matters in VIDEO mode (see MonotonicClock).
   */
  detect(rgba: Uint8Array, width: number, height: number, timestampMs?: number): FaceResult[];
  /** Frees the wasm graph; the landmarker cannot be used afterwards. Idempotent. */
  close(): void;
}

export class MediaPipeError extends LrnetDataError {}

/**
 * VIDEO mode's timestamps. MediaPipe needs strictly increasing timestamps, and one repeated timestamp
 * breaks its graph for good ("Graph has errors"). The landmarker therefore owns this clock: caller times
 * are rounded to whole milliseconds and shifted by an offset; a time that is not later than the previous
 * one (a repeated frame, or a new video starting again at 0) starts a new segment one frame interval after
 * the previous timestamp, and later times in that segment keep their spacing. Without a caller time, the
 * clock advances by one frame interval. The first timestamp is never negative.
 */
export class MonotonicClock {
  private last = -1;
  private offset = 0;
  private readonly stepMs: number;

  constructor(frameIntervalMs: number) {
    this.stepMs = Math.max(1, Math.round(frameIntervalMs));
  }

  next(callerMs?: number): number {
    let timestamp: number;
    if (callerMs === undefined || !Number.isFinite(callerMs)) {
      timestamp = this.last < 0 ? 0 : this.last + this.stepMs;
    } else {
      timestamp = Math.round(callerMs) + this.offset;
      if (timestamp <= this.last) {
        const restart = this.last < 0 ? 0 : this.last + this.stepMs;
        this.offset += restart - timestamp;
        timestamp = restart;
      }
    }
    this.last = timestamp;
    return timestamp;
  }
}

/** MediaPipe's status text on one line: without its source-location trace, whitespace collapsed, capped. */
function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const text = message.split("=== Source Location Trace")[0]!.replace(/\s+/g, " ").trim();
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

function checkUnit(name: string, value: number | undefined): void {
  if (value !== undefined && !(value >= 0 && value <= 1)) {
    throw new MediaPipeError(`${name} must be between 0 and 1, got ${value}`);
  }
}

async function modelBytesOf(config: FaceLandmarkerConfig): Promise<{ bytes: Uint8Array; name: string }> {
  if (config.modelBytes) return { bytes: config.modelBytes, name: "the model bytes given" };
  const path = config.modelPath;
  if (!path) throw new MediaPipeError("createFaceLandmarker needs modelPath or modelBytes");
  try {
    return { bytes: new Uint8Array(await readFile(path)), name: path };
  } catch (error) {
    throw new MediaPipeError(`cannot read the face landmarker model ${path}: ${reason(error)}`);
  }
}

/** Creates a landmarker. Each one holds its own wasm instance (~100 MB); close it when done. */
export async function createFaceLandmarker(config: FaceLandmarkerConfig): Promise<NodeFaceLandmarker> {
  const numFaces = config.numFaces ?? 1;
  if (!Number.isInteger(numFaces) || numFaces < 1) throw new MediaPipeError(`numFaces must be a positive integer, got ${numFaces}`);
  checkUnit("minDetectionConfidence", config.minDetectionConfidence);
  checkUnit("minPresenceConfidence", config.minPresenceConfidence);
  checkUnit("minTrackingConfidence", config.minTrackingConfidence);
  const { bytes, name } = await modelBytesOf(config);

  const fileset = await prepareWasm();
  tapFaceDetections();
  const log = config.onLog ?? (() => {});
  const output: WasmOutput = { print: log, printErr: log };
  let landmarker: FaceLandmarker;
  const canvas = new CanvasStandIn();
  try {
    landmarker = await createWithWasm(output, () =>
      FaceLandmarker.createFromOptions(fileset, {
        baseOptions: { modelAssetBuffer: bytes, delegate: "CPU" },
        // The stand-in is typed as the browser canvas the option expects.
        canvas: canvas as unknown as BrowserCanvas,
        runningMode: config.mode === "video" ? "VIDEO" : "IMAGE",
        numFaces,
        minFaceDetectionConfidence: config.minDetectionConfidence ?? 0.5,
        minFacePresenceConfidence: config.minPresenceConfidence ?? 0.5,
        minTrackingConfidence: config.minTrackingConfidence ?? 0.5,
        outputFaceBlendshapes: false,
        outputFacialTransformationMatrixes: false,
      }),
    );
  } catch (error) {
    throw new MediaPipeError(`cannot start MediaPipe Face Landmarker with ${name}: ${reason(error)}`);
  }
  const tap = faceDetectionTap(landmarker);
  if (!tap) {
    landmarker.close();
    throw new MediaPipeError(
      "cannot read face detection scores from this @mediapipe/tasks-vision version (its internals changed); use the pinned version",
    );
  }
  return new TasksFaceLandmarker(landmarker, tap, output, config, canvas);
}

class TasksFaceLandmarker implements NodeFaceLandmarker {
  readonly mode: RunningMode;
  private landmarker: FaceLandmarker | null;
  private readonly tap: FaceDetectionTap;
  private readonly output: WasmOutput;
  private readonly clock: MonotonicClock;
  private readonly fallbackScore: number;
  private previousFaces: ScoredBounds[] = [];

  constructor(
    landmarker: FaceLandmarker,
    tap: FaceDetectionTap,
    output: WasmOutput,
    config: FaceLandmarkerConfig,
    private readonly canvas: CanvasStandIn,
  ) {
    this.landmarker = landmarker;
    this.tap = tap;
    this.output = output;
    this.mode = config.mode;
    this.clock = new MonotonicClock(config.frameIntervalMs ?? 1000 / 30);
    this.fallbackScore = config.minDetectionConfidence ?? 0.5;
  }

  detect(rgba: Uint8Array, width: number, height: number, timestampMs?: number): FaceResult[] {
    const landmarker = this.landmarker;
    if (!landmarker) throw new MediaPipeError("detect() called on a closed face landmarker");
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || rgba.length !== width * height * 4) {
      throw new MediaPipeError(`a ${width}×${height} RGBA frame needs ${width * height * 4} bytes, got ${rgba.length}`);
    }
    // An ImageData-like object: the library uploads its bytes as they are (no canvas, no RGB copy).
    const image = { data: rgba, width, height } as unknown as ImageSource;
    this.tap.reset();
    routeDebugOutput(this.output);
    let result: FaceLandmarkerResult;
    const graphTime = this.mode === "video" ? this.clock.next(timestampMs) : undefined;
    try {
      result = graphTime === undefined ? landmarker.detect(image) : landmarker.detectForVideo(image, graphTime);
    } catch (error) {
      const when = graphTime === undefined ? "" : ` at ${graphTime} ms`;
      throw new MediaPipeError(`MediaPipe Face Landmarker failed on a ${width}×${height} frame${when}: ${reason(error)}`);
    } finally {
      // The frame was read in place, not copied: the caller may reuse it from now on.
      this.canvas.releaseBorrowedImages();
    }
    return this.facesOf(result, width, height);
  }

  close(): void {
    routeDebugOutput(this.output);
    this.landmarker?.close();
    this.landmarker = null;
  }

  private facesOf(result: FaceLandmarkerResult, width: number, height: number): FaceResult[] {
    const meshes = result.faceLandmarks;
    for (const mesh of meshes) {
      if (mesh.length !== MESH_POINT_COUNT) {
        throw new MediaPipeError(`the face landmarker model gave ${mesh.length} points per face, expected ${MESH_POINT_COUNT}`);
      }
    }
    const bounds = meshes.map(pointBounds);
    const scores = scoreFaces(bounds, this.tap.detections(width, height), this.previousFaces, this.fallbackScore);
    this.previousFaces = bounds.map((b, i) => ({ bounds: b, score: scores[i]! }));
    return meshes.map((mesh, i) => {
      const points = new Float32Array(MESH_POINT_COUNT * 3);
      mesh.forEach((p, j) => {
        points[j * 3] = p.x * width;
        points[j * 3 + 1] = p.y * height;
        points[j * 3 + 2] = p.z;
      });
      return { points, score: scores[i]! };
    });
  }
}
