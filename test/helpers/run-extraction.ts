import { FACE_FINDER } from "../../src/extract/finder/face-finder.js";
import { type FaceDetector, faceDetectorSource } from "../../src/extract/mediapipe-source.js";
import { DEFAULT_ENHANCE, darkFramesFor, facesPerImage } from "../../src/extract/settings.js";
import { DARK_FRAMES, type DarkFrameSettings } from "../../src/extract/dark-frames.js";
import type { FrameStatus } from "../../src/guard/guard.js";
import { createFaceLandmarker, type NodeFaceLandmarker } from "../../src/mediapipe-runtime/landmarker.js";
import { resolveModel } from "../../src/model-bundle/resolve-model.js";
import { runVideoPipeline } from "../../src/sources/video-pipeline.js";
import type { FaceChoice } from "../../src/shape/face-follower.js";
import type { Shape } from "../../src/shape/shape.js";
import { probeVideo } from "../../src/video/probe.js";

/** One frame of an in-process extraction, kept for comparisons. */
export interface ExtractedRow {
  status: FrameStatus;
  raw: Shape | null;
  calibrated: Float64Array | null;
}

/** An IMAGE-mode landmarker as `extract` opens it (default model, several faces per image). */
export async function openImageLandmarker(): Promise<NodeFaceLandmarker> {
  const model = await resolveModel();
  const numFaces = facesPerImage("image");
  return createFaceLandmarker(model.bytes ? { modelBytes: model.bytes, mode: "image", numFaces } : { modelPath: model.path, mode: "image", numFaces });
}

export interface ExtractOptions {
  /** Search the frame with the face finder (default, as `extract`), or give the landmarker whole frames (as before it). */
  finder?: boolean;
  choice?: FaceChoice;
  /** Brighten dark images for the detector (`--enhance auto`; true: its settings); default: as `extract`. */
  darkFrames?: boolean | DarkFrameSettings;
}

/** Every frame of `video` through detection, guard and calibration (in this process, with `detector`). */
export async function extractRows(video: string, detector: FaceDetector, options: ExtractOptions = {}): Promise<ExtractedRow[]> {
  const info = await probeVideo(video);
  const darkFrames =
    options.darkFrames === undefined ? darkFramesFor(DEFAULT_ENHANCE) : options.darkFrames === true ? DARK_FRAMES : options.darkFrames || null;
  const source = faceDetectorSource(detector, {}, options.finder === false ? null : FACE_FINDER, darkFrames);
  const outcome = await runVideoPipeline(info, source, options.choice ? { choice: options.choice } : {});
  if (outcome.kind === "no-face") return outcome.detections.map(() => ({ status: "skipped", raw: null, calibrated: null }));
  const rows: ExtractedRow[] = [];
  for await (const f of outcome.frames) rows.push({ status: f.status, raw: f.raw, calibrated: f.calibrated });
  return rows;
}

/** Share of frames whose face was detected (not held, rejected, skipped or lost). */
export function detectedShare(rows: readonly ExtractedRow[]): number {
  return rows.filter((r) => r.status === "detected").length / rows.length;
}

/** The calibrated rows of frames where both extractions have one, paired. */
export function pairedCalibrated(ours: readonly ExtractedRow[], reference: readonly ExtractedRow[]): [Float64Array[], Float64Array[]] {
  const a: Float64Array[] = [];
  const b: Float64Array[] = [];
  for (let i = 0; i < Math.min(ours.length, reference.length); i++) {
    const x = ours[i]!.calibrated;
    const y = reference[i]!.calibrated;
    if (x && y) {
      a.push(x);
      b.push(y);
    }
  }
  return [a, b];
}
