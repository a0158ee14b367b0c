import assert from "node:assert/strict";
import { mulberry32 } from "../src/store/synthetic.js";
import { after, before, test } from "node:test";
import { LkBidirectionalFlow } from "../src/calibrate/lk/bidirectional-flow.js";
import { areaPlan, areaResize } from "../src/calibrate/area-resize.js";
import { CubicResizer } from "../src/calibrate/cubic-resize.js";
import type { FaceBox } from "../src/calibrate/face-box.js";
import { createCropFlow } from "../src/calibrate/lk/crop-flow.js";
import { LkWorkspace } from "../src/calibrate/lk/lk-tracker.js";
import { FlowPyramid, buildFlowPyramid } from "../src/calibrate/lk/pyramid.js";
import { LRNET_LK_PARAMS, type LkParams, trackPoints } from "../src/calibrate/lk/pyramidal-lk.js";
import { WasmAreaResizer, WasmCubicResizer, WasmLk, WasmPyramid } from "../src/calibrate/lk/wasm-lk.js";
import { type CvMat, type CvSize, type OpenCv, loadOpenCv } from "../src/calibrate/opencv.js";

/** The parts of opencv-js this oracle needs beyond what the calibrator declares. */
interface OracleCv extends OpenCv {
  pyrDown(src: CvMat, dst: CvMat, dsize: CvSize, borderType: number): void;
  copyMakeBorder(src: CvMat, dst: CvMat, top: number, bottom: number, left: number, right: number, borderType: number): void;
  Scharr(src: CvMat, dst: CvMat, ddepth: number, dx: number, dy: number, scale: number, delta: number, borderType: number): void;
  split(src: CvMat, dst: CvMatVector): void;
  MatVector: new () => CvMatVector;
  CV_8UC1: number;
  CV_16S: number;
  BORDER_REFLECT_101: number;
}
interface CvMatVector {
  size(): number;
  get(i: number): CvMat & { readonly data16S: Int16Array };
  delete(): void;
}

let cv: OracleCv;

const prng = mulberry32;

function matOf(data: Uint8Array, width: number, height: number, channels: number): CvMat {
  const type = channels === 1 ? cv.CV_8UC1 : channels === 3 ? cv.CV_8UC3 : cv.CV_8UC4;
  const mat = new cv.Mat(height, width, type);
  mat.data.set(data);
  return mat;
}

function randomImage(rand: () => number, width: number, height: number, channels: number): Uint8Array {
  const img = new Uint8Array(width * height * channels);
  for (let i = 0; i < img.length; i++) img[i] = Math.floor(rand() * 256);
  return img;
}

const SIZES: Array<[number, number]> = [[1, 1], [2, 3], [5, 4], [17, 16], [31, 33], [64, 48], [101, 77], [400, 400]];

test("pyramid levels equal cv.pyrDown + cv.copyMakeBorder(REFLECT_101) byte for byte", () => {
  const rand = prng(11);
  let levelsChecked = 0;
  for (const [w, h] of SIZES) {
    for (const channels of [1, 3, 4]) {
      const image = randomImage(rand, w, h, channels);
      const winSize = w < 20 ? 3 : 15;
      const pyr = buildFlowPyramid(image, w, h, channels, { winSize, maxLevel: 4 });
      let level = matOf(image, w, h, channels);
      for (let k = 0; k < pyr.levelCount; k++) {
        if (k > 0) {
          const down = new cv.Mat();
          cv.pyrDown(level, down, new cv.Size(0, 0), cv.BORDER_REFLECT_101);
          level.delete();
          level = down;
        }
        const padded = new cv.Mat();
        cv.copyMakeBorder(level, padded, winSize, winSize, winSize, winSize, cv.BORDER_REFLECT_101);
        const ours = pyr.levels[k]!;
        assert.equal(ours.width, level.cols, `${w}×${h}×${channels} level ${k} width`);
        assert.equal(ours.height, level.rows, `${w}×${h}×${channels} level ${k} height`);
        assert.deepEqual(ours.data, padded.data, `${w}×${h}×${channels} level ${k} bytes`);
        padded.delete();
        levelsChecked++;
      }
      // OpenCV stops when the next level would be no larger than the window, or at maxLevel.
      let expected = 1;
      for (let sw = w, sh = h; expected <= 4; expected++) {
        sw = (sw + 1) >> 1;
        sh = (sh + 1) >> 1;
        if (sw <= winSize || sh <= winSize) break;
      }
      assert.equal(pyr.levelCount, expected, `${w}×${h}×${channels} level count`);
      level.delete();
    }
  }
  assert.ok(levelsChecked > 40);
});

