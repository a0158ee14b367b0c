/**
 * Reading and editing TensorFlow Lite models without re-encoding them.
 *
 * The editor rebuilds only the Model table, the first SubGraph table and the vectors it extends; every
 * other object (tensors, operators and their option unions, quantisation, buffers, signatures) is
 * referenced where it already lies, inside a verbatim copy of the source model appended after the new
 * tables (see flatbuffer-writer.ts). Fields the rebuilt tables carry are copied by slot; a field this
 * code does not know makes it refuse the model rather than drop the field.
 */
import { LrnetDataError } from "../errors.js";
import { FlatTable, rootTable } from "./flatbuffer-reader.js";
import {
  bytesVector,
  external,
  int32,
  int32Vector,
  int8,
  rawScalar,
  ref,
  refs,
  serializeFlatBuffer,
  str,
  table,
  uint32,
  uint8,
  type FlatField,
  type FlatNode,
} from "./flatbuffer-writer.js";
import {
  BufferSlot,
  MetadataSlot,
  ModelSlot,
  OperatorCodeSlot,
  OperatorSlot,
  PLACEHOLDER_FOR_GREATER_OP_CODES,
  SubGraphSlot,
  TensorSlot,
  TFLITE_IDENTIFIER,
} from "./tflite-schema.js";

export class TfliteModelError extends LrnetDataError {}

export interface TensorSummary {
  index: number;
  name: string;
  shape: number[];
  type: number;
  buffer: number;
}

export interface OperatorCodeSummary {
  builtinCode: number;
  customCode: string | null;
  version: number;
}

export interface OperatorSummary {
  opcodeIndex: number;
  inputs: number[];
  outputs: number[];
  optionsType: number;
  options: FlatTable | null;
}

export interface MetadataEntry {
  name: string;
  buffer: number;
}

/** A read-only view of a model's main (first) subgraph and model-level tables. */
export class TfliteModelView {
  readonly root: FlatTable;
  private readonly subgraph: FlatTable;

  constructor(readonly bytes: Uint8Array) {
    try {
      this.root = rootTable(bytes, TFLITE_IDENTIFIER);
    } catch (err) {
      throw new TfliteModelError(`not a TensorFlow Lite model: ${(err as Error).message}`);
    }
    const subgraphs = this.root.tableVector(ModelSlot.subgraphs);
    if (subgraphs.length === 0) throw new TfliteModelError("TensorFlow Lite model has no subgraph");
    this.subgraph = subgraphs[0]!;
  }

  get version(): number {
    return this.root.uint32(ModelSlot.version);
  }
  get description(): string | null {
    return this.root.string(ModelSlot.description);
  }
  get subgraphCount(): number {
    return this.root.vector(ModelSlot.subgraphs)?.length ?? 0;
  }
  get subgraphName(): string | null {
    return this.subgraph.string(SubGraphSlot.name);
  }
  get inputs(): number[] {
    return this.subgraph.int32Vector(SubGraphSlot.inputs) ?? [];
  }
  get outputs(): number[] {
    return this.subgraph.int32Vector(SubGraphSlot.outputs) ?? [];
  }
  get tensorCount(): number {
    return this.subgraph.vector(SubGraphSlot.tensors)?.length ?? 0;
  }
  get operatorCount(): number {
    return this.subgraph.vector(SubGraphSlot.operators)?.length ?? 0;
  }
  get bufferCount(): number {
    return this.root.vector(ModelSlot.buffers)?.length ?? 0;
  }
  get hasSignatureDefs(): boolean {
    return (this.root.vector(ModelSlot.signatureDefs)?.length ?? 0) > 0;
  }

  tensors(): TensorSummary[] {
    return this.subgraph.tableVector(SubGraphSlot.tensors).map((t, index) => summarizeTensor(t, index));
  }

  tensor(index: number): TensorSummary {
    const positions = this.subgraph.offsetVectorTargets(SubGraphSlot.tensors);
    const pos = positions[index];
    if (pos === undefined) throw new TfliteModelError(`tensor ${index} does not exist (${positions.length} tensors)`);
    return summarizeTensor(new FlatTable(this.bytes, this.root.view, pos), index);
  }

