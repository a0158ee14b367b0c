import type { Manifest } from "../../store/manifest.js";
import { PARQUET_COLUMNS } from "../../store/parquet-columns.js";

/** What a column holds, for the card and for Croissant (`repeated`: a list of 136 numbers per row). */
export interface ColumnFacts {
  name: string;
  description: string;
  /** Croissant 1.0 data type. */
  croissantType: "sc:Text" | "sc:Integer" | "sc:Float";
  repeated: boolean;
  /** As Hugging Face `datasets` shows it. */
  featureType: string;
}

const DESCRIPTIONS: Record<string, Omit<ColumnFacts, "name">> = {
  video_id: { description: "The video's id, e.g. Deepfakes/c23/000_003.", croissantType: "sc:Text", repeated: false, featureType: "string" },
  frame: { description: "Frame index in decode order, 0..n-1.", croissantType: "sc:Integer", repeated: false, featureType: "int32" },
  time_s: { description: "Presentation time of the frame in seconds.", croissantType: "sc:Float", repeated: false, featureType: "float64" },
  landmarks: {
    description: "Calibrated 68-point iBUG landmarks x0 y0 ... x67 y67 (136 float32) in LRNet's normalised crop units [-1, 1], on its 0.005 grid; null before the first detected face.",
    croissantType: "sc:Float",
    repeated: true,
    featureType: "list<float32>[136]",
  },
  raw: {
    description: "The detector's 68 points x0 y0 ... x67 y67 (136 float32) in frame pixels, before calibration; null where none was found.",
    croissantType: "sc:Float",
    repeated: true,
    featureType: "list<float32>[136]",
  },
  status: { description: "What the guard did with the frame: detected, held (previous shape kept), rejected (a face jump, previous shape kept) or skipped (before the first face).", croissantType: "sc:Text", repeated: false, featureType: "string" },
  score: { description: "Detector confidence of the frame (0 where nothing was detected).", croissantType: "sc:Float", repeated: false, featureType: "float32" },
  label: { description: "real or fake: the video's ground truth (real = 0, fake = 1 in LRNet).", croissantType: "sc:Text", repeated: false, featureType: "string" },
  split: { description: "The video's split (train, val, test, ...).", croissantType: "sc:Text", repeated: false, featureType: "string" },
  method: { description: "The source subset: the manipulation method of a fake (Deepfakes, Face2Face, ...) or the originals' subset (youtube, actors, ...).", croissantType: "sc:Text", repeated: false, featureType: "string" },
  compression: { description: "The source videos' compression level (raw, c23, c40, ...).", croissantType: "sc:Text", repeated: false, featureType: "string" },
};

/** Every column of the data files, in file order, with what it holds. */
export function columnFacts(): ColumnFacts[] {
  return PARQUET_COLUMNS.map((c) => {
    const facts = DESCRIPTIONS[c.name];
    if (!facts) throw new Error(`column ${c.name} has no description for the dataset card`);
    return { name: c.name, ...facts };
  });
}

export interface GroupCount {
  split: string;
  method: string;
  compression: string;
  label: string;
  videos: number;
  frames: number;
}

/** Videos and frames per split, method, compression and label, in split order (train, val, test, others). */
export function groupCounts(manifest: Manifest): GroupCount[] {
  const groups = new Map<string, GroupCount>();
  for (const v of manifest.videos) {
    const key = [v.split, v.method, v.compression, v.label].join("\u0000");
    const group = groups.get(key) ?? { split: v.split, method: v.method, compression: v.compression, label: v.label, videos: 0, frames: 0 };
    group.videos++;
    group.frames += v.rows;
    groups.set(key, group);
  }
  const splitOrder = Object.keys(manifest.splits);
  return [...groups.values()].sort(
    (a, b) =>
      splitOrder.indexOf(a.split) - splitOrder.indexOf(b.split) ||
      compare(a.method, b.method) ||
      compare(a.compression, b.compression) ||
      compare(a.label, b.label),
  );
}