test("Scharr derivatives equal cv.Scharr (CV_16S, REFLECT_101) and the padding is zero", () => {
  const rand = prng(12);
  for (const [w, h] of SIZES) {
    for (const channels of [1, 3]) {
      const image = randomImage(rand, w, h, channels);
      const border = 3;
      const pyr = new FlowPyramid({ winSize: border, maxLevel: 0 }).build(image, w, h, channels);
      const deriv = pyr.derivatives(0);
      const level = pyr.levels[0]!;
      const src = matOf(image, w, h, channels);
      const expected: Int16Array[] = [];
      for (const [dx, dy] of [[1, 0], [0, 1]] as const) {
        const out = new cv.Mat();
        cv.Scharr(src, out, cv.CV_16S, dx, dy, 1, 0, cv.BORDER_REFLECT_101);
        const planes = new cv.MatVector();
        cv.split(out, planes);
        // Interleave back to element order (pixel × channel).
        const flat = new Int16Array(w * h * channels);
        for (let c = 0; c < channels; c++) {
          const plane = planes.get(c).data16S;
          for (let i = 0; i < w * h; i++) flat[i * channels + c] = plane[i]!;
        }
        expected.push(flat);
        planes.delete();
        out.delete();
      }
      src.delete();
      const rowLen = w * channels;
      for (let y = 0; y < h; y++) {
        for (let e = 0; e < rowLen; e++) {
          const o = 2 * (level.origin + y * level.stride + e);
          if (deriv[o] !== expected[0]![y * rowLen + e] || deriv[o + 1] !== expected[1]![y * rowLen + e]) {
            assert.fail(`${w}×${h}×${channels}: derivative at row ${y} element ${e} is (${deriv[o]}, ${deriv[o + 1]}), ` +
              `cv.Scharr gives (${expected[0]![y * rowLen + e]}, ${expected[1]![y * rowLen + e]})`);
          }
        }
      }
      let interiorAbs = 0;
      for (let y = 0; y < h; y++) {
        for (let e = 0; e < rowLen; e++) interiorAbs += Math.abs(deriv[2 * (level.origin + y * level.stride + e)]!);
      }
      let total = 0;
      for (const v of deriv) total += Math.abs(v);
      let interiorBoth = 0;
      for (let y = 0; y < h; y++) {
        for (let e = 0; e < rowLen; e++) {
          const o = 2 * (level.origin + y * level.stride + e);
          interiorBoth += Math.abs(deriv[o]!) + Math.abs(deriv[o + 1]!);
        }
      }
      assert.equal(total, interiorBoth, `${w}×${h}×${channels}: derivative padding is not zero`);
      if (w > 2) assert.ok(interiorAbs > 0, "random image has non-zero Ix");
    }
  }
});

test("wasm core: pyramid levels and derivatives equal the TypeScript port's byte for byte, buffers reused across sizes", () => {
  const rand = prng(15);
  const lk = new WasmLk();
  const pyramids = new Map<string, WasmPyramid>();
  let levelsChecked = 0;
  // Each size twice, so that a pyramid is rebuilt over a differently laid out one (its derivative padding must be zero again).
  for (const [w, h] of [...SIZES, ...SIZES.slice().reverse()]) {
    for (const channels of [1, 3, 4]) {
      const image = randomImage(rand, w, h, channels);
      const winSize = w < 20 ? 3 : 15;
      const options = { winSize, maxLevel: 4 };
      const key = `${winSize}`;
      const wasm = pyramids.get(key) ?? new WasmPyramid(lk, options);
      pyramids.set(key, wasm);
      wasm.build(image, w, h, channels);
      const ts = buildFlowPyramid(image, w, h, channels, options);
      assert.equal(wasm.levelCount, ts.levelCount, `${w}×${h}×${channels} level count`);
      for (let k = 0; k < ts.levelCount; k++) {
        const label = `${w}×${h}×${channels} level ${k}`;
        assert.deepEqual(wasm.levelImage(k), ts.levels[k]!.data, `${label} bytes`);
        assert.deepEqual(wasm.levelDerivatives(k), ts.derivatives(k), `${label} derivatives`);
        levelsChecked++;
      }
    }
  }
  assert.ok(levelsChecked > 80, `${levelsChecked} levels`);
});