  tensorByName(name: string): TensorSummary {
    const t = this.tensors().find((x) => x.name === name);
    if (t === undefined) throw new TfliteModelError(`model has no tensor named "${name}"`);
    return t;
  }

  operatorCodes(): OperatorCodeSummary[] {
    return this.root.tableVector(ModelSlot.operatorCodes).map((c) => ({
      // Newer converters fill the 32-bit field, older ones only the legacy byte: the larger wins.
      builtinCode: Math.max(c.int8(OperatorCodeSlot.deprecatedBuiltinCode), c.int32(OperatorCodeSlot.builtinCode)),
      customCode: c.string(OperatorCodeSlot.customCode),
      version: c.int32(OperatorCodeSlot.version, 1),
    }));
  }

  operators(): OperatorSummary[] {
    return this.subgraph.tableVector(SubGraphSlot.operators).map((op) => ({
      opcodeIndex: op.uint32(OperatorSlot.opcodeIndex),
      inputs: op.int32Vector(OperatorSlot.inputs) ?? [],
      outputs: op.int32Vector(OperatorSlot.outputs) ?? [],
      optionsType: op.uint8(OperatorSlot.builtinOptionsType),
      options: op.table(OperatorSlot.builtinOptions),
    }));
  }

  /** Data of buffer `index` (empty for the sentinel and for non-constant tensors). */
  bufferData(index: number): Uint8Array {
    const buffers = this.root.offsetVectorTargets(ModelSlot.buffers);
    const pos = buffers[index];
    if (pos === undefined) throw new TfliteModelError(`buffer ${index} does not exist (${buffers.length} buffers)`);
    return new FlatTable(this.bytes, this.root.view, pos).byteVector(BufferSlot.data) ?? new Uint8Array(0);
  }

  metadata(): MetadataEntry[] {
    return this.root.tableVector(ModelSlot.metadata).map((m) => ({
      name: m.string(MetadataSlot.name) ?? "",
      buffer: m.uint32(MetadataSlot.buffer),
    }));
  }

  /** Data of the metadata entry called `name`, or null. */
  metadataData(name: string): Uint8Array | null {
    const entry = this.metadata().find((m) => m.name === name);
    return entry === undefined ? null : this.bufferData(entry.buffer);
  }

  /** The position of the main subgraph table (the editor rebuilds it). */
  get subgraphTable(): FlatTable {
    return this.subgraph;
  }
}

function summarizeTensor(t: FlatTable, index: number): TensorSummary {
  return {
    index,
    name: t.string(TensorSlot.name) ?? "",
    shape: t.int32Vector(TensorSlot.shape) ?? [],
    type: t.int8(TensorSlot.type),
    buffer: t.uint32(TensorSlot.buffer),
  };
}

export function readTfliteModel(bytes: Uint8Array): TfliteModelView {
  return new TfliteModelView(bytes);
}

export interface NewTensor {
  name: string;
  shape: readonly number[];
  type: number;
  /** Constant data (little-endian); omitted for tensors computed at run time. */
  data?: Uint8Array;
}

export interface NewOperator {
  builtinCode: number;
  version?: number;
  inputs: readonly number[];
  outputs: readonly number[];
  options?: { type: number; fields: FlatField[] };
}

/** Size in bytes of a scalar field, or "ref" for an offset, per slot. */
type SlotKinds = ReadonlyArray<number | "ref">;

const MODEL_SLOTS: SlotKinds = [4, "ref", "ref", "ref", "ref", "ref", "ref", "ref"];
const SUBGRAPH_SLOTS: SlotKinds = ["ref", "ref", "ref", "ref", "ref"];

/**
 * Adds tensors, operators, buffers and metadata to a model's main subgraph and can replace its
 * outputs. Indices returned refer to the edited model.
 */
export class TfliteModelEditor {
  readonly model: TfliteModelView;
  private readonly newBuffers: Uint8Array[] = [];
  private readonly newTensors: NewTensor[] = [];
  private readonly newTensorBuffers: number[] = [];
  private readonly newOperatorCodes: Array<{ builtinCode: number; version: number }> = [];
  private readonly newOperators: Array<{ op: NewOperator; opcodeIndex: number }> = [];
  private readonly newMetadata: Array<{ name: string; buffer: number }> = [];
  private outputs: number[] | null = null;

