/**
 * The exact LK core (issue 6, item 1): milliseconds per 400×400 crop (INTER_CUBIC) and per bidirectional
 * LK step (forward + backward, pyramids included) with the TypeScript port, the wasm core and opencv-js
 * (called the way LRNet calls OpenCV: two calcOpticalFlowPyrLK calls, each building both pyramids), on the
 * first frames of 000_003 with its OpenFace boxes (a generated moving texture when ../shared is absent).
 * Then `calibrate` of 000_003 end to end with each core, interleaved, in fresh processes.
 * Medians of BENCH_RUNS passes (default 5); the ratios are taken within each pass.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CALIBRATION } from "../src/calibrate/constants.js";
import { CubicResizer } from "../src/calibrate/cubic-resize.js";
import { type FaceBox, faceBox, stableFaceSize } from "../src/calibrate/face-box.js";
import { shapeInCrop } from "../src/calibrate/face-crop.js";
import { LkBidirectionalFlow } from "../src/calibrate/lk/bidirectional-flow.js";
import { LRNET_LK_PARAMS } from "../src/calibrate/lk/pyramidal-lk.js";
import { WasmCubicResizer, WasmLk, WasmPyramid } from "../src/calibrate/lk/wasm-lk.js";
import { type CvMat, type OpenCv, loadOpenCv } from "../src/calibrate/opencv.js";
import { shapesInFileOrder } from "../src/openface/align.js";
import { parseOpenFaceCsv } from "../src/openface/parse-csv.js";
import type { Shape } from "../src/shape/shape.js";
import { decodeFrames } from "../src/video/decode.js";
import { lrnetFixtures } from "../test/helpers/paths.js";
import { measure, median, table } from "./harness.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const FRAMES = 60;
const SIDE = CALIBRATION.cropSize;

interface Clip {
  name: string;
  width: number;
  frames: Uint8Array[];
  boxes: FaceBox[];
  /** Each frame's landmarks in its crop: the points tracked from it (and the guess for it). */
  locs: Int32Array[];
}

async function fixtureClip(dir: string): Promise<Clip> {
  const video = join(dir, "000_003.mp4");
  const shapes = shapesInFileOrder(parseOpenFaceCsv(readFileSync(join(dir, "000_003.csv"), "utf8"), "000_003.csv"));
  const frames: Uint8Array[] = [];
  let width = 0;
  let height = 0;
  for await (const frame of decodeFrames(video, { format: "bgr24" })) {
    frames.push(frame.data);
    width = frame.width;
    height = frame.height;
    if (frames.length === FRAMES) break;
  }
  return { name: `000_003 (${width}×${height}), first ${frames.length} frames`, width, frames, ...boxesOf(shapes.slice(0, frames.length), width, height) };
}

/** A smooth texture drifting by a few pixels per frame, with a fixed ring of 68 points. */
function generatedClip(): Clip {
  const width = 640;
  const height = 480;
  const frames: Uint8Array[] = [];
  const shapes: Shape[] = [];
  for (let i = 0; i < FRAMES; i++) {
    const dx = 6 * Math.sin(i / 7);
    const dy = 4 * Math.cos(i / 11);
    const data = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const u = x - dx;
        const v = y - dy;
        const value = 128 + 60 * Math.sin(u / 9) * Math.cos(v / 13) + 40 * Math.sin((u + 2 * v) / 5);
        const o = 3 * (y * width + x);
        data[o] = value;
        data[o + 1] = 255 - value;
        data[o + 2] = (value * 7) & 255;
      }
    }
    frames.push(data);
    const shape = new Float64Array(136);
    for (let p = 0; p < 68; p++) {
      shape[2 * p] = 320 + dx + 90 * Math.cos((2 * Math.PI * p) / 68);
      shape[2 * p + 1] = 240 + dy + 110 * Math.sin((2 * Math.PI * p) / 68);
    }
    shapes.push(shape);
  }
  return { name: `generated texture (${width}×${height}), ${FRAMES} frames`, width, frames, ...boxesOf(shapes, width, height) };
}

function boxesOf(shapes: Shape[], width: number, height: number): { boxes: FaceBox[]; locs: Int32Array[] } {
  const stable = stableFaceSize(shapes);
  let center: readonly [number, number] | null = null;
  const boxes: FaceBox[] = [];
  const locs: Int32Array[] = [];
  for (const shape of shapes) {
    const result = faceBox(shape, stable, center, width, height);
    center = result.center;
    boxes.push(result.box);
    locs.push(shapeInCrop(shape, result.box));
  }
  return { boxes, locs };
}

