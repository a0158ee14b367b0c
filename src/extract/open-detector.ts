import { type NodeFaceLandmarker, type RunningMode, createFaceLandmarker } from "./mediapipe/landmarker.js";
import { type ResolvedModel, resolveModel } from "./model/resolve-model.js";
import { facesPerImage } from "./settings.js";

export interface DetectorOptions {
  mode: RunningMode;
  /** `--model PATH` */
  modelPath?: string;
  /** Allow downloading Google's official bundle (checksum-verified). */
  download?: boolean;
}

/** Resolves the model (see resolve-model.ts for the order) and creates a CPU landmarker with it. */
export async function openDetector(options: DetectorOptions): Promise<{ landmarker: NodeFaceLandmarker; model: ResolvedModel }> {
  const model = await resolveModel({
    ...(options.modelPath === undefined ? {} : { modelPath: options.modelPath }),
    ...(options.download === undefined ? {} : { download: options.download }),
  });
  const landmarker = await createFaceLandmarker(
    model.bytes
      ? { modelBytes: model.bytes, mode: options.mode, numFaces: facesPerImage(options.mode) }
      : { modelPath: model.path, mode: options.mode, numFaces: facesPerImage(options.mode) },
  );
  return { landmarker, model };
}
