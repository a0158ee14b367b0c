import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import {
  decodeFaceDetection,
  withDetectionsOutput,
} from "../src/mediapipe-runtime/face-detections.js";
import { pointBounds, scoreFaces } from "../src/mediapipe-runtime/face-scores.js";
import {
  createFaceLandmarker,
  MediaPipeError,
  MESH_POINT_COUNT,
  MonotonicClock,
  type FaceResult,
  type NodeFaceLandmarker,
} from "../src/mediapipe-runtime/landmarker.js";
import { MEDIAPIPE_METRICS_HOST } from "../src/mediapipe-runtime/node-globals.js";
import { unimplementedWebGlCalls } from "../src/mediapipe-runtime/webgl2-stand-in.js";
import { lengthDelimitedField, stringField, wireFields, concatBytes } from "../src/mediapipe-runtime/protobuf-wire.js";
import { COMMON_MAPPING } from "../src/sources/mesh-to-ibug.js";
import { resolveModel } from "../src/model-bundle/resolve-model.js";
import { decodeFrames } from "../src/video/decode.js";
import type { Frame } from "../src/video/types.js";
import { NO_FIXTURES, lrnetFixtures, repoRoot } from "./helpers/paths.js";

// ---------------------------------------------------------------------------------------------------------
// Pure parts: no model needed

describe("MonotonicClock (VIDEO timestamps)", () => {
  test("keeps increasing caller times, rounded to whole milliseconds", () => {
    const clock = new MonotonicClock(1000 / 30);
    assert.deepEqual([0, 33.333, 66.667, 100].map((t) => clock.next(t)), [0, 33, 67, 100]);
  });

  test("a repeated or backward time starts a new segment one frame later that keeps its spacing", () => {
    const clock = new MonotonicClock(1000 / 30);
    const times = [0, 33, 33, 66, 0, 33, 5000].map((t) => clock.next(t));
    assert.deepEqual(times, [0, 33, 66, 99, 132, 165, 5132]);
    for (let i = 1; i < times.length; i++) assert.ok(times[i]! > times[i - 1]!);
  });

  test("without caller times it advances one frame interval; the first timestamp is never negative", () => {
    const clock = new MonotonicClock(40);
    assert.deepEqual([undefined, undefined, 10, undefined].map((t) => clock.next(t)), [0, 40, 80, 120]);
    assert.equal(new MonotonicClock(40).next(-500), 0);
    const tiny = new MonotonicClock(0.2);
    assert.deepEqual([tiny.next(), tiny.next(), tiny.next()], [0, 1, 2]);
  });
});

function float32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setFloat32(0, value, true);
  return bytes;
}

function varintField(number: number, value: number): Uint8Array {
  const out = [number * 8];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return Uint8Array.from(out);
}

function fixed32Field(number: number, value: number): Uint8Array {
  return concatBytes([Uint8Array.of(number * 8 + 5), float32(value)]);
}

