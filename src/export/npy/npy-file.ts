/**
 * NumPy's .npy format, version 1.0 (numpy.lib.format): the magic "\x93NUMPY", version bytes 1 0, a little-endian
 * uint16 header length, then an ASCII Python dict literal padded with spaces and ended by "\n" so that the data
 * start on a multiple of 64 bytes; then the array's bytes in C order.
 */
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;

/** The header of a C-ordered little-endian float32 array of the given shape. */
export function npyHeader(shape: readonly number[]): Uint8Array {
  for (const n of shape) if (!Number.isInteger(n) || n < 0) throw new RangeError(`npy shape ${shape.join("×")} is not a list of whole numbers`);
  // A one-element tuple needs its trailing comma in Python: (5,).
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${tuple}, }`;
  const prefix = MAGIC.length + 2 + 2;
  const total = Math.ceil((prefix + dict.length + 1) / ALIGN) * ALIGN;
  const headerLength = total - prefix;
  if (headerLength > 0xffff) throw new RangeError("npy header too long for format 1.0");
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = headerLength & 0xff;
  out[9] = headerLength >> 8;
  const text = dict.padEnd(headerLength - 1, " ") + "\n";
  for (let i = 0; i < text.length; i++) out[prefix + i] = text.charCodeAt(i);
  return out;
}

/** A whole .npy file of float32 values (C order, little-endian whatever the machine). */
export function encodeNpyFloat32(shape: readonly number[], values: Float32Array): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (values.length !== count) throw new RangeError(`npy: ${values.length} values for shape ${shape.join("×")} (${count})`);
  const header = npyHeader(shape);
  const out = new Uint8Array(header.length + values.length * 4);
  out.set(header, 0);
  const view = new DataView(out.buffer, header.length);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return out;
}

/** Parses a float32 .npy file written as above (used by tests and tools): its shape and values. */
export function decodeNpyFloat32(bytes: Uint8Array): { shape: number[]; values: Float32Array } {
  if (MAGIC.some((b, i) => bytes[i] !== b) || bytes[6] !== 1) throw new Error("not an .npy file of format 1.x");
  const headerLength = bytes[8]! | (bytes[9]! << 8);
  const header = new TextDecoder("latin1").decode(bytes.subarray(10, 10 + headerLength));
  if (!header.includes("'descr': '<f4'") || !header.includes("'fortran_order': False")) throw new Error(`not a C-ordered <f4 array: ${header.trim()}`);
  const shapeText = /'shape': \(([^)]*)\)/.exec(header)?.[1];
  if (shapeText === undefined) throw new Error(`no shape in header: ${header.trim()}`);
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  const start = 10 + headerLength;
  const count = shape.reduce((a, b) => a * b, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, count * 4);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = view.getFloat32(i * 4, true);
  return { shape, values };
}
