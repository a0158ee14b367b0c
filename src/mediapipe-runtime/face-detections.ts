/**
 * The face detector's own detections (score and box) of a MediaPipe FaceLandmarker, which the JS API
 * computes but does not return: its FaceLandmarkerGraph has a DETECTIONS output the task leaves unconnected.
 *
 * `tapFaceDetections()` wraps the task's `setGraph` once per thread so that every FaceLandmarker graph
 * also exports that stream, and attaches a listener to it; `faceDetectionTap(landmarker)` then holds the
 * detections of the latest frame. The wrap relies on tasks-vision internals (a graph runner with
 * `attachProtoVectorListener` on the task, a binary CalculatorGraphConfig passed to `setGraph`); if they
 * change, no tap is created and the landmarker refuses to start rather than return meaningless scores.
 */
import { FaceLandmarker } from "@mediapipe/tasks-vision";
import type { Bounds } from "./face-scores.js";
import {
  concatBytes,
  float32At,
  lengthDelimitedField,
  repeatedFloats,
  stringField,
  WireType,
  wireFields,
} from "./protobuf-wire.js";

/** One face found by the face detector, box in normalised image coordinates. */
export interface FaceDetection {
  score: number;
  box: Bounds | null;
}

/** Receives the DETECTIONS packets of one landmarker. */
export class FaceDetectionTap {
  private packets: Uint8Array[] = [];

  /** Called before each frame is sent to the graph. */
  reset(): void {
    this.packets = [];
  }

  /** The listener gets views into the wasm heap: keep copies. */
  receive(packets: readonly Uint8Array[]): void {
    this.packets = packets.map((packet) => packet.slice());
  }

  /** The latest frame's detections; none when the detector did not run on it (VIDEO mode tracking). */
  detections(imageWidth: number, imageHeight: number): FaceDetection[] {
    return this.packets.map((packet) => decodeFaceDetection(packet, imageWidth, imageHeight));
  }
}

const FACE_LANDMARKER_GRAPH = "mediapipe.tasks.vision.face_landmarker.FaceLandmarkerGraph";
const DETECTIONS_STREAM = "lrnet_face_detections";

const GraphConfigField = { node: 1, outputStream: 15 } as const;
const NodeField = { calculator: 2, outputStream: 4 } as const;

/**
 * The same CalculatorGraphConfig with `DETECTIONS:<stream>` added to the FaceLandmarkerGraph node and
 * `<stream>` to the graph's outputs; null when the config has no such node.
 */
export function withDetectionsOutput(config: Uint8Array, stream: string = DETECTIONS_STREAM): Uint8Array | null {
  const parts: Uint8Array[] = [];
  let found = false;
  for (const field of wireFields(config)) {
    const whole = config.subarray(field.start, field.end);
    if (found || field.number !== GraphConfigField.node || field.wireType !== WireType.lengthDelimited) {
      parts.push(whole);
      continue;
    }
    const calculator = [...wireFields(field.payload)].find((f) => f.number === NodeField.calculator);
    if (!calculator || new TextDecoder().decode(calculator.payload) !== FACE_LANDMARKER_GRAPH) {
      parts.push(whole);
      continue;
    }
    found = true;
    const node = concatBytes([field.payload, stringField(NodeField.outputStream, `DETECTIONS:${stream}`)]);
    parts.push(lengthDelimitedField(GraphConfigField.node, node));
  }
  if (!found) return null;
  parts.push(stringField(GraphConfigField.outputStream, stream));
  return concatBytes(parts);
}

const DetectionField = { score: 3, locationData: 4 } as const;
const LocationField = { boundingBox: 2, relativeBoundingBox: 3 } as const;
const BoxField = { xmin: 1, ymin: 2, width: 3, height: 4 } as const;

function boxValues(payload: Uint8Array, relative: boolean): Record<number, number> {
  const values: Record<number, number> = {};
  for (const field of wireFields(payload)) {
    if (relative && field.wireType === WireType.fixed32) values[field.number] = float32At(field.payload);
    if (!relative && field.wireType === WireType.varint) values[field.number] = field.int32;
  }
  return values;
}

/**
 * A serialized mediapipe.Detection as score and normalised box. A pixel `bounding_box` is normalised with
 * the image size; a `relative_bounding_box` is preferred when both are present.
 */