  constructor(source: Uint8Array) {
    this.model = readTfliteModel(source);
    refuseUnknownFields(this.model.root, MODEL_SLOTS, "Model");
    refuseUnknownFields(this.model.subgraphTable, SUBGRAPH_SLOTS, "SubGraph");
  }

  addBuffer(data: Uint8Array): number {
    this.newBuffers.push(Uint8Array.from(data));
    return this.model.bufferCount + this.newBuffers.length - 1;
  }

  addTensor(tensor: NewTensor): number {
    this.newTensors.push(tensor);
    // Tensors computed at run time share the empty sentinel buffer 0.
    this.newTensorBuffers.push(tensor.data === undefined ? 0 : this.addBuffer(tensor.data));
    return this.model.tensorCount + this.newTensors.length - 1;
  }

  /** Index of a builtin operator code, reusing the model's own entry when it has the same version. */
  operatorCodeIndex(builtinCode: number, version = 1): number {
    const existing = this.model
      .operatorCodes()
      .findIndex((c) => c.builtinCode === builtinCode && c.version === version && c.customCode === null);
    if (existing >= 0) return existing;
    const added = this.newOperatorCodes.findIndex((c) => c.builtinCode === builtinCode && c.version === version);
    if (added >= 0) return this.model.operatorCodes().length + added;
    this.newOperatorCodes.push({ builtinCode, version });
    return this.model.operatorCodes().length + this.newOperatorCodes.length - 1;
  }

  addOperator(op: NewOperator): number {
    const count = this.model.tensorCount + this.newTensors.length;
    for (const t of [...op.inputs, ...op.outputs]) {
      if (t < 0 || t >= count) throw new TfliteModelError(`operator refers to tensor ${t}, which does not exist`);
    }
    this.newOperators.push({ op, opcodeIndex: this.operatorCodeIndex(op.builtinCode, op.version ?? 1) });
    return this.model.operatorCount + this.newOperators.length - 1;
  }

  setOutputs(tensors: readonly number[]): void {
    const count = this.model.tensorCount + this.newTensors.length;
    for (const t of tensors) {
      if (t < 0 || t >= count) throw new TfliteModelError(`output tensor ${t} does not exist`);
    }
    if (this.model.hasSignatureDefs) {
      throw new TfliteModelError("model has signature definitions naming its outputs; changing outputs is not supported");
    }
    this.outputs = [...tensors];
  }

  /** Adds (or replaces) a named metadata entry backed by a new buffer. */
  setMetadata(name: string, data: Uint8Array): void {
    const existing = this.newMetadata.findIndex((m) => m.name === name);
    if (existing >= 0) this.newMetadata.splice(existing, 1);
    this.newMetadata.push({ name, buffer: this.addBuffer(data) });
  }

  toBytes(): Uint8Array {
    const root = this.model.root;
    const overrides = new Map<number, FlatField>();

    if (this.newOperatorCodes.length > 0) {
      overrides.set(
        ModelSlot.operatorCodes,
        ref(ModelSlot.operatorCodes, extendVector(root, ModelSlot.operatorCodes, this.newOperatorCodes.map(operatorCodeNode))),
      );
    }
    if (this.newBuffers.length > 0) {
      const added = this.newBuffers.map((data) => table([ref(BufferSlot.data, bytesVector(data, 16))]));
      overrides.set(ModelSlot.buffers, ref(ModelSlot.buffers, extendVector(root, ModelSlot.buffers, added)));
    }
    if (this.newMetadata.length > 0) {
      const replaced = new Set(this.newMetadata.map((m) => m.name));
      const kept = root
        .tableVector(ModelSlot.metadata)
        .filter((m) => !replaced.has(m.string(MetadataSlot.name) ?? ""))
        .map((m) => external(m.pos));
      const added = this.newMetadata.map((m) =>
        table([ref(MetadataSlot.name, str(m.name)), uint32(MetadataSlot.buffer, m.buffer)]),
      );
      overrides.set(ModelSlot.metadata, ref(ModelSlot.metadata, refs([...kept, ...added])));
    }

    const subgraphs = root.offsetVectorTargets(ModelSlot.subgraphs);
    const main = copyTable(this.model.subgraphTable, SUBGRAPH_SLOTS, this.subgraphOverrides());
    overrides.set(ModelSlot.subgraphs, ref(ModelSlot.subgraphs, refs([main, ...subgraphs.slice(1).map(external)])));

    const model = copyTable(root, MODEL_SLOTS, overrides);
    return serializeFlatBuffer(model, { identifier: TFLITE_IDENTIFIER, appendix: this.model.bytes, appendixAlign: 64 });
  }