test("cubic resize: scalar arithmetic equals cv.resize(INTER_CUBIC) byte for byte; SSE2 differs by ±1 in rare pixels", (t) => {
  const rand = prng(13);
  const scalar = new CubicResizer("scalar");
  const sse2 = new CubicResizer("sse2");
  let pixels = 0;
  let sseDiffer = 0;
  const shapes: Array<[number, number, number, number]> = [
    [128, 128, 400, 400], [127, 127, 400, 400], [96, 96, 400, 400], [236, 236, 400, 400], [3, 2, 4, 3],
    [37, 21, 64, 80], [64, 48, 31, 17], [400, 400, 400, 400], [9, 9, 5, 13],
  ];
  for (const [sw, sh, dw, dh] of shapes) {
    for (const channels of [1, 3, 4]) {
      // A smooth image with some sharp edges, so rounding boundaries are hit.
      const src = new Uint8Array(sw * sh * channels);
      for (let i = 0; i < src.length; i++) src[i] = rand() < 0.1 ? (rand() < 0.5 ? 0 : 255) : 100 + Math.floor(60 * Math.sin(i / 7) + rand() * 20);
      const mat = matOf(src, sw, sh, channels);
      const expected = new cv.Mat();
      cv.resize(mat, expected, new cv.Size(dw, dh), 0, 0, cv.INTER_CUBIC);
      // Resize out of a larger frame (offset and stride), as the calibrator crops.
      const frameStride = (sw + 5) * channels;
      const frame = new Uint8Array(frameStride * (sh + 3));
      for (let y = 0; y < sh; y++) frame.set(src.subarray(y * sw * channels, (y + 1) * sw * channels), (y + 2) * frameStride + 3 * channels);
      const ours = new Uint8Array(dw * dh * channels);
      scalar.resize(frame, 2 * frameStride + 3 * channels, frameStride, sw, sh, channels, ours, dw, dh);
      assert.deepEqual(ours, expected.data, `${sw}×${sh}×${channels} → ${dw}×${dh}`);
      sse2.resize(frame, 2 * frameStride + 3 * channels, frameStride, sw, sh, channels, ours, dw, dh);
      for (let i = 0; i < ours.length; i++) {
        const d = Math.abs(ours[i]! - expected.data[i]!);
        assert.ok(d <= 1, `${sw}×${sh}×${channels} → ${dw}×${dh}: SSE2 pixel ${i} off by ${d}`);
        if (d !== 0) sseDiffer++;
      }
      pixels += ours.length;
      mat.delete();
      expected.delete();
    }
  }
  t.diagnostic(`SSE2 vertical pass differs from the fixed-point one in ${sseDiffer} of ${pixels} values`);
  assert.ok(sseDiffer > 0 && sseDiffer / pixels < 0.01, `${sseDiffer} of ${pixels}`);
});

test("wasm core: cubic resize equals the TypeScript SSE2 arithmetic byte for byte", () => {
  const rand = prng(16);
  const ts = new CubicResizer("sse2");
  const wasm = new WasmCubicResizer(new WasmLk());
  const shapes: Array<[number, number, number, number]> = [
    [128, 128, 400, 400], [127, 127, 400, 400], [96, 96, 400, 400], [236, 236, 400, 400], [3, 2, 4, 3], [1, 1, 7, 5],
    [37, 21, 64, 80], [64, 48, 31, 17], [400, 400, 400, 400], [9, 9, 5, 13], [399, 399, 400, 400], [250, 250, 400, 400],
  ];
  let pixels = 0;
  for (const [sw, sh, dw, dh] of shapes) {
    for (const channels of [1, 3, 4]) {
      const frameStride = (sw + 7) * channels;
      const frame = new Uint8Array(frameStride * (sh + 4));
      for (let i = 0; i < frame.length; i++) frame[i] = rand() < 0.1 ? (rand() < 0.5 ? 0 : 255) : 100 + Math.floor(60 * Math.sin(i / 7) + rand() * 20);
      const offset = 2 * frameStride + 5 * channels;
      const expected = new Uint8Array(dw * dh * channels);
      ts.resize(frame, offset, frameStride, sw, sh, channels, expected, dw, dh);
      const ours = new Uint8Array(dw * dh * channels);
      wasm.resize(frame, offset, frameStride, sw, sh, channels, ours, dw, dh);
      assert.deepEqual(ours, expected, `${sw}×${sh}×${channels} → ${dw}×${dh}`);
      pixels += ours.length;
    }
  }
  assert.ok(pixels > 5_000_000);
});

/** Shrinking size pairs: the general path (random and face-crop-like), integer scales 2 and 3, and same size (a copy). */
function areaShapes(rand: () => number): Array<[number, number, number, number]> {
  const shapes: Array<[number, number, number, number]> = [
    [415, 415, 400, 400], [401, 401, 400, 400], [799, 799, 400, 400], [1103, 1103, 400, 400], [800, 800, 400, 400],
    [64, 48, 32, 24], [63, 45, 21, 15], [9, 9, 9, 9], [7, 5, 3, 2], [5, 5, 1, 1], [120, 30, 7, 29], [33, 64, 32, 17],
  ];
  for (let i = 0; i < 24; i++) {
    const dw = 1 + Math.floor(rand() * 60);
    const dh = 1 + Math.floor(rand() * 60);
    shapes.push([dw + Math.floor(rand() * 3 * dw), dh + Math.floor(rand() * 3 * dh), dw, dh]);
  }
  return shapes;
}

