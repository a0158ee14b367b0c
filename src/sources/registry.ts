/** Chooses a landmark source by name: the only place that knows every implementation. */
import { type MediaPipeSpec, mediaPipeConfiguration, openMediaPipeSource, prepareMediaPipeSpec } from "../extract/mediapipe-source.js";
import { type OpenFaceSpec, openFaceConfiguration, openOpenFaceSource } from "../openface/source.js";
import type { LandmarkSource } from "./landmark-source.js";

/** Which source, and its options: plain JSON, so a build can hand it to its workers. */
export type SourceSpec = MediaPipeSpec | OpenFaceSpec;

export const SOURCE_NAMES: readonly SourceSpec["name"][] = ["mediapipe", "openface"];

export interface SourceHooks {
  /** Receives what a source's runtime prints (wasm logs); default: dropped. */
  onLog?: (line: string) => void;
}

/** Resolves once, in the main thread, what every worker must share (MediaPipe: the model file and its sha256). */
export async function prepareSourceSpec(spec: SourceSpec): Promise<SourceSpec> {
  return spec.name === "mediapipe" ? prepareMediaPipeSpec(spec) : spec;
}

/** The source's part of a manifest's configuration, without opening it (no runtime is loaded). */
export function sourceConfiguration(spec: SourceSpec): Record<string, unknown> {
  return spec.name === "mediapipe" ? mediaPipeConfiguration(spec) : openFaceConfiguration(spec);
}

export async function openLandmarkSource(spec: SourceSpec, hooks: SourceHooks = {}): Promise<LandmarkSource> {
  switch (spec.name) {
    case "mediapipe":
      return openMediaPipeSource(spec, hooks);
    case "openface":
      return openOpenFaceSource(spec);
  }
}