export function decodeFaceDetection(bytes: Uint8Array, imageWidth: number, imageHeight: number): FaceDetection {
  let score = 0;
  let relative: Record<number, number> | null = null;
  let pixels: Record<number, number> | null = null;
  for (const field of wireFields(bytes)) {
    if (field.number === DetectionField.score) score = Math.max(score, ...repeatedFloats(field));
    if (field.number === DetectionField.locationData && field.wireType === WireType.lengthDelimited) {
      for (const location of wireFields(field.payload)) {
        if (location.wireType !== WireType.lengthDelimited) continue;
        if (location.number === LocationField.relativeBoundingBox) relative = boxValues(location.payload, true);
        if (location.number === LocationField.boundingBox) pixels = boxValues(location.payload, false);
      }
    }
  }
  const scaled = relative ? { values: relative, sx: 1, sy: 1 } : pixels ? { values: pixels, sx: imageWidth, sy: imageHeight } : null;
  if (!scaled) return { score, box: null };
  const { values, sx, sy } = scaled;
  const xmin = (values[BoxField.xmin] ?? 0) / sx;
  const ymin = (values[BoxField.ymin] ?? 0) / sy;
  return {
    score,
    box: { xmin, ymin, xmax: xmin + (values[BoxField.width] ?? 0) / sx, ymax: ymin + (values[BoxField.height] ?? 0) / sy },
  };
}

interface GraphRunner {
  attachProtoVectorListener(stream: string, listener: (protos: Uint8Array[], timestamp: number) => void): void;
  attachEmptyPacketListener(stream: string, listener: (timestamp: number) => void): void;
}

function isGraphRunner(value: unknown): value is GraphRunner {
  const candidate = value as Partial<GraphRunner> | null;
  return typeof candidate?.attachProtoVectorListener === "function" &&
    typeof candidate.attachEmptyPacketListener === "function";
}

const taps = new WeakMap<object, FaceDetectionTap>();
let tapInstalled = false;

type SetGraph = (this: object, graph: Uint8Array, isBinary: boolean) => void;

/**
 * Wraps the task runner's `setGraph` (once per thread) so FaceLandmarker graphs export their detections.
 *
 * The wrap also closes a FaceLandmarker whose graph fails to start: `create*` then rejects and the
 * half-made task is never handed out, but its metrics timer (a 60 s setInterval) would keep Node alive.
 */
export function tapFaceDetections(): void {
  if (tapInstalled) return;
  tapInstalled = true;
  let owner: object | null = FaceLandmarker.prototype;
  while (owner && !Object.prototype.hasOwnProperty.call(owner, "setGraph")) owner = Object.getPrototypeOf(owner) as object | null;
  if (!owner) return;
  const original = (owner as { setGraph: SetGraph }).setGraph;
  (owner as { setGraph: SetGraph }).setGraph = function setGraphWithDetections(this: object, graph, isBinary) {
    if (!(this instanceof FaceLandmarker)) return original.call(this, graph, isBinary);
    const patched = isBinary ? attachTap(this, graph) : null;
    try {
      return original.call(this, patched ?? graph, isBinary);
    } catch (error) {
      try {
        this.close();
      } catch {
        // The graph never started; closing is only to stop the task's timers.
      }
      throw error;
    }
  };
}

/** Attaches this landmarker's tap to its graph runner; the config to use instead, or null if impossible. */
function attachTap(landmarker: FaceLandmarker, graph: Uint8Array): Uint8Array | null {
  const runner = Object.values(landmarker).find(isGraphRunner);
  const patched = runner ? withDetectionsOutput(graph) : null;
  if (!runner || !patched) return null;
  const tap = taps.get(landmarker) ?? new FaceDetectionTap();
  taps.set(landmarker, tap);
  runner.attachProtoVectorListener(DETECTIONS_STREAM, (packets) => tap.receive(packets));
  runner.attachEmptyPacketListener(DETECTIONS_STREAM, () => tap.receive([]));
  return patched;
}

/** The tap of a landmarker created after `tapFaceDetections()`. */
export function faceDetectionTap(landmarker: FaceLandmarker): FaceDetectionTap | null {
  return taps.get(landmarker) ?? null;
}