test("area resize: the TypeScript port equals cv.resize(INTER_AREA) byte for byte on every path", (t) => {
  const rand = prng(18);
  const kinds = new Map<string, number>();
  let pixels = 0;
  for (const [sw, sh, dw, dh] of areaShapes(rand)) {
    for (const channels of [1, 2, 3, 4]) {
      const src = new Uint8Array(sw * sh * channels);
      for (let i = 0; i < src.length; i++) src[i] = rand() < 0.1 ? (rand() < 0.5 ? 0 : 255) : 100 + Math.floor(60 * Math.sin(i / 7) + rand() * 20);
      const type = channels === 1 ? cv.CV_8UC1 : channels === 3 ? cv.CV_8UC3 : channels === 4 ? cv.CV_8UC4 : (cv as unknown as { CV_8UC2: number }).CV_8UC2;
      const mat = new cv.Mat(sh, sw, type);
      mat.data.set(src);
      const expected = new cv.Mat();
      cv.resize(mat, expected, new cv.Size(dw, dh), 0, 0, cv.INTER_AREA);
      // Out of a larger frame (offset and stride), as the calibrator crops.
      const frameStride = (sw + 5) * channels;
      const frame = new Uint8Array(frameStride * (sh + 3));
      for (let y = 0; y < sh; y++) frame.set(src.subarray(y * sw * channels, (y + 1) * sw * channels), (y + 2) * frameStride + 3 * channels);
      const ours = new Uint8Array(dw * dh * channels);
      areaResize(frame, 2 * frameStride + 3 * channels, frameStride, sw, sh, channels, ours, dw, dh);
      assert.deepEqual(ours, expected.data, `${sw}×${sh}×${channels} → ${dw}×${dh}`);
      const kind = areaPlan(sw, sh, dw, dh, channels).kind;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      pixels += ours.length;
      mat.delete();
      expected.delete();
    }
  }
  t.diagnostic(`${pixels} values; paths: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(", ")}`);
  assert.ok((kinds.get("general") ?? 0) > 50 && (kinds.get("fast") ?? 0) >= 8 && (kinds.get("copy") ?? 0) >= 4, "every path is exercised");
});

test("wasm core: area resize equals the TypeScript port byte for byte", () => {
  const rand = prng(19);
  const wasm = new WasmAreaResizer(new WasmLk());
  let pixels = 0;
  for (const [sw, sh, dw, dh] of areaShapes(rand)) {
    for (const channels of [1, 2, 3, 4]) {
      const frameStride = (sw + 7) * channels;
      const frame = new Uint8Array(frameStride * (sh + 4));
      for (let i = 0; i < frame.length; i++) frame[i] = rand() < 0.1 ? (rand() < 0.5 ? 0 : 255) : 100 + Math.floor(60 * Math.sin(i / 7) + rand() * 20);
      const offset = 2 * frameStride + 5 * channels;
      const expected = new Uint8Array(dw * dh * channels);
      areaResize(frame, offset, frameStride, sw, sh, channels, expected, dw, dh);
      const ours = new Uint8Array(dw * dh * channels);
      wasm.resize(frame, offset, frameStride, sw, sh, channels, ours, dw, dh);
      assert.deepEqual(ours, expected, `${sw}×${sh}×${channels} → ${dw}×${dh}`);
      pixels += ours.length;
    }
  }
  assert.ok(pixels > 2_000_000, `${pixels} values`);
});

/** Smooth random texture: two octaves of bilinear value noise per channel, sampled at (x - sx, y - sy). */
class Texture {
  private readonly octaves: Array<{ cell: number; gw: number; grid: Float64Array; amp: number }> = [];
  private readonly flat: { x0: number; y0: number; x1: number; y1: number; value: number } | null;

  /** `contrast` scales the amplitude: above 1 the image saturates into steep edges and large derivatives. */
  constructor(rand: () => number, width: number, height: number, readonly channels: number, contrast = 1) {
    for (const [minCell, maxCell, amp] of [[6, 20, 150], [1.5, 4, 50]] as const) {
      const cell = minCell + rand() * (maxCell - minCell);
      const gw = Math.ceil((width + 40) / cell) + 3;
      const gh = Math.ceil((height + 40) / cell) + 3;
      const grid = new Float64Array(gw * gh * channels);
      for (let i = 0; i < grid.length; i++) grid[i] = rand() - 0.5;
      this.octaves.push({ cell, gw, grid, amp: amp * (0.3 + rand()) * contrast });
    }
    this.flat =
      rand() < 0.5
        ? (() => {
            const x0 = rand() * width * 0.7;
            const y0 = rand() * height * 0.7;
            return { x0, y0, x1: x0 + 20 + rand() * width * 0.4, y1: y0 + 20 + rand() * height * 0.4, value: 40 + rand() * 170 };
          })()
        : null;
  }

  isFlat(x: number, y: number): boolean {
    const r = this.flat;
    return r !== null && x > r.x0 + 9 && x < r.x1 - 9 && y > r.y0 + 9 && y < r.y1 - 9;
  }

  render(width: number, height: number, sx: number, sy: number, noise: number, rand: () => number): Uint8Array {
    const cn = this.channels;
    const acc = new Float64Array(width * height * cn).fill(128);
    for (const { cell, gw, grid, amp } of this.octaves) {
      for (let y = 0; y < height; y++) {
        const gy = (y - sy + 20) / cell;
        const iy = Math.floor(gy);
        const fy = gy - iy;
        for (let x = 0; x < width; x++) {
          const gx = (x - sx + 20) / cell;
          const ix = Math.floor(gx);
          const fx = gx - ix;
          const g00 = (iy * gw + ix) * cn;
          const g10 = g00 + gw * cn;
          const o = (y * width + x) * cn;
          for (let c = 0; c < cn; c++) {
            const top = (1 - fx) * grid[g00 + c]! + fx * grid[g00 + cn + c]!;
            const bottom = (1 - fx) * grid[g10 + c]! + fx * grid[g10 + cn + c]!;
            acc[o + c] = acc[o + c]! + amp * ((1 - fy) * top + fy * bottom);
          }
        }
      }
    }
    const img = new Uint8Array(acc.length);
    const r = this.flat;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const u = x - sx;
        const v = y - sy;
        const inFlat = r !== null && u >= r.x0 && u < r.x1 && v >= r.y0 && v < r.y1;
        for (let c = 0; c < cn; c++) {
          const i = (y * width + x) * cn + c;
          let value = inFlat ? r.value : acc[i]!;
          if (noise > 0) value += (rand() - 0.5) * 2 * noise;
          img[i] = Math.max(0, Math.min(255, Math.round(value)));
        }
      }
    }
    return img;
  }
}

