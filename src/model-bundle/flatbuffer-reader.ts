import { LrnetDataError } from "../errors.js";
/**
 * A minimal, schema-less FlatBuffers reader: tables are read by slot number (a field's index in its
 * schema table), so callers bring the schema knowledge. Positions are absolute byte offsets into the
 * buffer; nothing is copied.
 */

export class FlatBufferFormatError extends LrnetDataError {}

export class FlatTable {
  readonly vtable: number;
  /** Number of slots the vtable describes (fields beyond it are absent). */
  readonly slotCount: number;
  /** Size in bytes of the table's inline part, soffset included. */
  readonly inlineSize: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly view: DataView,
    readonly pos: number,
  ) {
    checkRange(bytes, pos, 4, "table");
    this.vtable = pos - view.getInt32(pos, true);
    checkRange(bytes, this.vtable, 4, "vtable");
    const vtableSize = view.getUint16(this.vtable, true);
    checkRange(bytes, this.vtable, vtableSize, "vtable");
    this.slotCount = (vtableSize - 4) >> 1;
    this.inlineSize = view.getUint16(this.vtable + 2, true);
  }

  /** Absolute position of a field's inline value, or null when the field is absent (default). */
  fieldPos(slot: number): number | null {
    if (slot >= this.slotCount) return null;
    const rel = this.view.getUint16(this.vtable + 4 + 2 * slot, true);
    return rel === 0 ? null : this.pos + rel;
  }

  /** Slots that are present in this table, in slot order. */
  presentSlots(): number[] {
    const slots: number[] = [];
    for (let s = 0; s < this.slotCount; s++) if (this.fieldPos(s) !== null) slots.push(s);
    return slots;
  }

  uint8(slot: number, fallback = 0): number {
    const p = this.fieldPos(slot);
    return p === null ? fallback : this.view.getUint8(p);
  }

  int8(slot: number, fallback = 0): number {
    const p = this.fieldPos(slot);
    return p === null ? fallback : this.view.getInt8(p);
  }

  int32(slot: number, fallback = 0): number {
    const p = this.fieldPos(slot);
    return p === null ? fallback : this.view.getInt32(p, true);
  }

  uint32(slot: number, fallback = 0): number {
    const p = this.fieldPos(slot);
    return p === null ? fallback : this.view.getUint32(p, true);
  }

  /** Absolute position an offset field points at, or null when absent. */
  target(slot: number): number | null {
    const p = this.fieldPos(slot);
    return p === null ? null : followOffset(this.bytes, this.view, p);
  }

  table(slot: number): FlatTable | null {
    const t = this.target(slot);
    return t === null ? null : new FlatTable(this.bytes, this.view, t);
  }

  /** A vector field: its element count and the position of element 0. */
  vector(slot: number): { length: number; start: number } | null {
    const t = this.target(slot);
    if (t === null) return null;
    checkRange(this.bytes, t, 4, "vector length");
    return { length: this.view.getUint32(t, true), start: t + 4 };
  }

  string(slot: number): string | null {
    const v = this.vector(slot);
    if (v === null) return null;
    checkRange(this.bytes, v.start, v.length, "string");
    return new TextDecoder().decode(this.bytes.subarray(v.start, v.start + v.length));
  }

  /** Bytes of a `[ubyte]` / `[byte]` vector (a view, not a copy). */
  byteVector(slot: number): Uint8Array | null {
    const v = this.vector(slot);
    if (v === null) return null;
    checkRange(this.bytes, v.start, v.length, "byte vector");
    return this.bytes.subarray(v.start, v.start + v.length);
  }

  int32Vector(slot: number): number[] | null {
    const v = this.vector(slot);
    if (v === null) return null;
    checkRange(this.bytes, v.start, 4 * v.length, "int vector");
    return Array.from({ length: v.length }, (_, i) => this.view.getInt32(v.start + 4 * i, true));
  }

  float32Vector(slot: number): number[] | null {
    const v = this.vector(slot);
    if (v === null) return null;
    checkRange(this.bytes, v.start, 4 * v.length, "float vector");
    return Array.from({ length: v.length }, (_, i) => this.view.getFloat32(v.start + 4 * i, true));
  }

  /** Absolute positions of the tables (or strings) a vector of offsets points at. */
  offsetVectorTargets(slot: number): number[] {
    const v = this.vector(slot);
    if (v === null) return [];
    checkRange(this.bytes, v.start, 4 * v.length, "offset vector");
    return Array.from({ length: v.length }, (_, i) => followOffset(this.bytes, this.view, v.start + 4 * i));
  }

  tableVector(slot: number): FlatTable[] {
    return this.offsetVectorTargets(slot).map((t) => new FlatTable(this.bytes, this.view, t));
  }
}

/** The root table of a finished buffer, optionally checking its 4-byte file identifier. */
export function rootTable(bytes: Uint8Array, identifier?: string): FlatTable {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkRange(bytes, 0, 8, "root");
  if (identifier !== undefined) {
    const found = fileIdentifier(bytes);
    if (found !== identifier) {
      throw new FlatBufferFormatError(`file identifier is "${found}", expected "${identifier}"`);
    }
  }
  return new FlatTable(bytes, view, followOffset(bytes, view, 0));
}

export function fileIdentifier(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes.subarray(4, 8));
}

function followOffset(bytes: Uint8Array, view: DataView, at: number): number {
  checkRange(bytes, at, 4, "offset");
  return at + view.getUint32(at, true);
}

function checkRange(bytes: Uint8Array, pos: number, size: number, what: string): void {
  if (pos < 0 || pos + size > bytes.length) {
    throw new FlatBufferFormatError(`${what} at byte ${pos} (+${size}) lies outside the ${bytes.length}-byte buffer`);
  }
}
