/**
 * Builds the TFLite model metadata MediaPipe Tasks reads before running an image model: a
 * ModelMetadata flatbuffer (public `metadata_schema.fbs`, file identifier "M001") whose only input
 * tensor is an RGB image with a normalisation process unit, stored in the model under the metadata
 * name TFLITE_METADATA. Without it, float inputs are refused ("requires specifying
 * NormalizationOptions metadata").
 */
import { float32Vector, ref, refs, serializeFlatBuffer, str, table, uint8, type FlatField, type FlatNode } from "./flatbuffer-writer.js";

export const METADATA_IDENTIFIER = "M001";

/** Field slots of the metadata schema tables used here. */
export const ModelMetadataSlot = { name: 0, description: 1, version: 2, subgraphMetadata: 3, author: 4, license: 5, minParserVersion: 7 } as const;
export const SubGraphMetadataSlot = { name: 0, inputTensorMetadata: 2, outputTensorMetadata: 3 } as const;
export const TensorMetadataSlot = { name: 0, description: 1, content: 3, processUnits: 4, stats: 5 } as const;
export const ContentSlot = { propertiesType: 0, properties: 1 } as const;
export const ImagePropertiesSlot = { colorSpace: 0 } as const;
export const ProcessUnitSlot = { optionsType: 0, options: 1 } as const;
export const NormalizationOptionsSlot = { mean: 0, std: 1 } as const;
export const StatsSlot = { max: 0, min: 1 } as const;

/** Union member indices and enum values. */
export const ContentPropertiesType = { ImageProperties: 2 } as const;
export const ProcessUnitOptionsType = { NormalizationOptions: 1 } as const;
export const ColorSpaceType = { RGB: 1 } as const;

/** Oldest metadata parser that understands every field written here (all exist since 1.0.0). */
export const MIN_PARSER_VERSION = "1.0.0";

export interface ImageModelMetadata {
  name: string;
  description: string;
  version: string;
  author: string;
  license: string;
  input: {
    name: string;
    description: string;
    /** Per-channel (or one shared) mean and std: the model sees (pixel - mean) / std. */
    mean: readonly number[];
    std: readonly number[];
  };
  /** One entry per subgraph output, in output order. */
  outputs: ReadonlyArray<{ name: string; description: string }>;
}

export function buildImageModelMetadata(spec: ImageModelMetadata): Uint8Array {
  const { mean, std } = spec.input;
  if (mean.length === 0 || mean.length !== std.length) throw new Error("normalisation needs as many means as stds (1 or 3)");
  if (std.some((s) => s === 0)) throw new Error("normalisation std must not be 0");

  const input = table([
    ref(TensorMetadataSlot.name, str(spec.input.name)),
    ref(TensorMetadataSlot.description, str(spec.input.description)),
    ref(
      TensorMetadataSlot.content,
      table([
        uint8(ContentSlot.propertiesType, ContentPropertiesType.ImageProperties),
        ref(ContentSlot.properties, table([uint8(ImagePropertiesSlot.colorSpace, ColorSpaceType.RGB)])),
      ]),
    ),
    ref(
      TensorMetadataSlot.processUnits,
      refs([
        table([
          uint8(ProcessUnitSlot.optionsType, ProcessUnitOptionsType.NormalizationOptions),
          ref(
            ProcessUnitSlot.options,
            table([ref(NormalizationOptionsSlot.mean, float32Vector(mean)), ref(NormalizationOptionsSlot.std, float32Vector(std))]),
          ),
        ]),
      ]),
    ),
    // The range 8-bit pixels take after normalisation.
    ref(
      TensorMetadataSlot.stats,
      table([
        ref(StatsSlot.max, float32Vector(mean.map((m, i) => (255 - m) / std[i]!))),
        ref(StatsSlot.min, float32Vector(mean.map((m, i) => (0 - m) / std[i]!))),
      ]),
    ),
  ]);
  const outputs: FlatNode[] = spec.outputs.map((o) =>
    table([ref(TensorMetadataSlot.name, str(o.name)), ref(TensorMetadataSlot.description, str(o.description))]),
  );
  const subgraph = table([
    ref(SubGraphMetadataSlot.name, str(spec.name)),
    ref(SubGraphMetadataSlot.inputTensorMetadata, refs([input])),
    ref(SubGraphMetadataSlot.outputTensorMetadata, refs(outputs)),
  ]);
  const fields: FlatField[] = [
    ref(ModelMetadataSlot.name, str(spec.name)),
    ref(ModelMetadataSlot.description, str(spec.description)),
    ref(ModelMetadataSlot.version, str(spec.version)),
    ref(ModelMetadataSlot.subgraphMetadata, refs([subgraph])),
    ref(ModelMetadataSlot.author, str(spec.author)),
    ref(ModelMetadataSlot.license, str(spec.license)),
    ref(ModelMetadataSlot.minParserVersion, str(MIN_PARSER_VERSION)),
  ];
  return serializeFlatBuffer(table(fields), { identifier: METADATA_IDENTIFIER });
}
