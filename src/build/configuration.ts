import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CALIBRATION } from "../calibrate/constants.js";
import type { BuildConfiguration, JsonValue } from "../dataset/manifest.js";
import { tasksVisionDirectory } from "../extract/mediapipe/node-shims.js";
import { DEFAULT_MAPPING, MEDIAPIPE_GUARD, extractSettings, facesPerImage } from "../extract/settings.js";
import { OPENFACE_GUARD } from "../openface/guarded-plan.js";
import type { FfmpegBinary } from "../video/types.js";
import type { LandmarkSource } from "./task.js";

/** The calibration a build applies: the guard, then LRNet's calibrator on the kept frames. */
export const BUILD_CALIBRATION_MODE = "guarded";

/**
 * Everything that decides a build's values, recorded in the manifest and fingerprinted: a rerun into the same
 * output resumes only when all of it is equal. Besides the required keys: the MediaPipe running mode and the
 * tasks-vision runtime version (MediaPipe), and the decoder's version (frames, hence values, come from it).
 */
export function buildConfiguration(source: LandmarkSource, decoder: FfmpegBinary): BuildConfiguration {
  const decoderVersion = /^ffmpeg version (\S+)/.exec(decoder.version)?.[1] ?? decoder.version;
  const common = {
    mode: BUILD_CALIBRATION_MODE,
    calibration: { ...CALIBRATION } as { [key: string]: JsonValue },
    decoder: `ffmpeg ${decoderVersion}`,
  };
  if (source.kind === "openface") {
    return {
      detector: "openface",
      model_sha256: null,
      mapping_version: "none",
      guard: { ...OPENFACE_GUARD },
      ...common,
    };
  }
  return {
    detector: "mediapipe-face-landmarker",
    model_sha256: source.modelSha256,
    mapping_version: DEFAULT_MAPPING.version,
    guard: { ...MEDIAPIPE_GUARD },
    running_mode: source.mode,
    face_finder: (extractSettings(source.mode).finder ?? null) as JsonValue,
    faces_per_image: facesPerImage(source.mode),
    detector_runtime: `@mediapipe/tasks-vision@${tasksVisionVersion()}`,
    ...common,
  };
}

function tasksVisionVersion(): string {
  const pkg = JSON.parse(readFileSync(join(tasksVisionDirectory(), "package.json"), "utf8")) as { version?: unknown };
  return String(pkg.version ?? "unknown");
}
