import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeNpy, parseNpy } from "../src/sources/import/npy.js";
import { LandmarkFileError } from "../src/sources/import/errors.js";

const values = [1.5, -2.25, 3, 4.125, 5e3, -6, 7.5, 8, 9.75, 10, 11, 12.5]; // float32-exact
const shape = [2, 3, 2];

for (const dtype of ["<f4", ">f4", "<f8", ">f8"] as const) {
  for (const fortran of [false, true]) {
    for (const version of [1, 2, 3] as const) {
      test(`npy ${dtype} ${fortran ? "Fortran" : "C"} order v${version} reads back in C order`, () => {
        const array = parseNpy(encodeNpy(shape, values, { dtype, fortran, version }), "x.npy");
        assert.deepEqual(array.shape, shape);
        assert.deepEqual(Array.from(array.data), values);
      });
    }
  }
}

test("npy: a Fortran-order array's bytes are column-major (checked by hand on a 2x3 array)", () => {
  const bytes = encodeNpy([2, 3], [1, 2, 3, 4, 5, 6], { fortran: true });
  const view = new DataView(bytes.buffer);
  const start = bytes.length - 6 * 8;
  const raw = Array.from({ length: 6 }, (_, i) => view.getFloat64(start + 8 * i, true));
  assert.deepEqual(raw, [1, 4, 2, 5, 3, 6]);
  assert.deepEqual(Array.from(parseNpy(bytes, "x.npy").data), [1, 2, 3, 4, 5, 6]);
});

test("npy: a header written by NumPy itself (v1.0, 1-D shape with trailing comma, NaN kept) parses", () => {
  // np.save of np.array([0.5, nan], dtype='<f8'): the header exactly as NumPy 1.26 writes it.
  const header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
  const padded = header + " ".repeat(128 - 10 - header.length - 1) + "\n";
  const bytes = new Uint8Array(128 + 16);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(bytes.buffer).setUint16(8, padded.length, true);
  bytes.set(new TextEncoder().encode(padded), 10);
  new DataView(bytes.buffer).setFloat64(128, 0.5, true);
  new DataView(bytes.buffer).setFloat64(136, Number.NaN, true);
  const array = parseNpy(bytes, "x.npy");
  assert.deepEqual(array.shape, [2]);
  assert.equal(array.data[0], 0.5);
  assert.ok(Number.isNaN(array.data[1]));
});

test("npy: refusals name the file in one line", () => {
  const bad = (bytes: Uint8Array, pattern: RegExp) =>
    assert.throws(() => parseNpy(bytes, "dir/7.npy"), (e: unknown) => e instanceof LandmarkFileError && pattern.test(e.message) && !e.message.includes("\n"));
  bad(new TextEncoder().encode("hello world, not numpy"), /^dir\/7\.npy: not a \.npy file/);
  const ints = encodeNpy([2], [1, 2]);
  const text = new TextDecoder("latin1").decode(ints).replace("<f8", "<i8");
  bad(Uint8Array.from(text, (c) => c.charCodeAt(0)), /dtype <i8 is not float32 or float64/);
  bad(encodeNpy([4, 2], [1, 2, 3, 4, 5, 6, 7, 8]).subarray(0, 140), /truncated data/);
});