function timePerItem(items: number, run: () => void): number {
  const started = performance.now();
  run();
  return (performance.now() - started) / items;
}

export async function benchLk(): Promise<void> {
  const clip = lrnetFixtures ? await fixtureClip(lrnetFixtures) : generatedClip();
  const cv = await loadOpenCv();
  const n = clip.frames.length;
  const cubicBoxes = clip.boxes.filter((b) => b.size < SIDE).length;
  if (cubicBoxes !== n) throw new Error(`bench expects INTER_CUBIC crops only (boxes under ${SIDE} px); ${n - cubicBoxes} are not`);

  // The crops every LK variant tracks (the TypeScript and wasm resizes are identical, as the tests check).
  const crops = clip.frames.map(() => new Uint8Array(SIDE * SIDE * 3));
  const tsResizer = new CubicResizer("sse2");
  const lk = new WasmLk();
  const wasmResizer = new WasmCubicResizer(lk);
  const wasmTarget = lk.alloc(SIDE * SIDE * 3);
  const options = { winSize: LRNET_LK_PARAMS.winSize, maxLevel: LRNET_LK_PARAMS.maxLevel };
  const wasmPyramids = [new WasmPyramid(lk, options), new WasmPyramid(lk, options)];
  const tsFlow = new LkBidirectionalFlow();

  const cropTs = () => {
    for (let i = 0; i < n; i++) {
      const { x1, y1, size } = clip.boxes[i]!;
      tsResizer.resize(clip.frames[i]!, (y1 * clip.width + x1) * 3, clip.width * 3, size, size, 3, crops[i]!, SIDE, SIDE);
    }
  };
  const cropWasm = () => {
    for (let i = 0; i < n; i++) {
      const { x1, y1, size } = clip.boxes[i]!;
      wasmResizer.resizeInto(clip.frames[i]!, (y1 * clip.width + x1) * 3, clip.width * 3, size, size, 3, wasmTarget, SIDE * 3, SIDE, SIDE);
    }
  };
  const cropOpenCv = () => {
    for (let i = 0; i < n; i++) {
      const { x1, y1, size } = clip.boxes[i]!;
      const src = new cv.Mat(size, size, cv.CV_8UC3);
      const out = new cv.Mat();
      for (let r = 0; r < size; r++) {
        const start = ((y1 + r) * clip.width + x1) * 3;
        src.data.set(clip.frames[i]!.subarray(start, start + size * 3), r * size * 3);
      }
      cv.resize(src, out, new cv.Size(SIDE, SIDE), 0, 0, cv.INTER_CUBIC);
      src.delete();
      out.delete();
    }
  };
  const stepTs = () => {
    tsFlow.push({ rows: SIDE, cols: SIDE, data: crops[0]! });
    for (let i = 1; i < n; i++) {
      tsFlow.push({ rows: SIDE, cols: SIDE, data: crops[i]! });
      tsFlow.step(clip.locs[i - 1]!, clip.locs[i]!);
    }
  };
  const stepWasm = () => {
    wasmPyramids[0]!.build(crops[0]!, SIDE, SIDE, 3);
    for (let i = 1; i < n; i++) {
      const prev = wasmPyramids[(i - 1) & 1]!;
      const next = wasmPyramids[i & 1]!.build(crops[i]!, SIDE, SIDE, 3);
      const count = clip.locs[i]!.length >> 1;
      const forward = Float32Array.from(clip.locs[i]!);
      lk.trackPoints(prev, next, Float32Array.from(clip.locs[i - 1]!), forward, new Uint8Array(count), LRNET_LK_PARAMS);
      lk.trackPoints(next, prev, forward, Float32Array.from(clip.locs[i - 1]!), new Uint8Array(count), LRNET_LK_PARAMS);
    }
  };
  const mats = crops.map((c) => cv.matFromArray(SIDE, SIDE, cv.CV_8UC3, c));
  const stepOpenCv = () => {
    for (let i = 1; i < n; i++) openCvStep(cv, mats[i - 1]!, mats[i]!, clip.locs[i - 1]!, clip.locs[i]!);
  };

  cropTs();
  const rows: Array<{ name: string; ts: number[]; wasm: number[]; cv: number[] }> = [
    { name: "crop: INTER_CUBIC box → 400×400", ts: [], wasm: [], cv: [] },
    { name: "bidirectional LK step (pyramids included)", ts: [], wasm: [], cv: [] },
  ];
  for (let r = 0; r < RUNS; r++) {
    rows[0]!.ts.push(timePerItem(n, cropTs));
    rows[0]!.wasm.push(timePerItem(n, cropWasm));
    rows[0]!.cv.push(timePerItem(n, cropOpenCv));
    rows[1]!.ts.push(timePerItem(n - 1, stepTs));
    rows[1]!.wasm.push(timePerItem(n - 1, stepWasm));
    rows[1]!.cv.push(timePerItem(n - 1, stepOpenCv));
  }
  for (const m of mats) m.delete();
  const ratio = (a: number[], b: number[]) => median(a.map((v, i) => v / b[i]!)).toFixed(1);
  console.log(`\nexact LK core, ${clip.name}: ms per item, median of ${RUNS} passes (ratios within each pass)`);
  console.log(
    table(
      ["operation", "TypeScript", "wasm", "opencv-js", "TS / wasm", "opencv-js / wasm"],
      rows.map((row) => [
        row.name,
        median(row.ts).toFixed(2),
        median(row.wasm).toFixed(2),
        median(row.cv).toFixed(2),
        ratio(row.ts, row.wasm),
        ratio(row.cv, row.wasm),
      ]),
    ),
  );

  if (!lrnetFixtures) {
    console.log("(../shared/fixtures/lrnet absent: end-to-end calibrate comparison skipped)");
    return;
  }
  const video = join(lrnetFixtures, "000_003.mp4");
  const csv = join(lrnetFixtures, "000_003.csv");
  const wall: Record<"ts" | "wasm", number[]> = { ts: [], wasm: [] };
  const rss: Record<"ts" | "wasm", number[]> = { ts: [], wasm: [] };
  const before = process.env.LRNET_LK_CORE;
  try {
    for (let r = 0; r < RUNS; r++) {
      for (const core of ["wasm", "ts"] as const) {
        process.env.LRNET_LK_CORE = core;
        const m = await measure(["calibrate", video, csv]);
        wall[core].push(m.seconds);
        rss[core].push(m.maxRssMB);
      }
    }
  } finally {
    if (before === undefined) delete process.env.LRNET_LK_CORE;
    else process.env.LRNET_LK_CORE = before;
  }
  console.log(`\ncalibrate 000_003 end to end (fresh process each, decode in parallel), median of ${RUNS}`);
  console.log(
    table(
      ["LK core", "wall s", "peak RSS MB", "ts / wasm"],
      (["ts", "wasm"] as const).map((core) => [core, median(wall[core]).toFixed(2), median(rss[core]).toFixed(0), core === "ts" ? ratio(wall.ts, wall.wasm) : "1.0"]),
    ),
  );
}

