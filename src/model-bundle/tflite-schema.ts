/**
 * The few facts of TensorFlow Lite's public `schema.fbs` (schema version 3, file identifier "TFL3")
 * this editor relies on: field slots (a field's index in its table) and enum values. `fieldsKnown`
 * lists every field the schema defines for the tables the editor rebuilds, so a model carrying a
 * field newer than this list is refused instead of silently losing it.
 */

export const TFLITE_IDENTIFIER = "TFL3";

export const ModelSlot = {
  version: 0,
  operatorCodes: 1,
  subgraphs: 2,
  description: 3,
  buffers: 4,
  metadataBuffer: 5,
  metadata: 6,
  signatureDefs: 7,
  fieldsKnown: 8,
} as const;

export const SubGraphSlot = { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4, fieldsKnown: 5 } as const;

export const TensorSlot = { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4 } as const;

export const OperatorCodeSlot = { deprecatedBuiltinCode: 0, customCode: 1, version: 2, builtinCode: 3 } as const;

export const OperatorSlot = {
  opcodeIndex: 0,
  inputs: 1,
  outputs: 2,
  builtinOptionsType: 3,
  builtinOptions: 4,
} as const;

export const BufferSlot = { data: 0 } as const;

export const MetadataSlot = { name: 0, buffer: 1 } as const;

export const TensorType = { FLOAT32: 0, FLOAT16: 1, INT32: 2, UINT8: 3, INT64: 4 } as const;

export const BuiltinOperator = { CONCATENATION: 2, GATHER: 36, CUSTOM: 32 } as const;

/**
 * Builtin operator codes at or above this value only fit the 32-bit `builtin_code` field; below it
 * both the legacy byte field and the 32-bit field carry the code.
 */
export const PLACEHOLDER_FOR_GREATER_OP_CODES = 127;

/** Member indices of the `BuiltinOptions` union (0 is NONE). */
export const BuiltinOptionsType = { ConcatenationOptions: 10, GatherOptions: 23 } as const;

export const ConcatenationOptionsSlot = { axis: 0, fusedActivationFunction: 1 } as const;
export const GatherOptionsSlot = { axis: 0, batchDims: 1 } as const;

/** Name under which a model's `metadata` vector holds the ModelMetadata flatbuffer. */
export const TFLITE_METADATA_NAME = "TFLITE_METADATA";
