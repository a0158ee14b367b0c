/**
 * A small FlatBuffers serialiser that lays objects out front to back, parents before children.
 *
 * Its one unusual feature is the appendix: an existing finished buffer copied verbatim after the new
 * objects. FlatBuffers offsets only point forward, so new tables placed in front may reference any
 * object of the appendix (`external(pos)`), which is how a model is edited without re-encoding the
 * parts the editor does not understand: they stay byte-identical, only the path from the root to the
 * edited fields is rebuilt. The appendix keeps its alignment because the new region is padded to a
 * multiple of `appendixAlign`.
 */

/** A field's inline scalar bytes (little-endian); its alignment is its size. */
export interface ScalarField {
  slot: number;
  scalar: Uint8Array;
}

/** A field holding an offset to another object. */
export interface RefField {
  slot: number;
  ref: FlatNode;
}

export type FlatField = ScalarField | RefField;

export type FlatNode =
  | { kind: "table"; fields: FlatField[] }
  | { kind: "refs"; items: FlatNode[] }
  | { kind: "scalars"; bytes: Uint8Array; elementSize: number; align?: number }
  | { kind: "string"; text: string }
  | { kind: "external"; pos: number };

export const table = (fields: FlatField[]): FlatNode => ({ kind: "table", fields });
export const refs = (items: FlatNode[]): FlatNode => ({ kind: "refs", items });
export const str = (text: string): FlatNode => ({ kind: "string", text });
/** An object of the appendix, by its position inside the appendix. */
export const external = (pos: number): FlatNode => ({ kind: "external", pos });

export const bytesVector = (bytes: Uint8Array, align = 1): FlatNode => ({ kind: "scalars", bytes, elementSize: 1, align });
export const int32Vector = (values: ArrayLike<number>): FlatNode =>
  ({ kind: "scalars", bytes: scalarBytes(values, 4, (v, o, x) => v.setInt32(o, x, true)), elementSize: 4 });
export const float32Vector = (values: ArrayLike<number>): FlatNode =>
  ({ kind: "scalars", bytes: scalarBytes(values, 4, (v, o, x) => v.setFloat32(o, x, true)), elementSize: 4 });

export const ref = (slot: number, node: FlatNode): RefField => ({ slot, ref: node });
export const int8 = (slot: number, value: number): ScalarField => ({ slot, scalar: scalarBytes([value], 1, (v, o, x) => v.setInt8(o, x)) });
export const uint8 = (slot: number, value: number): ScalarField => ({ slot, scalar: scalarBytes([value], 1, (v, o, x) => v.setUint8(o, x)) });
export const int32 = (slot: number, value: number): ScalarField => ({ slot, scalar: scalarBytes([value], 4, (v, o, x) => v.setInt32(o, x, true)) });
export const uint32 = (slot: number, value: number): ScalarField => ({ slot, scalar: scalarBytes([value], 4, (v, o, x) => v.setUint32(o, x, true)) });
/** A scalar field copied as raw bytes from an existing table. */
export const rawScalar = (slot: number, bytes: Uint8Array): ScalarField => ({ slot, scalar: Uint8Array.from(bytes) });

export interface SerializeOptions {
  /** Four-character file identifier written after the root offset. */
  identifier?: string;
  /** A finished buffer copied verbatim after the new objects; `external` nodes point into it. */
  appendix?: Uint8Array;
  /** The new region is padded to a multiple of this before the appendix (default 64). */
  appendixAlign?: number;
}

export function serializeFlatBuffer(root: FlatNode, options: SerializeOptions = {}): Uint8Array {
  if (root.kind !== "table") throw new Error("the root of a flatbuffer must be a table");
  const out = new GrowableBytes();
  const fixups: Array<{ at: number; node: FlatNode }> = [];
  const placed = new Map<FlatNode, number>();
  const queue: FlatNode[] = [];
  const queued = new Set<FlatNode>();

  out.reserve(options.identifier === undefined ? 4 : 8);
  fixups.push({ at: 0, node: root });
  queue.push(root);
  queued.add(root);
  if (options.identifier !== undefined) {
    if (options.identifier.length !== 4) throw new Error(`file identifier must be 4 characters: "${options.identifier}"`);
    out.bytesAt(4, new TextEncoder().encode(options.identifier));
  }

  const enqueue = (node: FlatNode, at: number): void => {
    fixups.push({ at, node });
    if (node.kind !== "external") {
      if (queued.has(node)) throw new Error("a flatbuffer node may be referenced once only (offsets must point forward)");
      queue.push(node);
      queued.add(node);
    }
  };

  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    placed.set(node, placeNode(out, node, enqueue));
  }

  const appendix = options.appendix;
  const appendixBase = appendix === undefined ? out.length : out.align(options.appendixAlign ?? 64);
  for (const { at, node } of fixups) {
    let target: number;
    if (node.kind === "external") {
      if (appendix === undefined || node.pos < 0 || node.pos >= appendix.length) {
        throw new Error(`external reference to byte ${node.pos} has no appendix to point into`);
      }
      target = appendixBase + node.pos;
    } else {
      target = placed.get(node)!;
    }
    if (target <= at) throw new Error(`offset at byte ${at} would point backward to ${target}`);
    out.uint32At(at, target - at);
  }

  const region = out.finish();
  if (appendix === undefined) return region;
  const result = new Uint8Array(region.length + appendix.length);
  result.set(region, 0);
  result.set(appendix, region.length);
  return result;
}

