/** Chooses a landmark source by name: the only place that knows every implementation. */
import { type MediaPipeSpec, mediaPipeConfiguration, openMediaPipeSource, prepareMediaPipeSpec } from "../extract/mediapipe-source.js";
import { type OpenFaceSpec, openFaceConfiguration, openOpenFaceSource } from "../openface/source.js";
import { type ImportSpec, importConfiguration, openImportSource, prepareImportSpec } from "./import/import-source.js";
import type { OutputBox } from "../calibrate/output-box.js";
import type { LandmarkSource } from "./landmark-source.js";
import { type PluginSpec, openPluginSource, pluginConfiguration, preparePluginSpec } from "./plugin/plugin-source.js";

/** Which source, and its options: plain JSON, so a build can hand it to its workers. */
export type SourceSpec = MediaPipeSpec | OpenFaceSpec | ImportSpec | PluginSpec;

export const SOURCE_NAMES: readonly SourceSpec["name"][] = ["mediapipe", "openface", "import", "plugin"];

export interface SourceHooks {
  /** Receives what a source's runtime prints (wasm logs); default: dropped. */
  onLog?: (line: string) => void;
}

/**
 * Resolves once, in the main thread, what every worker must share: MediaPipe's model file and its sha256; an
 * import's layout and map (from its path, or `sample`, a build's first matched file); what a plugin declares.
 */
export async function prepareSourceSpec(spec: SourceSpec, sample?: string): Promise<SourceSpec> {
  switch (spec.name) {
    case "mediapipe":
      return prepareMediaPipeSpec(spec);
    case "openface":
      return spec;
    case "import":
      return prepareImportSpec(spec, sample);
    case "plugin":
      return preparePluginSpec(spec);
  }
}

/** The source's part of a manifest's configuration, without opening it (no runtime is loaded; spec prepared). */
export function sourceConfiguration(spec: SourceSpec): Record<string, unknown> {
  switch (spec.name) {
    case "mediapipe":
      return mediaPipeConfiguration(spec);
    case "openface":
      return openFaceConfiguration(spec);
    case "import":
      return importConfiguration(spec);
    case "plugin":
      return pluginConfiguration(spec);
  }
}

/**
 * The box a source's calibrated points are written relative to (output-box.ts): LRNet's for OpenFace CSVs,
 * LRNet's own calibrator input, so that calibrating them reproduces LRNet's output; the exact box for every
 * detector and imported landmarks, whose faces may be of any size.
 */
export function outputBoxOf(spec: Pick<SourceSpec, "name">): OutputBox {
  return spec.name === "openface" ? "lrnet" : "exact";
}

export async function openLandmarkSource(spec: SourceSpec, hooks: SourceHooks = {}): Promise<LandmarkSource> {
  switch (spec.name) {
    case "mediapipe":
      return openMediaPipeSource(spec, hooks);
    case "openface":
      return openOpenFaceSource(spec);
    case "import":
      return openImportSource(spec);
    case "plugin":
      return openPluginSource(spec);
  }
}
