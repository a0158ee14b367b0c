import type { Manifest } from "../../store/manifest.js";
import { DATA_DIR } from "../../store/partition.js";
import { columnFacts, defaultSourceTerms, groupCounts, provenance } from "./facts.js";

export const CROISSANT_FILE = "croissant.json";
export const CROISSANT_CONFORMS_TO = "http://mlcommons.org/croissant/1.0";
const FILE_SET_ID = "parquet-files";
const RECORD_SET_ID = "frames";

/** The Croissant 1.0 JSON-LD context (the vocabulary terms this file uses, as the spec declares them). */
const CONTEXT = {
  "@language": "en",
  "@vocab": "https://schema.org/",
  citeAs: "cr:citeAs",
  column: "cr:column",
  conformsTo: "dct:conformsTo",
  cr: "http://mlcommons.org/croissant/",
  rai: "http://mlcommons.org/croissant/RAI/",
  data: { "@id": "cr:data", "@type": "@json" },
  dataType: { "@id": "cr:dataType", "@type": "@vocab" },
  dct: "http://purl.org/dc/terms/",
  examples: { "@id": "cr:examples", "@type": "@json" },
  extract: "cr:extract",
  field: "cr:field",
  fileProperty: "cr:fileProperty",
  fileObject: "cr:fileObject",
  fileSet: "cr:fileSet",
  format: "cr:format",
  includes: "cr:includes",
  isLiveDataset: "cr:isLiveDataset",
  jsonPath: "cr:jsonPath",
  key: "cr:key",
  md5: "cr:md5",
  parentField: "cr:parentField",
  path: "cr:path",
  recordSet: "cr:recordSet",
  references: "cr:references",
  regex: "cr:regex",
  repeated: "cr:repeated",
  replace: "cr:replace",
  sc: "https://schema.org/",
  separator: "cr:separator",
  source: "cr:source",
  subField: "cr:subField",
  transform: "cr:transform",
} as const;

