/**
 * The offline default `face_landmarker.task`: built from the models `@mediapipe/face_mesh` ships, so
 * it needs nothing but the npm registry. Same inputs give the same bytes.
 *
 * - face_detector.tflite: face_detection_short_range.tflite plus metadata (RGB, mean 127.5 / std 127.5).
 * - face_landmarks_detector.tflite: face_landmark_with_attention.tflite plus metadata (RGB, mean 0 /
 *   std 255), a CONCATENATION of its six landmark outputs and a GATHER into one [1,1,1,1434] tensor,
 *   with outputs [landmarks, face flag] as MediaPipe Tasks expects.
 */
import { int32 } from "./flatbuffer-writer.js";
import { attentionGatherIndices, ATTENTION_FACE_FLAG_TENSOR, ATTENTION_LANDMARK_SOURCES, concatenationLayout, OUTPUT_VALUES } from "./landmark-layout.js";
import { PACKED_MODEL_NAMES, readFaceMeshAssets, type FaceMeshAssets } from "./packed-assets.js";
import { writeStoredZip } from "./stored-zip.js";
import { buildImageModelMetadata } from "./tflite-metadata.js";
import { TfliteModelEditor, TfliteModelError } from "./tflite-model.js";
import { BuiltinOperator, BuiltinOptionsType, ConcatenationOptionsSlot, GatherOptionsSlot, TensorType, TFLITE_METADATA_NAME } from "./tflite-schema.js";

/** Bump whenever the builder's output changes, so caches keyed by version never serve a stale bundle. */
export const OFFLINE_BUILDER_VERSION = 1;

export const DETECTOR_MEMBER = "face_detector.tflite";
export const LANDMARKS_MEMBER = "face_landmarks_detector.tflite";

const LICENSE = "Apache License. Version 2.0 http://www.apache.org/licenses/LICENSE-2.0.";
const AUTHOR = "Google MediaPipe (models from @mediapipe/face_mesh); metadata and output layout added by lrnet-data";

export const DETECTOR_NORMALIZATION = { mean: [127.5], std: [127.5] } as const;
export const LANDMARKS_NORMALIZATION = { mean: [0], std: [255] } as const;

export const LANDMARKS_OUTPUT_TENSOR = "lrnet_landmarks_478";
export const LANDMARKS_CONCAT_TENSOR = "lrnet_landmarks_concatenated";
export const LANDMARKS_INDEX_TENSOR = "lrnet_landmarks_gather_indices";

/** Version tag of the bundle built from the installed package, e.g. "v1-fm0.4.1657299874". */
export function offlineBundleVersion(assets: FaceMeshAssets = readFaceMeshAssets()): string {
  return `v${OFFLINE_BUILDER_VERSION}-fm${assets.packageVersion}`;
}

export function offlineBundleFileName(version: string): string {
  return `lrnet-offline-face-landmarker-${version}.task`;
}

export function buildOfflineBundle(assets: FaceMeshAssets = readFaceMeshAssets()): Uint8Array {
  const version = offlineBundleVersion(assets);
  return writeStoredZip([
    { name: DETECTOR_MEMBER, data: buildDetectorModel(assets.file(PACKED_MODEL_NAMES.detector), version) },
    { name: LANDMARKS_MEMBER, data: buildLandmarksModel(assets.file(PACKED_MODEL_NAMES.landmarksWithAttention), version) },
  ]);
}

export function buildDetectorModel(source: Uint8Array, version: string): Uint8Array {
  const editor = new TfliteModelEditor(source);
  const model = editor.model;
  const input = singleImageInput(editor, "face detector");
  const metadata = buildImageModelMetadata({
    name: "face_detector",
    description: "BlazeFace short-range face detector (MediaPipe face_detection_short_range.tflite).",
    version: `lrnet-offline-${version}`,
    author: AUTHOR,
    license: LICENSE,
    input: { name: input, description: "RGB image, values scaled to [-1, 1].", ...DETECTOR_NORMALIZATION },
    outputs: model.outputs.map((t) => ({ name: model.tensor(t).name, description: "SSD anchor regression or score." })),
  });
  editor.setMetadata(TFLITE_METADATA_NAME, metadata);
  return editor.toBytes();
}