/** A 3×3 box blur, to make the second image differ from a pure shift. */
function boxBlur(img: Uint8Array, width: number, height: number, cn: number): Uint8Array {
  const out = new Uint8Array(img.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < cn; c++) {
        let sum = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const yy = Math.min(height - 1, Math.max(0, y + dy));
            const xx = Math.min(width - 1, Math.max(0, x + dx));
            sum += img[(yy * width + xx) * cn + c]!;
          }
        }
        out[(y * width + x) * cn + c] = Math.round(sum / 9);
      }
    }
  }
  return out;
}

interface LkCase {
  width: number;
  height: number;
  channels: number;
  prev: Uint8Array;
  next: Uint8Array;
  prevPts: Float32Array;
  guess: Float32Array;
  params: LkParams;
}

function makeCase(rand: () => number, index: number, contrast = 1): LkCase {
  const big = index % 100 === 0;
  const width = big ? 400 : 40 + Math.floor(rand() * 100);
  const height = big ? 400 : 40 + Math.floor(rand() * 100);
  const channels = big || rand() < 0.7 ? 3 : rand() < 0.5 ? 1 : 4;
  const texture = new Texture(rand, width, height, channels, contrast);
  const sx = (rand() - 0.5) * 12;
  const sy = (rand() - 0.5) * 12;
  const noise = rand() < 0.5 ? 0 : rand() * 4;
  const prev = texture.render(width, height, 0, 0, noise, rand);
  let next = texture.render(width, height, sx, sy, noise, rand);
  if (rand() < 0.2) next = boxBlur(next, width, height, channels);
  const count = big ? 68 : 12;
  const prevPts = new Float32Array(2 * count);
  const guess = new Float32Array(2 * count);
  for (let p = 0; p < count; p++) {
    const kind = rand();
    let x: number;
    let y: number;
    if (kind < 0.65) {
      x = rand() * (width - 1);
      y = rand() * (height - 1);
    } else if (kind < 0.8) {
      // near a border, inside or just outside
      x = rand() < 0.5 ? rand() * 6 - 3 : width - 1 + rand() * 6 - 3;
      y = rand() * (height - 1);
      if (rand() < 0.5) [x, y] = [rand() * (width - 1), rand() < 0.5 ? rand() * 6 - 3 : height - 1 + rand() * 6 - 3];
    } else if (kind < 0.87) {
      // well outside the image
      x = rand() < 0.5 ? -8 - rand() * 20 : width + 8 + rand() * 20;
      y = rand() * height;
    } else {
      // a flat region when there is one (min eigenvalue fails), else anywhere
      x = rand() * (width - 1);
      y = rand() * (height - 1);
      for (let tries = 0; tries < 30 && !texture.isFlat(x, y); tries++) {
        x = rand() * (width - 1);
        y = rand() * (height - 1);
      }
    }
    if (rand() < 0.5) {
      // integer points, as the calibrator passes
      x = Math.round(x);
      y = Math.round(y);
    }
    prevPts[2 * p] = x;
    prevPts[2 * p + 1] = y;
    const g = rand();
    if (g < 0.6) {
      guess[2 * p] = x + sx + (rand() - 0.5) * 3;
      guess[2 * p + 1] = y + sy + (rand() - 0.5) * 3;
    } else if (g < 0.85) {
      guess[2 * p] = Math.round(x + sx);
      guess[2 * p + 1] = Math.round(y + sy);
    } else {
      guess[2 * p] = x + (rand() - 0.5) * 30;
      guess[2 * p + 1] = y + (rand() - 0.5) * 30;
    }
  }
  const winSize = big || rand() < 0.6 ? 15 : [5, 7, 9, 11, 21][Math.floor(rand() * 5)]!;
  const params: LkParams = {
    winSize,
    maxLevel: big ? 3 : Math.floor(rand() * 5),
    maxIterations: rand() < 0.7 ? 10 : 30,
    epsilon: rand() < 0.7 ? 0.03 : 0.01,
    minEigThreshold: 1e-4,
    useInitialFlow: rand() < 0.85,
    accumulation: "sse2",
  };
  return { width, height, channels, prev, next, prevPts, guess, params };
}

interface OracleResult {
  points: Float32Array;
  status: Uint8Array;
}