/** Writes one object at the end of `out` and returns the position its references must point at. */
function placeNode(out: GrowableBytes, node: FlatNode, enqueue: (node: FlatNode, at: number) => void): number {
  switch (node.kind) {
    case "table":
      return placeTable(out, node.fields, enqueue);
    case "refs": {
      const start = out.alignedForVector(4);
      out.reserve(4 + 4 * node.items.length);
      out.uint32At(start, node.items.length);
      node.items.forEach((item, i) => enqueue(item, start + 4 + 4 * i));
      return start;
    }
    case "scalars": {
      if (node.bytes.length % node.elementSize !== 0) throw new Error("scalar vector bytes do not fill whole elements");
      const start = out.alignedForVector(Math.max(node.elementSize, node.align ?? 1));
      out.reserve(4);
      out.uint32At(start, node.bytes.length / node.elementSize);
      out.append(node.bytes);
      return start;
    }
    case "string": {
      const text = new TextEncoder().encode(node.text);
      const start = out.alignedForVector(1);
      out.reserve(4);
      out.uint32At(start, text.length);
      out.append(text);
      out.append(new Uint8Array(1));
      return start;
    }
    case "external":
      throw new Error("external nodes are not placed");
  }
}

function placeTable(out: GrowableBytes, fields: FlatField[], enqueue: (node: FlatNode, at: number) => void): number {
  const slots = new Set<number>();
  for (const f of fields) {
    if (slots.has(f.slot)) throw new Error(`table field slot ${f.slot} is set twice`);
    slots.add(f.slot);
  }
  const sizeOf = (f: FlatField): number => ("scalar" in f ? f.scalar.length : 4);
  // Largest fields first keeps every field aligned without padding between them.
  const ordered = [...fields].sort((a, b) => sizeOf(b) - sizeOf(a) || a.slot - b.slot);
  const tableAlign = Math.max(4, ...ordered.map(sizeOf));
  const slotCount = fields.length === 0 ? 0 : Math.max(...fields.map((f) => f.slot)) + 1;
  const vtableSize = 4 + 2 * slotCount;

  const vtablePos = out.align(2);
  out.reserve(vtableSize);
  const tablePos = out.align(tableAlign);
  const fieldOffsets = new Map<number, number>();
  let cursor = 4;
  for (const f of ordered) {
    const size = sizeOf(f);
    cursor = Math.ceil(cursor / size) * size;
    fieldOffsets.set(f.slot, cursor);
    cursor += size;
  }
  out.reserve(cursor);
  out.int32At(tablePos, tablePos - vtablePos);
  out.uint16At(vtablePos, vtableSize);
  out.uint16At(vtablePos + 2, cursor);
  for (let s = 0; s < slotCount; s++) out.uint16At(vtablePos + 4 + 2 * s, fieldOffsets.get(s) ?? 0);
  for (const f of ordered) {
    const at = tablePos + fieldOffsets.get(f.slot)!;
    if ("scalar" in f) out.bytesAt(at, f.scalar);
    else enqueue(f.ref, at);
  }
  return tablePos;
}

function scalarBytes(values: ArrayLike<number>, size: number, set: (v: DataView, offset: number, x: number) => void): Uint8Array {
  const bytes = new Uint8Array(values.length * size);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) set(view, i * size, values[i]!);
  return bytes;
}

/** Append-only byte buffer with zero-filled padding. */
class GrowableBytes {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  length = 0;

  reserve(n: number): number {
    const at = this.length;
    this.ensure(at + n);
    this.length += n;
    return at;
  }

  align(alignment: number): number {
    const padded = Math.ceil(this.length / alignment) * alignment;
    this.reserve(padded - this.length);
    return this.length;
  }

  /** Pads so that a vector's length prefix lands here and its elements at a multiple of `elementAlign`. */
  alignedForVector(elementAlign: number): number {
    const a = Math.max(4, elementAlign);
    while (this.length % 4 !== 0 || (this.length + 4) % a !== 0) this.reserve(1);
    return this.length;
  }

  append(bytes: Uint8Array): void {
    const at = this.reserve(bytes.length);
    this.buf.set(bytes, at);
  }

  bytesAt(at: number, bytes: Uint8Array): void {
    this.buf.set(bytes, at);
  }
  uint16At(at: number, v: number): void {
    this.view.setUint16(at, v, true);
  }
  int32At(at: number, v: number): void {
    this.view.setInt32(at, v, true);
  }
  uint32At(at: number, v: number): void {
    this.view.setUint32(at, v, true);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }

  private ensure(size: number): void {
    if (size <= this.buf.length) return;
    const next = new Uint8Array(Math.max(size, this.buf.length * 2));
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
}