export function buildLandmarksModel(source: Uint8Array, version: string): Uint8Array {
  const editor = new TfliteModelEditor(source);
  const model = editor.model;
  const input = singleImageInput(editor, "face landmark model");

  const sources = ATTENTION_LANDMARK_SOURCES.map((s) => {
    const t = model.tensorByName(s.tensorName);
    const values = s.points * s.valuesPerPoint;
    if (t.type !== TensorType.FLOAT32 || !sameShape(t.shape, [1, 1, 1, values])) {
      throw new TfliteModelError(`landmark output ${s.tensorName} is ${JSON.stringify(t.shape)}, expected float32 [1,1,1,${values}]`);
    }
    return t.index;
  });
  const flag = model.tensorByName(ATTENTION_FACE_FLAG_TENSOR);
  if (!model.outputs.includes(flag.index)) throw new TfliteModelError(`${ATTENTION_FACE_FLAG_TENSOR} is not a model output`);

  const { length } = concatenationLayout();
  const concatenated = editor.addTensor({ name: LANDMARKS_CONCAT_TENSOR, shape: [1, 1, 1, length], type: TensorType.FLOAT32 });
  const indices = attentionGatherIndices();
  const indexTensor = editor.addTensor({
    name: LANDMARKS_INDEX_TENSOR,
    shape: [OUTPUT_VALUES],
    type: TensorType.INT32,
    data: int32LittleEndian(indices),
  });
  const landmarks = editor.addTensor({ name: LANDMARKS_OUTPUT_TENSOR, shape: [1, 1, 1, OUTPUT_VALUES], type: TensorType.FLOAT32 });
  editor.addOperator({
    builtinCode: BuiltinOperator.CONCATENATION,
    inputs: sources,
    outputs: [concatenated],
    options: { type: BuiltinOptionsType.ConcatenationOptions, fields: [int32(ConcatenationOptionsSlot.axis, 3)] },
  });
  editor.addOperator({
    builtinCode: BuiltinOperator.GATHER,
    inputs: [concatenated, indexTensor],
    outputs: [landmarks],
    options: { type: BuiltinOptionsType.GatherOptions, fields: [int32(GatherOptionsSlot.axis, 3)] },
  });
  editor.setOutputs([landmarks, flag.index]);

  const metadata = buildImageModelMetadata({
    name: "face_landmarks_detector",
    description:
      "MediaPipe attention face mesh (face_landmark_with_attention.tflite) with its lips, eyes and iris outputs merged into 478 landmarks.",
    version: `lrnet-offline-${version}`,
    author: AUTHOR,
    license: LICENSE,
    input: { name: input, description: "RGB image, values scaled to [0, 1].", ...LANDMARKS_NORMALIZATION },
    outputs: [
      { name: LANDMARKS_OUTPUT_TENSOR, description: "478 landmarks × (x, y, z) in input pixels." },
      { name: flag.name, description: "Face presence logit." },
    ],
  });
  editor.setMetadata(TFLITE_METADATA_NAME, metadata);
  return editor.toBytes();
}

function singleImageInput(editor: TfliteModelEditor, what: string): string {
  const inputs = editor.model.inputs;
  const t = inputs.length === 1 ? editor.model.tensor(inputs[0]!) : null;
  if (t === null || t.type !== TensorType.FLOAT32 || t.shape.length !== 4 || t.shape[3] !== 3) {
    throw new TfliteModelError(`${what} must have one float32 [1,H,W,3] input`);
  }
  return t.name;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function int32LittleEndian(values: Int32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setInt32(4 * i, v, true));
  return bytes;
}