function opencvLk(c: LkCase): OracleResult {
  const prev = matOf(c.prev, c.width, c.height, c.channels);
  const next = matOf(c.next, c.width, c.height, c.channels);
  const count = c.prevPts.length / 2;
  const prevPts = new cv.Mat(count, 1, cv.CV_32FC2);
  prevPts.data32F.set(c.prevPts);
  const nextPts = new cv.Mat(count, 1, cv.CV_32FC2);
  nextPts.data32F.set(c.guess);
  const status = new cv.Mat();
  const err = new cv.Mat();
  const criteria = new cv.TermCriteria(cv.TermCriteria_COUNT + cv.TermCriteria_EPS, c.params.maxIterations, c.params.epsilon);
  cv.calcOpticalFlowPyrLK(
    prev,
    next,
    prevPts,
    nextPts,
    status,
    err,
    new cv.Size(c.params.winSize, c.params.winSize),
    c.params.maxLevel,
    criteria,
    c.params.useInitialFlow ? cv.OPTFLOW_USE_INITIAL_FLOW : 0,
    c.params.minEigThreshold,
  );
  const result = { points: Float32Array.from(nextPts.data32F), status: Uint8Array.from(status.data.subarray(0, count)) };
  for (const m of [prev, next, prevPts, nextPts, status, err]) m.delete();
  return result;
}

interface CaseOutcome {
  label: string;
  prevPts: Float32Array;
  oracle: OracleResult;
  scalar: OracleResult;
  sse2: OracleResult;
  /** The "sse2" result tracked back from next to prev (reusing both pyramids), TypeScript and wasm. */
  sse2Back: OracleResult;
  wasm: OracleResult;
  wasmBack: OracleResult;
}

function ours(c: LkCase, accumulation: LkParams["accumulation"], ws: LkWorkspace, pyrs: [FlowPyramid?, FlowPyramid?]): OracleResult {
  const options = { winSize: c.params.winSize, maxLevel: c.params.maxLevel };
  const prevPyr = buildFlowPyramid(c.prev, c.width, c.height, c.channels, options, pyrs[0]);
  const nextPyr = buildFlowPyramid(c.next, c.width, c.height, c.channels, options, pyrs[1]);
  pyrs[0] = prevPyr;
  pyrs[1] = nextPyr;
  const points = Float32Array.from(c.guess);
  const status = new Uint8Array(c.prevPts.length / 2);
  trackPoints(prevPyr, nextPyr, c.prevPts, points, status, { ...c.params, accumulation }, ws);
  return { points, status };
}

/** Tracks `forward` (a result of ours) back to the first image on the pyramids of the last ours() call. */
function oursBack(c: LkCase, forward: OracleResult, ws: LkWorkspace, pyrs: [FlowPyramid?, FlowPyramid?]): OracleResult {
  const points = Float32Array.from(c.prevPts);
  const status = new Uint8Array(c.prevPts.length / 2);
  trackPoints(pyrs[1]!, pyrs[0]!, forward.points, points, status, c.params, ws);
  return { points, status };
}

/** The same forward and backward passes with the wasm core; pyramids are kept per (window, levels) and rebuilt in place. */
function oursWasm(c: LkCase, lk: WasmLk, pyramids: Map<string, [WasmPyramid, WasmPyramid]>): [OracleResult, OracleResult] {
  const options = { winSize: c.params.winSize, maxLevel: c.params.maxLevel };
  const key = `${options.winSize}/${options.maxLevel}`;
  const pair = pyramids.get(key) ?? [new WasmPyramid(lk, options), new WasmPyramid(lk, options)];
  pyramids.set(key, pair);
  const [prevPyr, nextPyr] = pair;
  prevPyr.build(c.prev, c.width, c.height, c.channels);
  nextPyr.build(c.next, c.width, c.height, c.channels);
  const points = Float32Array.from(c.guess);
  const status = new Uint8Array(c.prevPts.length / 2);
  lk.trackPoints(prevPyr, nextPyr, c.prevPts, points, status, c.params);
  const back = Float32Array.from(c.prevPts);
  const backStatus = new Uint8Array(c.prevPts.length / 2);
  lk.trackPoints(nextPyr, prevPyr, points, back, backStatus, c.params);
  return [{ points, status }, { points: back, status: backStatus }];
}

/**
 * 2000 generated image pairs (20 of them 400×400×3 with 68 points, the rest small with 12), each tracked four
 * ways (opencv-js, ours "scalar", ours "sse2", wasm), the last two also backward. Then 500 high-contrast
 * pairs: their derivatives are large, so the float32 sums of the matrix A round too (in the smooth pairs
 * they are mostly exact integers), and a change of summation order anywhere shows.
 */
const CASES = 2000;
const CONTRAST_CASES = 500;
let outcomes: CaseOutcome[] = [];
let contrastOutcomes: CaseOutcome[] = [];

