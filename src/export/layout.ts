import type { ManifestVideo } from "../store/manifest.js";
import { ExportError } from "./errors.js";

/**
 * LRNet's training tree (training/datasets/README.md and utils/dataset.py of LRNet): one folder per FF++
 * subset, then the compression level, then the split. The YouTube originals are LRNet's `Origin`, the real
 * class it pairs with DF/F2F/FS/NT; the actor recordings that DeepFakeDetection was made from go to their own
 * `DFD_Origin`, so that LRNet's loaders do not take them as YouTube originals.
 */
export const LRNET_FOLDER_OF_METHOD: Readonly<Record<string, string>> = {
  youtube: "Origin",
  actors: "DFD_Origin",
  Deepfakes: "DF",
  Face2Face: "F2F",
  FaceSwap: "FS",
  NeuralTextures: "NT",
  FaceShifter: "FSh",
  DeepFakeDetection: "DFD",
};

/** FF++ names its uncompressed level `raw` in current releases and `c0` in older ones; LRNet calls it `raw`. */
export const LRNET_LEVEL_OF_COMPRESSION: Readonly<Record<string, string>> = {
  raw: "raw",
  c0: "raw",
  c23: "c23",
  c40: "c40",
};

export type ExportLayout = "lrnet-ffpp" | "label-split";

/** FF++ datasets get LRNet's own tree; any other layout gets `<label>/<split>/<id>.txt`. */
export function exportLayoutFor(datasetLayout: string): ExportLayout {
  return datasetLayout === "ffpp" ? "lrnet-ffpp" : "label-split";
}

/** The file of a video under the export directory, `/`-separated. */
export function exportPathOf(video: ManifestVideo, layout: ExportLayout): string {
  if (layout === "label-split") return `${video.label}/${video.split}/${flattenId(video.id)}.txt`;
  const folder = LRNET_FOLDER_OF_METHOD[video.method];
  if (!folder) {
    throw new ExportError(`video ${video.id}: method ${video.method} has no LRNet folder (known: ${Object.keys(LRNET_FOLDER_OF_METHOD).join(", ")})`);
  }
  const level = LRNET_LEVEL_OF_COMPRESSION[video.compression];
  if (!level) throw new ExportError(`video ${video.id}: compression ${video.compression} is not one of LRNet's levels raw, c23, c40`);
  // FF++ ids are <method>/<compression>/<file stem>; LRNet names each file after the clip: 000_003.txt.
  const stem = video.id.slice(video.id.lastIndexOf("/") + 1);
  return `${folder}/${level}/${video.split}/${flattenId(stem)}.txt`;
}

/**
 * A video id as one readable file name: each `/` (or `\\`) becomes `__`, so `end_to_end/000_M004` →
 * `end_to_end__000_M004` and `source_videos/M004_light_up_happy_camera_front` keeps its name; control characters
 * become `_` and a leading `.` becomes `_` (no hidden files, no `..`). Two ids that would give the same name
 * (`a__b/c` and `a/b__c`) make the export refuse, naming both; the manifest keeps every id.
 */
export function flattenId(id: string): string {
  let out = "";
  for (let i = 0; i < id.length; i++) {
    const ch = id[i]!;
    const code = ch.charCodeAt(0);
    if (ch === "/" || ch === "\\") out += "__";
    else if (code < 0x20 || code === 0x7f || (i === 0 && ch === ".")) out += "_";
    else out += ch;
  }
  return out;
}
