import { LrnetDataError } from "../errors.js";
/**
 * The few protobuf wire-format operations the landmarker needs (reading MediaPipe's Detection messages,
 * adding an output stream to a CalculatorGraphConfig), without a protobuf dependency.
 */

export const WireType = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

export interface WireField {
  number: number;
  wireType: number;
  /** Offset of the field's tag: bytes [start, end) are the whole field. */
  start: number;
  end: number;
  /** Varint fields: the value (exact up to 2^53). Others: 0. */
  varint: number;
  /** Varint fields: the low 32 bits as a signed int32 (how int32 fields, negatives included, decode). */
  int32: number;
  /** Length-delimited and fixed fields: the payload bytes. */
  payload: Uint8Array;
}

export class ProtobufWireError extends LrnetDataError {}

function readVarint(bytes: Uint8Array, at: number): { value: number; low32: number; next: number } {
  let value = 0;
  let low32 = 0;
  let scale = 1;
  for (let pos = at; pos < bytes.length && pos < at + 10; pos++) {
    const byte = bytes[pos]!;
    value += (byte & 0x7f) * scale;
    // Shifts wrap at 32 bits, which is what keeps exactly the low 32 bits.
    if (pos - at < 5) low32 |= (byte & 0x7f) << (7 * (pos - at));
    scale *= 128;
    if ((byte & 0x80) === 0) return { value, low32, next: pos + 1 };
  }
  throw new ProtobufWireError(`truncated or overlong varint at byte ${at}`);
}

/** The top-level fields of one message, in order. */
export function* wireFields(bytes: Uint8Array): Generator<WireField> {
  let pos = 0;
  while (pos < bytes.length) {
    const start = pos;
    const tag = readVarint(bytes, pos);
    pos = tag.next;
    const wireType = tag.value % 8;
    const number = Math.floor(tag.value / 8);
    let varint = 0;
    let int32 = 0;
    let payload = bytes.subarray(pos, pos);
    switch (wireType) {
      case WireType.varint: {
        const read = readVarint(bytes, pos);
        varint = read.value;
        int32 = read.low32;
        pos = read.next;
        break;
      }
      case WireType.fixed64:
      case WireType.fixed32: {
        const size = wireType === WireType.fixed64 ? 8 : 4;
        payload = bytes.subarray(pos, pos + size);
        pos += size;
        break;
      }
      case WireType.lengthDelimited: {
        const length = readVarint(bytes, pos);
        payload = bytes.subarray(length.next, length.next + length.value);
        pos = length.next + length.value;
        break;
      }
      default:
        throw new ProtobufWireError(`unsupported wire type ${wireType} at byte ${start}`);
    }
    if (pos > bytes.length) throw new ProtobufWireError(`field ${number} at byte ${start} runs past the end`);
    yield { number, wireType, start, end: pos, varint, int32, payload };
  }
}

export function float32At(payload: Uint8Array, offset = 0): number {
  return new DataView(payload.buffer, payload.byteOffset + offset, 4).getFloat32(0, true);
}

/** A repeated float field's values, whether packed (one length-delimited field) or not (fixed32 fields). */
export function repeatedFloats(field: WireField): number[] {
  if (field.wireType === WireType.fixed32) return [float32At(field.payload)];
  if (field.wireType !== WireType.lengthDelimited) return [];
  const values: number[] = [];
  for (let offset = 0; offset + 4 <= field.payload.length; offset += 4) values.push(float32At(field.payload, offset));
  return values;
}

function encodeVarint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return out;
}

/** One length-delimited field (a string, bytes or an embedded message). */
export function lengthDelimitedField(number: number, payload: Uint8Array): Uint8Array {
  const head = [...encodeVarint(number * 8 + WireType.lengthDelimited), ...encodeVarint(payload.length)];
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

export function stringField(number: number, value: string): Uint8Array {
  return lengthDelimitedField(number, new TextEncoder().encode(value));
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
