import { CALIBRATION } from "../calibrate/constants.js";
import type { BuildConfiguration, JsonValue } from "../store/manifest.js";
import { type SourceSpec, sourceConfiguration } from "../sources/registry.js";
import type { OutputBox } from "../calibrate/output-box.js";
import type { FfmpegBinary } from "../video/types.js";
import { type FaceChoice, describeFaceChoice } from "../shape/face-follower.js";

/** The calibration a build applies: the guard, then LRNet's calibrator on the kept frames. */
export const BUILD_CALIBRATION_MODE = "guarded";

/**
 * Everything that decides a build's values, recorded in the manifest and fingerprinted: a rerun into the same
 * output resumes only when all of it is equal. The source's part (detector, model, mapping, guard, and what
 * else decides its values, e.g. MediaPipe's running mode and runtime version), which face is followed when a
 * video has several (`--face`), then the calibration, the box the calibrated points are relative to (`--box`)
 * and the decoder's version (frames, hence values, come from it).
 */
export function buildConfiguration(source: SourceSpec, decoder: FfmpegBinary, face: FaceChoice, outputBox: OutputBox): BuildConfiguration {
  const decoderVersion = /^ffmpeg version (\S+)/.exec(decoder.version)?.[1] ?? decoder.version;
  return {
    ...(sourceConfiguration(source) as Pick<BuildConfiguration, "detector" | "model_sha256" | "mapping_version" | "guard">),
    face: describeFaceChoice(face),
    mode: BUILD_CALIBRATION_MODE,
    calibration: { ...CALIBRATION } as { [key: string]: JsonValue },
    output_box: outputBox,
    decoder: `ffmpeg ${decoderVersion}`,
  };
}
