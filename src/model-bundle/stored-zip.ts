/**
 * A deterministic zip writer for stored (uncompressed) members, the form MediaPipe's `.task` bundles
 * take, and a reader for such archives. Determinism: members in the given order, a fixed timestamp
 * (1980-01-01 00:00, the earliest DOS date), no platform attributes. Each member's data starts at a
 * multiple of `align` bytes (padding in a zipalign-style extra field) so a model read in place from
 * the archive keeps its buffers aligned.
 */
import { LrnetDataError } from "../errors.js";
import { crc32 } from "./crc32.js";

export class ZipFormatError extends LrnetDataError {}

export interface ZipMember {
  name: string;
  data: Uint8Array;
}

export interface ZipEntry {
  name: string;
  /** 0 = stored. */
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  /** Byte offset of the member's data in the archive. */
  dataOffset: number;
  dosTime: number;
  dosDate: number;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
/** DOS date 1980-01-01: (year - 1980) << 9 | month << 5 | day. */
const FIXED_DOS_DATE = (0 << 9) | (1 << 5) | 1;
const FIXED_DOS_TIME = 0;
const VERSION_STORED = 10;
/** Extra-field id Android's zipalign uses for alignment padding. */
const ALIGNMENT_EXTRA_ID = 0xd935;

export function writeStoredZip(members: readonly ZipMember[], align = 64): Uint8Array {
  const names = new Set<string>();
  const encoded = members.map((m) => {
    if (names.has(m.name)) throw new ZipFormatError(`zip member ${m.name} is listed twice`);
    names.add(m.name);
    return { name: new TextEncoder().encode(m.name), data: m.data, crc: crc32(m.data) };
  });

  const chunks: Uint8Array[] = [];
  let offset = 0;
  const push = (bytes: Uint8Array): void => {
    chunks.push(bytes);
    offset += bytes.length;
  };
  const central: Uint8Array[] = [];

  for (const m of encoded) {
    const headerOffset = offset;
    const extra = alignmentExtra(headerOffset + 30 + m.name.length, align);
    const local = new Uint8Array(30 + m.name.length + extra.length);
    const v = new DataView(local.buffer);
    v.setUint32(0, LOCAL_HEADER, true);
    v.setUint16(4, VERSION_STORED, true);
    v.setUint16(6, 0, true); // flags
    v.setUint16(8, 0, true); // stored
    v.setUint16(10, FIXED_DOS_TIME, true);
    v.setUint16(12, FIXED_DOS_DATE, true);
    v.setUint32(14, m.crc, true);
    v.setUint32(18, m.data.length, true);
    v.setUint32(22, m.data.length, true);
    v.setUint16(26, m.name.length, true);
    v.setUint16(28, extra.length, true);
    local.set(m.name, 30);
    local.set(extra, 30 + m.name.length);
    push(local);
    push(m.data);

    const entry = new Uint8Array(46 + m.name.length);
    const c = new DataView(entry.buffer);
    c.setUint32(0, CENTRAL_HEADER, true);
    c.setUint16(4, VERSION_STORED, true); // made by: MS-DOS, spec 1.0
    c.setUint16(6, VERSION_STORED, true);
    c.setUint16(8, 0, true);
    c.setUint16(10, 0, true);
    c.setUint16(12, FIXED_DOS_TIME, true);
    c.setUint16(14, FIXED_DOS_DATE, true);
    c.setUint32(16, m.crc, true);
    c.setUint32(20, m.data.length, true);
    c.setUint32(24, m.data.length, true);
    c.setUint16(28, m.name.length, true);
    // extra length, comment length, disk number, internal and external attributes stay 0
    c.setUint32(42, headerOffset, true);
    entry.set(m.name, 46);
    central.push(entry);
  }

  const centralOffset = offset;
  for (const entry of central) push(entry);
  const end = new Uint8Array(22);
  const e = new DataView(end.buffer);
  e.setUint32(0, END_OF_CENTRAL_DIRECTORY, true);
  e.setUint16(8, encoded.length, true);
  e.setUint16(10, encoded.length, true);
  e.setUint32(12, offset - centralOffset, true);
  e.setUint32(16, centralOffset, true);
  push(end);

  const out = new Uint8Array(offset);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Padding extra field so that data following `dataStart + its length` is aligned. */
function alignmentExtra(dataStart: number, align: number): Uint8Array {
  if (align <= 1) return new Uint8Array(0);
  let length = 6;
  while ((dataStart + length) % align !== 0) length++;
  const extra = new Uint8Array(length);
  const v = new DataView(extra.buffer);
  v.setUint16(0, ALIGNMENT_EXTRA_ID, true);
  v.setUint16(2, length - 4, true);
  v.setUint16(4, align, true);
  return extra;
}

/** The archive's members as its central directory lists them. */
export function listZipEntries(zip: Uint8Array): ZipEntry[] {
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (v.getUint32(i, true) === END_OF_CENTRAL_DIRECTORY) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError("not a zip archive (no end of central directory)");
  const count = v.getUint16(eocd + 10, true);
  let p = v.getUint32(eocd + 16, true);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (p + 46 > zip.length || v.getUint32(p, true) !== CENTRAL_HEADER) throw new ZipFormatError(`zip central directory entry ${i} is damaged`);
    const nameLength = v.getUint16(p + 28, true);
    const extraLength = v.getUint16(p + 30, true);
    const commentLength = v.getUint16(p + 32, true);
    const headerOffset = v.getUint32(p + 42, true);
    const name = new TextDecoder().decode(zip.subarray(p + 46, p + 46 + nameLength));
    if (headerOffset + 30 > zip.length || v.getUint32(headerOffset, true) !== LOCAL_HEADER) {
      throw new ZipFormatError(`zip member ${name} has no local header`);
    }
    const dataOffset = headerOffset + 30 + v.getUint16(headerOffset + 26, true) + v.getUint16(headerOffset + 28, true);
    entries.push({
      name,
      method: v.getUint16(p + 10, true),
      dosTime: v.getUint16(p + 12, true),
      dosDate: v.getUint16(p + 14, true),
      crc32: v.getUint32(p + 16, true),
      compressedSize: v.getUint32(p + 20, true),
      size: v.getUint32(p + 24, true),
      dataOffset,
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Data of a stored member, checked against its CRC-32. */
export function readStoredMember(zip: Uint8Array, name: string): Uint8Array {
  const entry = listZipEntries(zip).find((e) => e.name === name);
  if (entry === undefined) throw new ZipFormatError(`zip has no member ${name}`);
  if (entry.method !== 0) throw new ZipFormatError(`zip member ${name} is compressed (method ${entry.method})`);
  const data = zip.subarray(entry.dataOffset, entry.dataOffset + entry.size);
  if (data.length !== entry.size || crc32(data) !== entry.crc32) throw new ZipFormatError(`zip member ${name} fails its CRC-32 check`);
  return data;
}