/** The method/compression pairs of the dataset, sorted: one Hugging Face config each. */
export function subsets(manifest: Manifest): { method: string; compression: string; splits: string[] }[] {
  const bySubset = new Map<string, { method: string; compression: string; splits: Set<string> }>();
  for (const file of manifest.data_files) {
    const { method, compression, split } = file.partition;
    const key = `${method}\u0000${compression}`;
    const entry = bySubset.get(key) ?? { method, compression, splits: new Set<string>() };
    entry.splits.add(split);
    bySubset.set(key, entry);
  }
  const splitOrder = Object.keys(manifest.splits);
  return [...bySubset.values()]
    .sort((a, b) => compare(a.method, b.method) || compare(a.compression, b.compression))
    .map((s) => ({ method: s.method, compression: s.compression, splits: [...s.splits].sort((a, b) => splitOrder.indexOf(a) - splitOrder.indexOf(b)) }));
}

export function totalRows(manifest: Manifest): number {
  return manifest.data_files.reduce((sum, f) => sum + f.rows, 0);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** How the values were made, one sentence each, from the manifest's configuration (card and Croissant). */
export function provenance(manifest: Manifest): string[] {
  const c = manifest.configuration;
  const lines: string[] = [];
  if (c.detector === "openface") {
    lines.push("Landmarks per frame: OpenFace 2 FeatureExtraction CSVs (68 iBUG points), given with the videos.");
  } else {
    lines.push(
      `Landmarks per frame: ${c.detector}${typeof c["detector_runtime"] === "string" ? ` (${c["detector_runtime"]})` : ""}` +
        `${typeof c["running_mode"] === "string" ? `, ${c["running_mode"]} mode` : ""}, model sha256 ${c.model_sha256 ?? "none"}, ` +
        `its 478-point mesh mapped to the 68 iBUG points by mapping ${c.mapping_version}.`,
    );
  }
  lines.push(`Guard (failed detections and face jumps): ${JSON.stringify(c.guard)}.`);
  lines.push(`Calibration: LRNet's (pyramidal Lucas-Kanade optical flow and a per-point Kalman filter on 400x400 face crops), mode ${c.mode}, constants ${JSON.stringify(c.calibration)}.`);
  lines.push(
    c["output_box"] === "exact"
      ? "Calibrated landmarks are relative to an exact face box (centred on each frame's face, side 1.2 x the unrounded mean face size), not LRNet's whole-pixel box, so that a face gets the same values at any size."
      : "Calibrated landmarks are relative to LRNet's own face box (whole pixels), as LRNet's calibrator writes them.",
  );
  lines.push(`Decoding: ${typeof c["decoder"] === "string" ? c["decoder"] : "ffmpeg (version not recorded)"}, every frame, in order.`);
  lines.push(`Tool: ${manifest.tool.name} ${manifest.tool.version}; configuration fingerprint ${manifest.configuration_fingerprint}.`);
  return lines;
}

/** The source datasets' terms when --source-terms is not given, by layout; a person must confirm them. */
export function defaultSourceTerms(layout: string): string {
  if (layout === "ffpp") {
    return (
      "The videos come from FaceForensics++ (Rössler et al., ICCV 2019; github.com/ondyari/FaceForensics), which is obtained " +
      "only after accepting its Terms of Use. This dataset holds landmarks derived from those videos, never the videos. " +
      "TODO(owner): quote the Terms of Use you accepted, and confirm that they allow publishing derived landmarks and under which conditions (e.g. non-commercial research use)."
    );
  }
  if (layout === "dfo") {
    return (
      "The videos come from DeeperForensics-1.0 (Jiang et al., CVPR 2020), obtained under its terms of use. This dataset holds " +
      "landmarks derived from those videos, never the videos. TODO(owner): quote those terms and confirm that they allow publishing derived landmarks."
    );
  }
  return "TODO(owner): name the datasets the videos come from, quote their terms of use, and confirm that they allow publishing landmarks derived from them.";
}
