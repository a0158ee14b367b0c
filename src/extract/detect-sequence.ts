import type { Detection } from "../guard/guard.js";
import { DEFAULT_FACE_CHOICE, type FaceChoice, FaceFollower } from "../shape/face-follower.js";
import type { Frame } from "../video/types.js";
import { FaceFinder, type FaceFinderSettings } from "./finder/face-finder.js";
import type { FaceResult } from "./mediapipe/landmarker.js";
import { type MeshMapping, meshToIbug } from "./mesh-to-ibug.js";

/** Anything that finds faces in an RGBA frame: the MediaPipe landmarker, or a stand-in in tests. */
export interface FaceDetector {
  detect(rgba: Uint8Array, width: number, height: number, timestampMs?: number): FaceResult[];
}

export interface DetectOptions {
  mapping: MeshMapping;
  fps: number;
  /** Find faces anywhere (crops and tiles, see face-finder.ts); null: the detector gets whole frames only. */
  finder?: FaceFinderSettings | null;
  /** Which face is followed (default: the largest at the first frame with a face, then the nearest). */
  choice?: FaceChoice;
  /** Called after each frame (progress). */
  onFrame?: (index: number) => void;
}

/**
 * Detection pass: one Detection per video frame, in order. Several faces: the follower keeps one face
 * (by default the largest at the first detection, then the nearest). Holds only the 68-point shapes, never frames.
 */
export async function detectSequence(
  detector: FaceDetector,
  frames: AsyncIterable<Frame>,
  options: DetectOptions,
): Promise<Detection[]> {
  const choice = options.choice ?? DEFAULT_FACE_CHOICE;
  const follower = new FaceFollower(choice);
  const finder = options.finder ? new FaceFinder(detector, options.finder, choice.rule !== "largest") : null;
  const detections: Detection[] = [];
  for await (const frame of frames) {
    if (frame.format !== "rgba") throw new Error(`detection needs rgba frames, got ${frame.format}`);
    const timestampMs = (frame.index * 1000) / options.fps;
    const faces = finder
      ? finder.find(frame.data, frame.width, frame.height, timestampMs)
      : detector.detect(frame.data, frame.width, frame.height, timestampMs);
    const shapes = faces.map((face) => meshToIbug(face.points, options.mapping));
    const chosen = follower.choose(shapes, frame);
    finder?.follow(chosen < 0 ? null : faces[chosen]!);
    detections[frame.index] = chosen < 0 ? { shape: null, score: 0 } : { shape: shapes[chosen]!, score: faces[chosen]!.score };
    options.onFrame?.(frame.index);
  }
  return detections;
}