function runCases(seed: number, count: number, contrast: number): CaseOutcome[] {
  const rand = prng(seed);
  const ws = new LkWorkspace();
  const pyrs: [FlowPyramid?, FlowPyramid?] = [];
  const lk = new WasmLk();
  const wasmPyramids = new Map<string, [WasmPyramid, WasmPyramid]>();
  const out: CaseOutcome[] = [];
  for (let i = 0; i < count; i++) {
    const c = makeCase(rand, i, contrast);
    const scalar = ours(c, "scalar", ws, pyrs);
    const sse2 = ours(c, "sse2", ws, pyrs);
    const [wasm, wasmBack] = oursWasm(c, lk, wasmPyramids);
    out.push({
      label: `${contrast === 1 ? "" : "high-contrast "}case ${i} (${c.width}×${c.height}×${c.channels}, win ${c.params.winSize}, maxLevel ${c.params.maxLevel})`,
      prevPts: c.prevPts,
      oracle: opencvLk(c),
      scalar,
      sse2,
      sse2Back: oursBack(c, sse2, ws, pyrs),
      wasm,
      wasmBack,
    });
  }
  return out;
}

before(async () => {
  cv = (await loadOpenCv()) as OracleCv;
  outcomes = runCases(20240607, CASES, 1);
  contrastOutcomes = runCases(20240608, CONTRAST_CASES, 6);
});

after(() => {
  outcomes = [];
  contrastOutcomes = [];
});

test("the generated cases exercise every outcome", () => {
  let tracked = 0;
  let failed = 0;
  let moved = 0;
  for (const { oracle, prevPts } of outcomes) {
    for (let p = 0; p < oracle.status.length; p++) {
      if (oracle.status[p]) tracked++;
      else failed++;
      if (Math.hypot(oracle.points[2 * p]! - prevPts[2 * p]!, oracle.points[2 * p + 1]! - prevPts[2 * p + 1]!) > 1) moved++;
    }
  }
  const total = tracked + failed;
  assert.ok(total >= 20000, `${total} points`);
  assert.ok(failed / total > 0.1 && failed / total < 0.5, `failed share ${failed / total}`);
  assert.ok(moved / total > 0.3, `moved share ${moved / total}`);
});

test("scalar accumulation reproduces opencv-js (no SIMD) bit for bit: points and status", () => {
  let points = 0;
  for (const { label, prevPts, oracle, scalar } of [...outcomes, ...contrastOutcomes]) {
    for (let p = 0; p < oracle.status.length; p++, points++) {
      const same =
        scalar.status[p] === oracle.status[p] &&
        Object.is(scalar.points[2 * p], oracle.points[2 * p]) &&
        Object.is(scalar.points[2 * p + 1], oracle.points[2 * p + 1]);
      if (!same) {
        assert.fail(
          `${label} point ${p} from (${prevPts[2 * p]}, ${prevPts[2 * p + 1]}): ` +
            `ours (${scalar.points[2 * p]}, ${scalar.points[2 * p + 1]}) status ${scalar.status[p]}, ` +
            `opencv-js (${oracle.points[2 * p]}, ${oracle.points[2 * p + 1]}) status ${oracle.status[p]}`,
        );
      }
    }
  }
  assert.ok(points >= 25000);
});

test("SSE2 accumulation differs from opencv-js only by float rounding", (t) => {
  let points = 0;
  let statusSame = 0;
  let bitSame = 0;
  let within001 = 0;
  let within05 = 0;
  for (const { oracle, sse2 } of outcomes) {
    for (let p = 0; p < oracle.status.length; p++) {
      points++;
      if (sse2.status[p] === oracle.status[p]) statusSame++;
      const d = Math.max(
        Math.abs(sse2.points[2 * p]! - oracle.points[2 * p]!),
        Math.abs(sse2.points[2 * p + 1]! - oracle.points[2 * p + 1]!),
      );
      if (d === 0) bitSame++;
      if (d <= 0.01) within001++;
      if (d <= 0.5) within05++;
    }
  }
  const share = (n: number) => `${((100 * n) / points).toFixed(3)} %`;
  t.diagnostic(
    `${points} points: status identical ${share(statusSame)}, points identical ${share(bitSame)}, ` +
      `within 0.01 px ${share(within001)}, within 0.5 px ${share(within05)}`,
  );
  assert.ok(statusSame / points >= 0.999, `status identical in ${share(statusSame)}`);
  assert.ok(within001 / points >= 0.99, `within 0.01 px in ${share(within001)}`);
  assert.ok(within05 / points >= 0.999, `within 0.5 px in ${share(within05)}`);
  // The orders must differ somewhere, or the SSE2 path would not have been exercised at all.
  assert.ok(bitSame < points, "SSE2 order never changed a single bit");
});