  private subgraphOverrides(): Map<number, FlatField> {
    const sg = this.model.subgraphTable;
    const overrides = new Map<number, FlatField>();
    if (this.newTensors.length > 0) {
      const added = this.newTensors.map((t, i) => tensorNode(t, this.newTensorBuffers[i]!));
      overrides.set(SubGraphSlot.tensors, ref(SubGraphSlot.tensors, extendVector(sg, SubGraphSlot.tensors, added)));
    }
    if (this.newOperators.length > 0) {
      const added = this.newOperators.map(({ op, opcodeIndex }) => operatorNode(op, opcodeIndex));
      overrides.set(SubGraphSlot.operators, ref(SubGraphSlot.operators, extendVector(sg, SubGraphSlot.operators, added)));
    }
    if (this.outputs !== null) {
      overrides.set(SubGraphSlot.outputs, ref(SubGraphSlot.outputs, int32Vector(this.outputs)));
    }
    return overrides;
  }
}

/** A copy of `source` whose fields point at (or copy) the original's, except those overridden. */
function copyTable(source: FlatTable, kinds: SlotKinds, overrides: Map<number, FlatField>): FlatNode {
  const fields: FlatField[] = [];
  for (let slot = 0; slot < kinds.length; slot++) {
    const override = overrides.get(slot);
    if (override !== undefined) {
      fields.push(override);
      continue;
    }
    const pos = source.fieldPos(slot);
    if (pos === null) continue;
    const kind = kinds[slot]!;
    fields.push(kind === "ref" ? ref(slot, external(source.target(slot)!)) : rawScalar(slot, source.bytes.subarray(pos, pos + kind)));
  }
  return table(fields);
}

function refuseUnknownFields(t: FlatTable, kinds: SlotKinds, what: string): void {
  const unknown = t.presentSlots().filter((s) => s >= kinds.length);
  if (unknown.length > 0) {
    throw new TfliteModelError(`${what} table has field(s) ${unknown.join(", ")} newer than this editor knows; refusing to edit`);
  }
}

function extendVector(t: FlatTable, slot: number, added: FlatNode[]): FlatNode {
  return refs([...t.offsetVectorTargets(slot).map(external), ...added]);
}

function operatorCodeNode(code: { builtinCode: number; version: number }): FlatNode {
  return table([
    int8(OperatorCodeSlot.deprecatedBuiltinCode, Math.min(code.builtinCode, PLACEHOLDER_FOR_GREATER_OP_CODES)),
    int32(OperatorCodeSlot.version, code.version),
    int32(OperatorCodeSlot.builtinCode, code.builtinCode),
  ]);
}

function tensorNode(t: NewTensor, buffer: number): FlatNode {
  return table([
    ref(TensorSlot.shape, int32Vector(t.shape)),
    int8(TensorSlot.type, t.type),
    uint32(TensorSlot.buffer, buffer),
    ref(TensorSlot.name, str(t.name)),
  ]);
}

function operatorNode(op: NewOperator, opcodeIndex: number): FlatNode {
  const fields: FlatField[] = [
    uint32(OperatorSlot.opcodeIndex, opcodeIndex),
    ref(OperatorSlot.inputs, int32Vector(op.inputs)),
    ref(OperatorSlot.outputs, int32Vector(op.outputs)),
  ];
  if (op.options !== undefined) {
    fields.push(uint8(OperatorSlot.builtinOptionsType, op.options.type));
    fields.push(ref(OperatorSlot.builtinOptions, table(op.options.fields)));
  }
  return table(fields);
}
