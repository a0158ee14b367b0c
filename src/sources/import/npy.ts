import { LandmarkFileError } from "./errors.js";

/** A numeric array read from a `.npy` file, its values in C (row-major) order as float64. */
export interface NpyArray {
  shape: number[];
  data: Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * Parses NumPy's `.npy` format (versions 1, 2 and 3): float32 or float64, little or big endian, C or Fortran
 * order. Other dtypes (integers, objects, structured) are refused: landmark files hold floats. `file` names
 * the file in error messages.
 *
 * @throws LandmarkFileError when the bytes are not a `.npy` array this parser reads
 */
export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new LandmarkFileError(file, "not a .npy file (no \\x93NUMPY magic)");
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new LandmarkFileError(file, "truncated .npy header");
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new LandmarkFileError(file, `unsupported .npy format version ${major}`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw new LandmarkFileError(file, "truncated .npy header");
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(headerStart, dataStart));
  const { descr, fortran, shape } = parseHeader(header, file);

  const little = descr[0] === "<" || descr[0] === "|" || descr[0] === "=";
  const kind = descr.slice(1);
  if (kind !== "f4" && kind !== "f8") {
    throw new LandmarkFileError(file, `dtype ${descr} is not float32 or float64`);
  }
  const itemSize = kind === "f4" ? 4 : 8;
  const count = shape.reduce((a, b) => a * b, 1);
  if (bytes.length - dataStart < count * itemSize) {
    throw new LandmarkFileError(file, `truncated data: shape (${shape.join(", ")}) needs ${count * itemSize} bytes, the file has ${bytes.length - dataStart}`);
  }
  const raw = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const at = dataStart + i * itemSize;
    raw[i] = itemSize === 4 ? view.getFloat32(at, little) : view.getFloat64(at, little);
  }
  return { shape, data: fortran && shape.length > 1 ? fortranToC(raw, shape) : raw };
}

interface Header {
  descr: string;
  fortran: boolean;
  shape: number[];
}

/** The header is a Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), } */
function parseHeader(header: string, file: string): Header {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]+)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new LandmarkFileError(file, "malformed .npy header (descr, fortran_order and shape are required)");
  }
  const shape = shapeText
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s) => Number(s.replace(/L$/, "")));
  if (shape.some((n) => !Number.isInteger(n) || n < 0)) throw new LandmarkFileError(file, `malformed .npy shape (${shapeText})`);
  return { descr, fortran: fortran === "True", shape };
}

/** Reorders column-major values into row-major order. */
function fortranToC(values: Float64Array, shape: readonly number[]): Float64Array {
  const out = new Float64Array(values.length);
  const rank = shape.length;
  const cStrides = new Array<number>(rank);
  const fStrides = new Array<number>(rank);
  cStrides[rank - 1] = 1;
  for (let d = rank - 2; d >= 0; d--) cStrides[d] = cStrides[d + 1]! * shape[d + 1]!;
  fStrides[0] = 1;
  for (let d = 1; d < rank; d++) fStrides[d] = fStrides[d - 1]! * shape[d - 1]!;
  const index = new Array<number>(rank).fill(0);
  for (let c = 0; c < values.length; c++) {
    let f = 0;
    for (let d = 0; d < rank; d++) f += index[d]! * fStrides[d]!;
    out[c] = values[f]!;
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d]! < shape[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}

/** Writes a C-order float array as `.npy` (version 1, or the version asked for). For tests and examples. */
export function encodeNpy(
  shape: readonly number[],
  values: ArrayLike<number>,
  options: { dtype?: "<f4" | ">f4" | "<f8" | ">f8"; fortran?: boolean; version?: 1 | 2 | 3 } = {},
): Uint8Array {
  const dtype = options.dtype ?? "<f8";
  const version = options.version ?? 1;
  const fortran = options.fortran ?? false;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${dtype}', 'fortran_order': ${fortran ? "True" : "False"}, 'shape': ${shapeText}, }`;
  const prefix = version === 1 ? 10 : 12;
  header += " ".repeat((64 - ((prefix + header.length + 1) % 64)) % 64) + "\n";
  const itemSize = dtype.endsWith("4") ? 4 : 8;
  const little = dtype[0] === "<";
  const ordered = fortran && shape.length > 1 ? cToFortran(values, shape) : values;
  const out = new Uint8Array(prefix + header.length + ordered.length * itemSize);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), prefix);
  const start = prefix + header.length;
  for (let i = 0; i < ordered.length; i++) {
    if (itemSize === 4) view.setFloat32(start + 4 * i, ordered[i]!, little);
    else view.setFloat64(start + 8 * i, ordered[i]!, little);
  }
  return out;
}

function cToFortran(values: ArrayLike<number>, shape: readonly number[]): Float64Array {
  const out = new Float64Array(values.length);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  const fStrides = new Array<number>(rank);
  fStrides[0] = 1;
  for (let d = 1; d < rank; d++) fStrides[d] = fStrides[d - 1]! * shape[d - 1]!;
  for (let c = 0; c < values.length; c++) {
    let f = 0;
    for (let d = 0; d < rank; d++) f += index[d]! * fStrides[d]!;
    out[f] = values[c]!;
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d]! < shape[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}
