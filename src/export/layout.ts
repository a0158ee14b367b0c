import type { ManifestVideo } from "../store/manifest.js";
import { ExportError } from "./errors.js";

/**
 * LRNet's training tree (training/datasets/README.md and utils/dataset.py of LRNet): one folder per FF++
 * subset, then the compression level, then the split. Originals (youtube, and the actors that DeepFakeDetection
 * was made from) are LRNet's `Origin`.
 */
export const LRNET_FOLDER_OF_METHOD: Readonly<Record<string, string>> = {
  youtube: "Origin",
  actors: "Origin",
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
 * A video id as one file name, reversibly: `%` → `%25`, `/` → `%2F`, `\` → `%5C`, control characters and a
 * leading `.` percent-encoded too (no hidden files, no `..`). `Deepfakes/c23/000_003` → `Deepfakes%2Fc23%2F000_003`;
 * `decodeURIComponent` gives the id back.
 */
export function flattenId(id: string): string {
  let out = "";
  for (let i = 0; i < id.length; i++) {
    const ch = id[i]!;
    const code = ch.charCodeAt(0);
    const unsafe = ch === "%" || ch === "/" || ch === "\\" || code < 0x20 || code === 0x7f || (i === 0 && ch === ".");
    out += unsafe ? `%${code.toString(16).toUpperCase().padStart(2, "0")}` : ch;
  }
  return out;
}