test("wasm core reproduces the TypeScript SSE2 path bit for bit on every generated pair, forward and backward", (t) => {
  let points = 0;
  let failedBack = 0;
  for (const { label, prevPts, sse2, sse2Back, wasm, wasmBack } of [...outcomes, ...contrastOutcomes]) {
    for (const [direction, ts, w] of [["forward", sse2, wasm], ["backward", sse2Back, wasmBack]] as const) {
      for (let p = 0; p < ts.status.length; p++, points++) {
        const same = w.status[p] === ts.status[p] && Object.is(w.points[2 * p], ts.points[2 * p]) && Object.is(w.points[2 * p + 1], ts.points[2 * p + 1]);
        if (!same) {
          assert.fail(
            `${label} ${direction} point ${p} from (${prevPts[2 * p]}, ${prevPts[2 * p + 1]}): ` +
              `wasm (${w.points[2 * p]}, ${w.points[2 * p + 1]}) status ${w.status[p]}, ` +
              `TypeScript (${ts.points[2 * p]}, ${ts.points[2 * p + 1]}) status ${ts.status[p]}`,
          );
        }
        if (direction === "backward" && ts.status[p] === 0) failedBack++;
      }
    }
  }
  assert.ok(points >= 50000, `${points} points`);
  assert.ok(failedBack > 1000, `the backward passes exercise failures too (${failedBack})`);
  let orderMatters = 0;
  let contrastPoints = 0;
  for (const { scalar, sse2 } of contrastOutcomes) {
    for (let p = 0; p < sse2.status.length; p++, contrastPoints++) {
      if (!Object.is(scalar.points[2 * p], sse2.points[2 * p]) || !Object.is(scalar.points[2 * p + 1], sse2.points[2 * p + 1])) orderMatters++;
    }
  }
  t.diagnostic(`${points} points compared; in the high-contrast pairs the summation order changes ${orderMatters} of ${contrastPoints} points`);
  assert.ok(orderMatters / contrastPoints > 0.3, "the high-contrast pairs are sensitive to the summation order");
});

test("wasm and TypeScript crop flows give the same steps over a clip, cubic and area crops alike", () => {
  const rand = prng(17);
  const width = 560;
  const height = 480;
  const texture = new Texture(rand, width, height, 3);
  const wasm = createCropFlow("wasm");
  const ts = createCropFlow("ts");
  assert.equal(wasm.core, "wasm");
  assert.equal(ts.core, "ts");
  // Box sizes below 400 (cubic), 400 (copy) and above (area); one box runs into the frame's edge.
  const boxes: FaceBox[] = [
    { x1: 100, y1: 80, size: 260 }, { x1: 104, y1: 82, size: 260 }, { x1: 110, y1: 79, size: 258 }, { x1: 60, y1: 40, size: 400 },
    { x1: 62, y1: 41, size: 410 }, { x1: 300, y1: 200, size: 260 }, { x1: 301, y1: 201, size: 259 }, { x1: 0, y1: 0, size: 120 },
  ];
  const track = Int32Array.from({ length: 136 }, () => 60 + Math.floor(rand() * 280));
  let compared = 0;
  for (const [i, box] of boxes.entries()) {
    const frame = texture.render(width, height, i * 1.3, i * 0.6, 2, rand);
    wasm.push(frame, width, box);
    ts.push(frame, width, box);
    if (i === 0) continue;
    const guess = track.map((v) => v + Math.round((rand() - 0.5) * 6));
    assert.deepEqual(wasm.step(track, guess), ts.step(track, guess), `step ${i}`);
    compared++;
  }
  assert.equal(compared, boxes.length - 1);
  wasm.close();
  ts.close();
});

test("LkBidirectionalFlow reuses a pyramid only when the next call's prev holds the same bytes", () => {
  const rand = prng(14);
  const size = 64;
  const texture = new Texture(rand, size, size, 3);
  const frames = [0, 1, 2, 3].map((k) => texture.render(size, size, k * 0.7, k * 0.4, 1, rand));
  const track = Int32Array.from({ length: 16 }, () => 16 + Math.floor(rand() * 32));
  const guess = track.map((v) => v + 1);
  const image = (data: Uint8Array) => ({ rows: size, cols: size, data });
  const direct = (a: Uint8Array, b: Uint8Array) => {
    const options = { winSize: LRNET_LK_PARAMS.winSize, maxLevel: LRNET_LK_PARAMS.maxLevel };
    const pa = buildFlowPyramid(a, size, size, 3, options);
    const pb = buildFlowPyramid(b, size, size, 3, options);
    const forward = Float32Array.from(guess);
    const forwardStatus = new Uint8Array(8);
    trackPoints(pa, pb, Float32Array.from(track), forward, forwardStatus, LRNET_LK_PARAMS);
    const backward = Float32Array.from(track);
    const backwardStatus = new Uint8Array(8);
    trackPoints(pb, pa, forward, backward, backwardStatus, LRNET_LK_PARAMS);
    return { forward, backward, forwardStatus, backwardStatus };
  };
  const flow = new LkBidirectionalFlow();
  // consecutive (reused), the same buffer with its bytes changed in place (rebuilt), a jump (rebuilt)
  const mutable = Uint8Array.from(frames[2]!);
  const pairs: Array<[Uint8Array, Uint8Array]> = [[frames[0]!, frames[1]!], [frames[1]!, mutable], [mutable, frames[0]!], [frames[3]!, frames[1]!]];
  for (const [i, [a, b]] of pairs.entries()) {
    if (i === 2) mutable.set(frames[3]!); // the pyramid kept from pair 1 no longer matches this buffer
    assert.deepEqual(flow.track(image(a), image(b), track, guess), direct(a, b), `pair ${i}`);
  }
});