/** LRNet's two calls (rule 4.1–4.2) with opencv-js: forward with the initial flow, then backward. */
function openCvStep(cv: OpenCv, prev: CvMat, next: CvMat, track: Int32Array, guess: Int32Array): void {
  const count = track.length >> 1;
  const prevPts = cv.matFromArray(count, 1, cv.CV_32FC2, Float32Array.from(track));
  const forward = cv.matFromArray(count, 1, cv.CV_32FC2, Float32Array.from(guess));
  const backward = cv.matFromArray(count, 1, cv.CV_32FC2, Float32Array.from(track));
  const status = new cv.Mat();
  const err = new cv.Mat();
  const size = new cv.Size(LRNET_LK_PARAMS.winSize, LRNET_LK_PARAMS.winSize);
  const criteria = new cv.TermCriteria(cv.TermCriteria_COUNT + cv.TermCriteria_EPS, LRNET_LK_PARAMS.maxIterations, LRNET_LK_PARAMS.epsilon);
  try {
    cv.calcOpticalFlowPyrLK(prev, next, prevPts, forward, status, err, size, LRNET_LK_PARAMS.maxLevel, criteria, cv.OPTFLOW_USE_INITIAL_FLOW, 1e-4);
    cv.calcOpticalFlowPyrLK(next, prev, forward, backward, status, err, size, LRNET_LK_PARAMS.maxLevel, criteria, cv.OPTFLOW_USE_INITIAL_FLOW, 1e-4);
  } finally {
    for (const m of [prevPts, forward, backward, status, err]) m.delete();
  }
}