export interface CroissantInput {
  name: string;
  description: string;
  license: string;
  sourceTerms?: string;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * croissant.json for an exported dataset: every data file as a FileObject with its sha256, a FileSet of them
 * that the record set reads, one Field per column with its type, and the responsible-AI fields filled from the
 * manifest where it knows the answer and marked "TODO(owner): …" where only a person can give it.
 */
export function croissantOf(manifest: Manifest, input: CroissantInput): { [key: string]: Json } {
  const counts = groupCounts(manifest);
  const frames = manifest.videos.reduce((s, v) => s + v.rows, 0);
  const withLandmarks = manifest.videos.reduce((s, v) => s + v.status_counts.detected + v.status_counts.held + v.status_counts.rejected, 0);
  const detected = manifest.videos.reduce((s, v) => s + v.status_counts.detected, 0);
  const fileObjects: Json[] = manifest.data_files.map((file) => ({
    "@type": "cr:FileObject",
    "@id": file.path,
    name: file.path,
    description: `Frames of ${file.videos.length} videos of split ${file.partition.split}, ${file.partition.method}, ${file.partition.compression}.`,
    contentUrl: file.path,
    contentSize: `${file.bytes} B`,
    encodingFormat: "application/x-parquet",
    sha256: file.sha256,
  }));
  const fields: Json[] = columnFacts().map((column) => ({
    "@type": "cr:Field",
    "@id": `${RECORD_SET_ID}/${column.name}`,
    name: column.name,
    description: column.description,
    dataType: column.croissantType,
    ...(column.repeated ? { repeated: true } : {}),
    source: { fileSet: { "@id": FILE_SET_ID }, extract: { column: column.name } },
  }));
  const failures = manifest.failures.length;
  return {
    "@context": CONTEXT,
    "@type": "sc:Dataset",
    conformsTo: CROISSANT_CONFORMS_TO,
    name: input.name,
    description: input.description,
    license: input.license,
    url: "TODO(owner): the dataset's page once published",
    citeAs: "TODO(owner): how to cite this dataset (and LRNet: Sun et al., Improving the Efficiency and Robustness of Deepfakes Detection through Precise Geometric Features, CVPR 2021)",
    creator: { "@type": "sc:Person", name: "TODO(owner): who made and maintains this dataset" },
    dateCreated: manifest.created_at,
    version: "1.0.0",
    keywords: ["deepfake detection", "facial landmarks", "LRNet", "68-point landmarks", "time series"],
    isLiveDataset: false,
    distribution: [
      ...fileObjects,
      {
        "@type": "cr:FileSet",
        "@id": FILE_SET_ID,
        name: FILE_SET_ID,
        description: "Every data file: one row per decoded video frame, the columns below.",
        encodingFormat: "application/x-parquet",
        includes: `${DATA_DIR}/*/*/*/*.parquet`,
      },
    ],
    recordSet: [
      {
        "@type": "cr:RecordSet",
        "@id": RECORD_SET_ID,
        name: RECORD_SET_ID,
        description: "One record per decoded frame of each video; a video's frames are contiguous and in order within one file.",
        field: fields,
      },
    ],
    "rai:dataCollection":
      `Landmarks were computed by ${manifest.tool.name} ${manifest.tool.version} from ${manifest.videos.length + failures} videos found by its ` +
      `"${manifest.source.layout}" layout (${manifest.videos.length} made it into the dataset, ${failures} failed). No video is included. ` +
      "TODO(owner): how, when and under which agreement the source videos were obtained.",
    "rai:dataCollectionMissingData":
      `Every decoded frame has a row. Frames before the first detected face have no landmarks (null; status skipped); later failed detections and face jumps keep the previous shape (status held or rejected). ${failures} videos failed and are absent.`,
    "rai:dataPreprocessingProtocol": provenance(manifest),
    "rai:dataAnnotationProtocol":
      "No person annotated anything. label, split, method and compression come from the source dataset's own organisation as read by the layout " +
      `"${manifest.source.layout}"${manifest.source.splits_dir ? " and its official split files" : ""}${manifest.source.list ? " and the given video list" : ""}: ` +
      "a video is real when it is an original and fake when it is a manipulation. status and score come from the detector and the guard.",
    "rai:personalSensitiveInformation":
      "Facial landmarks are measurements of real people's faces (biometric-like data), one shape per frame, and video ids name source identities. " +
      "TODO(owner): state whether the people consented, and how this data is handled under the applicable law.",
    "rai:dataLimitations":
      `Landmarks exist on ${percent(withLandmarks, frames)} of ${frames} frames (the face was detected on ${percent(detected, frames)}; the rest are held or skipped). ` +
      `${manifest.configuration.detector === "openface" ? "They come from OpenFace." : `They come from ${manifest.configuration.detector} mapped to 68 points (mapping ${manifest.configuration.mapping_version}), not from the detector LRNet used, so they differ slightly from LRNet's own files.`} ` +
      "TODO(owner): other limits (video quality, face sizes, languages, capture conditions).",
    "rai:dataBiases":
      `Groups: ${counts.map((g) => `${g.split}/${g.method}/${g.compression}/${g.label} ${g.videos} videos`).join(", ")}. ` +
      "The dataset inherits the demographics of its source videos. TODO(owner): describe them (age, gender, skin tone) and any known bias.",
    "rai:dataUseCases":
      "Training and evaluating landmark-based deepfake detectors such as LRNet. Not for identifying or tracking people. " +
      "TODO(owner): confirm the intended and the excluded uses.",
    "rai:dataSocialImpact": "TODO(owner): expected social impact, positive and negative.",
    "rai:dataReleaseMaintenancePlan": "TODO(owner): who maintains the dataset and how errors are reported and fixed.",
    "rai:machineAnnotationTools": [manifest.configuration.detector === "openface" ? "OpenFace 2" : `${manifest.configuration.detector} (model sha256 ${manifest.configuration.model_sha256 ?? "none"})`, `${manifest.tool.name} ${manifest.tool.version}`],
    usageInfo: input.sourceTerms ?? defaultSourceTerms(manifest.source.layout),
  };
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)} %` : "0 %";
}