describe("face detections from the graph", () => {
  test("decodes a Detection with a packed score and a pixel bounding box, normalised by the frame size", () => {
    const box = concatBytes([varintField(1, 519), varintField(2, 146), varintField(3, 202), varintField(4, 202)]);
    const detection = concatBytes([
      stringField(1, "face"),
      lengthDelimitedField(3, float32(0.75)),
      lengthDelimitedField(4, concatBytes([varintField(1, 1), lengthDelimitedField(2, box)])),
    ]);
    const decoded = decodeFaceDetection(detection, 1280, 720);
    assert.equal(decoded.score, 0.75);
    assert.ok(decoded.box);
    assert.equal(decoded.box.xmin, 519 / 1280);
    assert.equal(decoded.box.ymin, 146 / 720);
    assert.equal(decoded.box.xmax, (519 + 202) / 1280);
    assert.equal(decoded.box.ymax, (146 + 202) / 720);
  });

  test("prefers a relative bounding box, and reads negative int32 coordinates", () => {
    const relative = concatBytes([fixed32Field(1, 0.25), fixed32Field(2, 0.5), fixed32Field(3, 0.125), fixed32Field(4, 0.25)]);
    const decoded = decodeFaceDetection(
      concatBytes([fixed32Field(3, 0.5), lengthDelimitedField(4, lengthDelimitedField(3, relative))]), 100, 100,
    );
    assert.deepEqual(decoded, { score: 0.5, box: { xmin: 0.25, ymin: 0.5, xmax: 0.375, ymax: 0.75 } });
    // -10 as an int32 varint: ten bytes of 64-bit two's complement.
    const minusTen = Uint8Array.of(0x08, 0xf6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
    const pixel = concatBytes([minusTen, varintField(2, 0), varintField(3, 20), varintField(4, 20)]);
    const clipped = decodeFaceDetection(lengthDelimitedField(4, lengthDelimitedField(2, pixel)), 100, 100);
    assert.deepEqual(clipped.box, { xmin: -0.1, ymin: 0, xmax: 0.1, ymax: 0.2 });
  });

  test("adds a DETECTIONS output to the FaceLandmarkerGraph node only, keeping every other byte", () => {
    const other = lengthDelimitedField(1, concatBytes([stringField(2, "PassThroughCalculator"), stringField(3, "a"), stringField(4, "b")]));
    const landmarkerNode = concatBytes([
      stringField(2, "mediapipe.tasks.vision.face_landmarker.FaceLandmarkerGraph"),
      stringField(3, "IMAGE:image_in"),
      stringField(4, "NORM_LANDMARKS:face_landmarks"),
    ]);
    const config = concatBytes([stringField(10, "image_in"), other, lengthDelimitedField(1, landmarkerNode), stringField(15, "face_landmarks")]);
    const patched = withDetectionsOutput(config, "dets");
    assert.ok(patched);
    const fields = [...wireFields(patched)];
    assert.deepEqual(fields.map((f) => f.number), [10, 1, 1, 15, 15]);
    assert.deepEqual(fields[1]!.payload, other.subarray(2));
    const node = [...wireFields(fields[2]!.payload)].map((f) => [f.number, new TextDecoder().decode(f.payload)]);
    assert.deepEqual(node.at(-1), [4, "DETECTIONS:dets"]);
    assert.equal(node.length, 4);
    assert.equal(new TextDecoder().decode(fields[4]!.payload), "dets");
    assert.equal(withDetectionsOutput(concatBytes([stringField(10, "x"), other])), null);
  });

  test("scores faces by the detection whose box centre lies inside them, nearest first, each used once", () => {
    const left = { xmin: 0.1, ymin: 0.1, xmax: 0.4, ymax: 0.5 };
    const right = { xmin: 0.6, ymin: 0.1, xmax: 0.9, ymax: 0.5 };
    const detections = [
      { score: 0.9, box: { xmin: 0.62, ymin: 0.15, xmax: 0.88, ymax: 0.45 } },
      { score: 0.7, box: { xmin: 0.12, ymin: 0.15, xmax: 0.38, ymax: 0.45 } },
    ];
    assert.deepEqual(scoreFaces([left, right], detections, [], 0.5), [0.7, 0.9]);
    // Two faces over one detection: the nearer face takes it, the other falls back.
    const overlapping = { xmin: 0.15, ymin: 0.1, xmax: 0.45, ymax: 0.5 };
    assert.deepEqual(scoreFaces([overlapping, left], [detections[1]!], [], 0.5), [0.5, 0.7]);
  });

  test("a tracked face (no detection this frame) keeps the score of the face it continues", () => {
    const previous = [{ bounds: { xmin: 0.1, ymin: 0.1, xmax: 0.4, ymax: 0.5 }, score: 0.93 }];
    const moved = { xmin: 0.12, ymin: 0.1, xmax: 0.42, ymax: 0.5 };
    assert.deepEqual(scoreFaces([moved], [], previous, 0.5), [0.93]);
    const elsewhere = { xmin: 0.6, ymin: 0.1, xmax: 0.9, ymax: 0.5 };
    assert.deepEqual(scoreFaces([elsewhere], [], previous, 0.5), [0.5]);
    assert.deepEqual(scoreFaces([moved], [{ score: 0.8, box: null }], [], 0.5), [0.8]);
  });

  test("pointBounds spans a face's points", () => {
    assert.deepEqual(pointBounds([{ x: 0.5, y: 0.25 }, { x: 0.125, y: 0.75 }, { x: 0.25, y: 0.5 }]), {
      xmin: 0.125, ymin: 0.25, xmax: 0.5, ymax: 0.75,
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// The real thing: the project's model bundle in the pinned @mediapipe/tasks-vision

/** The project's model: LRNET_DATA_MODEL when set, else the cached or freshly built offline default. */
async function modelPath(): Promise<string> {
  const cache = process.env.LRNET_DATA_CACHE ?? join(repoRoot, ".cache", "models");
  const resolved = await resolveModel({ env: { ...process.env, LRNET_DATA_CACHE: cache } });
  return resolved.path;
}

/** Deterministic texture (gradients and noise): no face anywhere. */
function syntheticFrame(width: number, height: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  let seed = 12345;
  for (let i = 0; i < width * height; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const x = i % width;
    const y = Math.floor(i / width);
    rgba[i * 4] = (x * 255) / width;
    rgba[i * 4 + 1] = (y * 255) / height;
    rgba[i * 4 + 2] = seed >>> 24;
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}

async function decodeFrame(path: string, index: number): Promise<Frame> {
  for await (const frame of decodeFrames(path, { format: "rgba" })) {
    if (frame.index === index) return frame; // leaving the loop stops ffmpeg
  }
  throw new Error(`${path} has no frame ${index}`);
}

const FF_REAL_FRAME = 100;
let ffRealFrameOnce: Promise<Frame> | null = null;
/** Frame 100 of ff_real.mp4, decoded once per test file (copy before handing its buffer away). */
function ffRealFrame(): Promise<Frame> {
  ffRealFrameOnce ??= decodeFrame(join(lrnetFixtures!, "ff_real.mp4"), FF_REAL_FRAME);
  return ffRealFrameOnce;
}

/** ff_real_mp.csv row of that frame (its frame numbers count from 1): MediaPipe's own 68 points for it. */
function referencePoints(): { xs: number[]; ys: number[] } {
  const lines = readFileSync(join(lrnetFixtures!, "ff_real_mp.csv"), "utf8").split("\n");
  const row = lines.find((line) => line.startsWith(`${FF_REAL_FRAME + 1},`));
  assert.ok(row, "ff_real_mp.csv lacks the frame");
  const values = row.split(",").map(Number);
  return { xs: values.slice(5, 5 + 68), ys: values.slice(5 + 68, 5 + 136) };
}

const MESH = { noseTip: 1, rightEyeOuter: 33, leftEyeOuter: 263, forehead: 10, upperLip: 13, chin: 152 } as const;

/** One face on frame 100 of ff_real.mp4, where the reference CSV has it. */
function assertFfRealFace(faces: readonly Pick<FaceResult, "points" | "score">[], width: number, height: number): void {
  assert.equal(faces.length, 1);
  const { points, score } = faces[0]!;
  assert.equal(points.length, MESH_POINT_COUNT * 3);
  assert.ok(score > 0.5 && score <= 1, `score ${score}`);
  for (let i = 0; i < MESH_POINT_COUNT; i++) {
    const x = points[i * 3]!;
    const y = points[i * 3 + 1]!;
    assert.ok(x > 0 && x < width && y > 0 && y < height, `point ${i} (${x}, ${y}) outside the frame`);
    assert.ok(Number.isFinite(points[i * 3 + 2]!));
  }
  const x = (i: number) => points[i * 3]!;
  const y = (i: number) => points[i * 3 + 1]!;
  assert.ok(x(MESH.rightEyeOuter) < x(MESH.noseTip) && x(MESH.noseTip) < x(MESH.leftEyeOuter), "nose tip between the eyes");
  assert.ok(y(MESH.forehead) < y(MESH.noseTip) && y(MESH.noseTip) < y(MESH.upperLip) && y(MESH.upperLip) < y(MESH.chin));
  const eyeGap = x(MESH.leftEyeOuter) - x(MESH.rightEyeOuter);
  assert.ok(eyeGap > 60 && eyeGap < 250, `eye corners ${eyeGap} px apart`);

  // Against MediaPipe's own landmarks for this frame (ff_real_mp.csv, mapped to 68 points).
  const reference = referencePoints();
  const gaps = COMMON_MAPPING.points.map((p, i) =>
    Math.hypot(x(p.mesh[0]!) - reference.xs[i]!, y(p.mesh[0]!) - reference.ys[i]!),
  );
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  assert.ok(mean < 3, `mean distance to ff_real_mp.csv ${mean.toFixed(2)} px`);
  assert.ok(Math.max(...gaps) < 8, `max distance to ff_real_mp.csv ${Math.max(...gaps).toFixed(2)} px`);
}

describe("createFaceLandmarker on the main thread", () => {
  let model: string;
  let image: NodeFaceLandmarker;
  const log: string[] = [];
  const consoleLines: string[] = [];

  before(async () => {
    model = await modelPath();
    const { warn, error, log: info } = console;
    console.warn = console.error = console.log = (...args: unknown[]) => void consoleLines.push(args.join(" "));
    try {
      image = await createFaceLandmarker({ modelPath: model, mode: "image", onLog: (line) => log.push(line) });
      image.detect(syntheticFrame(64, 48), 64, 48);
    } finally {
      Object.assign(console, { warn, error, log: info });
    }
  });
  after(() => image?.close());

  test("a frame without a face gives zero faces", () => {
    assert.deepEqual(image.detect(syntheticFrame(320, 240), 320, 240), []);
  });

  test("the wasm module's log lines go to onLog, not to the console", () => {
    assert.ok(log.some((line) => /Graph successfully started running/.test(line)), log.join("\n"));
    assert.deepEqual(consoleLines, []);
  });

  test("a buffer of the wrong size is refused with a one-line error", () => {
    assert.throws(() => image.detect(new Uint8Array(100), 320, 240), (error: unknown) => {
      assert.ok(error instanceof MediaPipeError);
      assert.equal(error.message, "a 320×240 RGBA frame needs 307200 bytes, got 100");
      return true;
    });
  });

  test("frame 100 of ff_real.mp4: one face, 478 points in the frame, MediaPipe's layout", { skip: lrnetFixtures ? false : NO_FIXTURES }, async () => {
    const frame = await ffRealFrame();
    const copy = frame.data.slice();
    const faces = image.detect(frame.data, frame.width, frame.height);
    assert.deepEqual(frame.data, copy, "detect leaves the caller's buffer alone");
    assertFfRealFace(faces, frame.width, frame.height);
    // IMAGE mode is per frame: the same frame again gives the same points.
    assert.deepEqual(image.detect(frame.data, frame.width, frame.height), faces);
    // The pinned library made no WebGL call the CPU stand-in lacks.
    assert.deepEqual(unimplementedWebGlCalls(), []);
  });

  test("VIDEO mode survives repeated and backward timestamps (the landmarker owns the clock)", async () => {
    const video = await createFaceLandmarker({ modelPath: model, mode: "video" });
    try {
      const frame = lrnetFixtures
        ? await ffRealFrame()
        : { data: syntheticFrame(320, 240), width: 320, height: 240 };
      const expected = lrnetFixtures ? 1 : 0;
      for (const timestamp of [0, 33, 33, 10, 0, undefined]) {
        const faces = video.detect(frame.data, frame.width, frame.height, timestamp);
        assert.equal(faces.length, expected, `at caller time ${timestamp}`);
        if (expected) assert.ok(faces[0]!.score > 0.5);
      }
    } finally {
      video.close();
    }
  });

  test("close() is idempotent and detect() afterwards is a clear error", async () => {
    const short = await createFaceLandmarker({ modelPath: model, mode: "image" });
    short.close();
    short.close();
    assert.throws(() => short.detect(syntheticFrame(8, 8), 8, 8), /detect\(\) called on a closed face landmarker/);
  });

  test("the library's usage metrics never leave the machine", async () => {
    const requests: { host: string; status: number }[] = [];
    const shimmedFetch = globalThis.fetch;
    globalThis.fetch = async (input, init) => {
      const response = await shimmedFetch(input, init);
      requests.push({ host: new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url).host, status: response.status });
      return response;
    };
    try {
      const landmarker = await createFaceLandmarker({ modelPath: model, mode: "image" });
      landmarker.detect(syntheticFrame(64, 48), 64, 48);
      landmarker.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      globalThis.fetch = shimmedFetch;
    }
    // tasks-vision 1.1.0 flushes its metrics on close; if a new version stops, revisit node-globals.ts.
    assert.ok(requests.length >= 1, "no metrics request seen");
    assert.deepEqual(new Set(requests.map((r) => `${r.host} ${r.status}`)), new Set([`${MEDIAPIPE_METRICS_HOST} 403`]));
  });

  test("a missing model file is named in the error", async () => {
    await assert.rejects(createFaceLandmarker({ modelPath: "/nonexistent/face.task", mode: "image" }), (error: unknown) => {
      assert.ok(error instanceof MediaPipeError);
      assert.match(error.message, /^cannot read the face landmarker model \/nonexistent\/face\.task: ENOENT/);
      return true;
    });
  });

  test("bytes that are not a model bundle fail at create with one line, leaving no timer behind", async () => {
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
    const before = timers();
    await assert.rejects(createFaceLandmarker({ modelBytes: Uint8Array.of(1, 2, 3), mode: "image" }), (error: unknown) => {
      assert.ok(error instanceof MediaPipeError);
      assert.match(error.message, /^cannot start MediaPipe Face Landmarker with the model bytes given: .*zip/);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
    // The half-made task's 60 s metrics interval would otherwise keep Node alive for a minute.
    assert.equal(timers(), before);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Inside worker_threads

/** Runs in the worker (CommonJS eval code): create, detect each frame, close, report, then simply return. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  const { createFaceLandmarker } = await import(workerData.landmarkerUrl);
  const landmarker = await createFaceLandmarker({ modelPath: workerData.modelPath, mode: "image" });
  const results = workerData.frames.map((f) => landmarker.detect(new Uint8Array(f.data), f.width, f.height));
  landmarker.close();
  parentPort.postMessage({ results });
})().catch((error) => parentPort.postMessage({ error: String(error && error.stack || error) }));
`;

interface WorkerReport {
  results?: FaceResult[][];
  error?: string;
}

test("inside a worker thread: create, detect, close, and the worker exits by itself", { timeout: 60_000 }, async () => {
  const frames = [{ data: syntheticFrame(320, 240).buffer, width: 320, height: 240 }];
  if (lrnetFixtures) {
    const frame = await ffRealFrame();
    frames.push({ data: frame.data.slice().buffer, width: frame.width, height: frame.height });
  }
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      landmarkerUrl: new URL("../src/mediapipe-runtime/landmarker.js", import.meta.url).href,
      modelPath: await modelPath(),
      frames,
    },
    transferList: frames.map((f) => f.data as ArrayBuffer),
    stdout: true,
    stderr: true,
  });
  const output: string[] = [];
  worker.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  worker.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const exited = once(worker, "exit");
  const [report] = (await once(worker, "message")) as [WorkerReport];
  assert.equal(report.error, undefined, report.error);
  const [code] = (await exited) as [number];
  assert.equal(code, 0, "the worker ended on its own, with no handle left open");
  assert.deepEqual(output, [], "nothing printed by the worker");

  const results = report.results!;
  assert.deepEqual(results[0], []);
  if (lrnetFixtures) assertFfRealFace(results[1]!, 1280, 720);
  else assert.equal(results.length, 1, NO_FIXTURES);
});
