import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { CanvasStandIn, CpuWebGL2Context, setWebGlReporter, unimplementedWebGlCalls } from "../src/mediapipe-runtime/webgl2-stand-in.js";
import { installNodeShims, MEDIAPIPE_METRICS_HOST } from "../src/mediapipe-runtime/node-globals.js";
import { prepareWasm } from "../src/mediapipe-runtime/wasm-loader.js";

const GL = CpuWebGL2Context as unknown as Record<string, number>;

function webgl2(canvas = new CanvasStandIn()): CpuWebGL2Context {
  const gl = canvas.getContext("webgl2");
  assert.ok(gl);
  return gl;
}

/** Collects what the stand-in reports while `body` runs. */
function capturingReports(body: () => void): string[] {
  const reports: string[] = [];
  const previous = setWebGlReporter((message) => reports.push(message));
  try {
    body();
  } finally {
    setWebGlReporter(previous);
  }
  return reports;
}

function pattern(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
}

test("installNodeShims defines the browser globals once and keeps them on a second call", () => {
  installNodeShims();
  const scope = globalThis as Record<string, unknown>;
  const first = { navigator: scope.navigator, self: scope.self, gl2: scope.WebGL2RenderingContext };
  installNodeShims();
  assert.equal((scope.navigator as { userAgent: string }).userAgent !== undefined, true);
  assert.equal(scope.self, globalThis);
  assert.equal(scope.WebGL2RenderingContext, CpuWebGL2Context);
  assert.equal(typeof scope.WebGLRenderingContext, "function");
  assert.deepEqual({ navigator: scope.navigator, self: scope.self, gl2: scope.WebGL2RenderingContext }, first);
});

test("the canvas stand-in hands out one WebGL2 context and nothing else", () => {
  const canvas = new CanvasStandIn(640, 480);
  const gl = webgl2(canvas);
  assert.equal(canvas.getContext("webgl2"), gl);
  assert.equal(canvas.getContext("webgl"), null);
  assert.equal(canvas.getContext("2d"), null);
  assert.equal(gl.canvas, canvas);
  assert.ok(gl instanceof CpuWebGL2Context);
  assert.equal(GL.RGBA, 0x1908);
  assert.equal((gl as unknown as Record<string, number>).TEXTURE_2D, 0x0de1);
});

test("texImage2D from an ImageData-like source then readPixels round-trips the bytes", () => {
  const canvas = new CanvasStandIn();
  const gl = webgl2(canvas);
  const width = 5;
  const height = 3;
  const frame = { data: pattern(width * height * 4, 7), width, height };
  const texture = gl.createTexture();
  gl.activeTexture(GL.TEXTURE0! + 2);
  gl.bindTexture(GL.TEXTURE_2D!, texture);
  gl.texImage2D(GL.TEXTURE_2D!, 0, GL.RGBA!, GL.RGBA!, GL.UNSIGNED_BYTE!, frame);

  const framebuffer = gl.createFramebuffer();
  gl.bindFramebuffer(GL.FRAMEBUFFER!, framebuffer);
  gl.framebufferTexture2D(GL.FRAMEBUFFER!, GL.COLOR_ATTACHMENT0!, GL.TEXTURE_2D!, texture, 0);
  assert.equal(gl.checkFramebufferStatus(GL.FRAMEBUFFER!), GL.FRAMEBUFFER_COMPLETE);

  const whole = new Uint8Array(width * height * 4);
  gl.readPixels(0, 0, width, height, GL.RGBA!, GL.UNSIGNED_BYTE!, whole);
  assert.deepEqual(whole, pattern(width * height * 4, 7));

  // A sub-rectangle, written at an element offset the way emscripten passes its heap.
  const heap = new Uint8Array(64);
  gl.readPixels(1, 1, 2, 2, GL.RGBA!, GL.UNSIGNED_BYTE!, heap, 8);
  const expected = pattern(width * height * 4, 7);
  const row1 = expected.subarray((1 * width + 1) * 4, (1 * width + 3) * 4);
  const row2 = expected.subarray((2 * width + 1) * 4, (2 * width + 3) * 4);
  assert.deepEqual(heap.subarray(8, 24), Uint8Array.from([...row1, ...row2]));
  assert.equal(gl.getError(), GL.NO_ERROR);

  // The frame was read in place (no copy); once the detect() call returns, the stand-in lets go of it and the
  // caller may reuse it: a later read is reported, never someone else's bytes.
  canvas.releaseBorrowedImages();
  frame.data.fill(0);
  const after = new Uint8Array(width * height * 4).fill(9);
  const reports = capturingReports(() => gl.readPixels(0, 0, width, height, GL.RGBA!, GL.UNSIGNED_BYTE!, after));
  assert.equal(gl.getError(), GL.INVALID_OPERATION);
  assert.ok(after.every((v) => v === 9));
  assert.ok(reports.length <= 1 && reports.every((r) => /after the detect\(\) call/.test(r)), reports.join("; "));
});

test("an update of an uploaded frame never writes into the caller's frame", () => {
  const gl = webgl2();
  const frame = { data: pattern(4 * 2 * 4, 3), width: 4, height: 2 };
  const texture = gl.createTexture();
  gl.bindTexture(GL.TEXTURE_2D!, texture);
  gl.texImage2D(GL.TEXTURE_2D!, 0, GL.RGBA!, GL.RGBA!, GL.UNSIGNED_BYTE!, frame);
  gl.texSubImage2D(GL.TEXTURE_2D!, 0, 0, 0, 1, 1, GL.RGBA!, GL.UNSIGNED_BYTE!, Uint8Array.from([1, 2, 3, 4]));
  assert.deepEqual(frame.data, pattern(4 * 2 * 4, 3));
  assert.deepEqual(texture.data.subarray(0, 8), Uint8Array.from([1, 2, 3, 4, ...pattern(32, 3).subarray(4, 8)]));
});

test("the 9- and 10-argument texImage2D forms honour UNPACK_ALIGNMENT and heap offsets; readPixels pads to PACK_ALIGNMENT", () => {
  const gl = webgl2();
  const texture = gl.createTexture();
  gl.bindTexture(GL.TEXTURE_2D!, texture);
  // 3 × 2 single-channel bytes: rows of 3 bytes padded to 4 by the default UNPACK_ALIGNMENT.
  const padded = Uint8Array.from([1, 2, 3, 99, 4, 5, 6, 99]);
  gl.texImage2D(GL.TEXTURE_2D!, 0, GL.R8!, 3, 2, 0, GL.RED!, GL.UNSIGNED_BYTE!, padded);
  const framebuffer = gl.createFramebuffer();
  gl.bindFramebuffer(GL.READ_FRAMEBUFFER!, framebuffer);
  gl.framebufferTexture2D(GL.READ_FRAMEBUFFER!, GL.COLOR_ATTACHMENT0!, GL.TEXTURE_2D!, texture, 0);
  const out = new Uint8Array(8).fill(0xee);
  gl.readPixels(0, 0, 3, 2, GL.RED!, GL.UNSIGNED_BYTE!, out);
  assert.deepEqual(out, Uint8Array.from([1, 2, 3, 0xee, 4, 5, 6, 0xee]));

  gl.pixelStorei(GL.UNPACK_ALIGNMENT!, 1);
  const heap = new Uint8Array(32);
  heap.set([10, 11, 12, 13, 14, 15], 20);
  gl.texImage2D(GL.TEXTURE_2D!, 0, GL.R8!, 3, 2, 0, GL.RED!, GL.UNSIGNED_BYTE!, heap, 20);
  gl.pixelStorei(GL.PACK_ALIGNMENT!, 1);
  const tight = new Uint8Array(6);
  gl.readPixels(0, 0, 3, 2, GL.RED!, GL.UNSIGNED_BYTE!, tight);
  assert.deepEqual(tight, Uint8Array.from([10, 11, 12, 13, 14, 15]));
});

test("float textures keep their bytes, and texStorage2D allocates zeroed storage", () => {
  const gl = webgl2();
  const texture = gl.createTexture();
  gl.bindTexture(GL.TEXTURE_2D!, texture);
  gl.texStorage2D(GL.TEXTURE_2D!, 1, GL.RGBA32F!, 2, 1);
  const framebuffer = gl.createFramebuffer();
  gl.bindFramebuffer(GL.FRAMEBUFFER!, framebuffer);
  gl.framebufferTexture2D(GL.FRAMEBUFFER!, GL.COLOR_ATTACHMENT0!, GL.TEXTURE_2D!, texture, 0);
  const zeros = new Float32Array(8).fill(-1);
  gl.readPixels(0, 0, 2, 1, GL.RGBA!, GL.FLOAT!, zeros);
  assert.deepEqual([...zeros], [0, 0, 0, 0, 0, 0, 0, 0]);

  const values = Float32Array.from([0.5, -1.25, 3, 1e-3, 7, 8, 9, 10]);
  gl.texImage2D(GL.TEXTURE_2D!, 0, GL.RGBA32F!, 2, 1, 0, GL.RGBA!, GL.FLOAT!, values);
  const back = new Float32Array(8);
  gl.readPixels(0, 0, 2, 1, GL.RGBA!, GL.FLOAT!, back);
  assert.deepEqual(back, values);
});

test("framebuffer bindings: FRAMEBUFFER sets read and draw, READ_FRAMEBUFFER only read, null unbinds", () => {
  const gl = webgl2();
  const a = gl.createFramebuffer();
  const b = gl.createFramebuffer();
  gl.bindFramebuffer(GL.FRAMEBUFFER!, a);
  assert.equal(gl.getParameter(GL.FRAMEBUFFER_BINDING!), a);
  assert.equal(gl.getParameter(GL.READ_FRAMEBUFFER_BINDING!), a);
  gl.bindFramebuffer(GL.READ_FRAMEBUFFER!, b);
  assert.equal(gl.getParameter(GL.FRAMEBUFFER_BINDING!), a);
  assert.equal(gl.getParameter(GL.READ_FRAMEBUFFER_BINDING!), b);

  // readPixels follows the read binding: attach different textures to a and b.
  const texture = (value: number) => {
    const t = gl.createTexture();
    gl.bindTexture(GL.TEXTURE_2D!, t);
    gl.texImage2D(GL.TEXTURE_2D!, 0, GL.RGBA!, GL.RGBA!, GL.UNSIGNED_BYTE!, {
      data: new Uint8Array(4).fill(value), width: 1, height: 1,
    });
    return t;
  };
  gl.bindFramebuffer(GL.FRAMEBUFFER!, a);
  gl.framebufferTexture2D(GL.FRAMEBUFFER!, GL.COLOR_ATTACHMENT0!, GL.TEXTURE_2D!, texture(11), 0);
  gl.bindFramebuffer(GL.FRAMEBUFFER!, b);
  gl.framebufferTexture2D(GL.FRAMEBUFFER!, GL.COLOR_ATTACHMENT0!, GL.TEXTURE_2D!, texture(22), 0);
  const pixel = new Uint8Array(4);
  gl.bindFramebuffer(GL.READ_FRAMEBUFFER!, a);
  gl.readPixels(0, 0, 1, 1, GL.RGBA!, GL.UNSIGNED_BYTE!, pixel);
  assert.equal(pixel[0], 11);
  gl.bindFramebuffer(GL.READ_FRAMEBUFFER!, b);
  gl.readPixels(0, 0, 1, 1, GL.RGBA!, GL.UNSIGNED_BYTE!, pixel);
  assert.equal(pixel[0], 22);

  gl.bindFramebuffer(GL.FRAMEBUFFER!, null);
  assert.equal(gl.getParameter(GL.FRAMEBUFFER_BINDING!), null);
  const reports = capturingReports(() => {
    gl.readPixels(0, 0, 1, 1, GL.RGBA!, GL.UNSIGNED_BYTE!, pixel);
    assert.equal(gl.getError(), GL.INVALID_OPERATION);
    assert.equal(gl.getError(), GL.NO_ERROR);
    gl.readPixels(0, 0, 1, 1, GL.RGBA!, GL.UNSIGNED_BYTE!, pixel);
  });
  assert.equal(reports.length, 1, reports.join("\n"));
  assert.ok(unimplementedWebGlCalls().includes("readPixels from the default framebuffer"));
});

test("fences are always signalled", () => {
  const gl = webgl2();
  const sync = gl.fenceSync(GL.SYNC_GPU_COMMANDS_COMPLETE!, 0);
  assert.equal(gl.clientWaitSync(sync, 0, 0), GL.ALREADY_SIGNALED);
  assert.equal(gl.getSyncParameter(sync, GL.SYNC_STATUS!), GL.SIGNALED);
  gl.deleteSync(sync);
});

test("unimplemented calls, parameters and enums are reported once each instead of failing silently", () => {
  const gl = webgl2() as unknown as Record<string, unknown> & CpuWebGL2Context;
  const reports = capturingReports(() => {
    assert.equal((gl.drawArrays as (...args: number[]) => unknown)(4, 0, 3), null);
    (gl.drawArrays as (...args: number[]) => unknown)(4, 0, 3);
    assert.equal((gl.createShader as (type: number) => unknown)(0x8b31), null);
    assert.equal(gl.getParameter(0x1234), null);
    assert.equal(gl.ELEMENT_ARRAY_BUFFER, undefined);
    assert.equal(gl.ELEMENT_ARRAY_BUFFER, undefined);
  });
  assert.equal(reports.length, 4, reports.join("\n"));
  assert.match(reports[0]!, /does not implement drawArrays\(\)/);
  assert.match(reports[1]!, /createShader\(\)/);
  assert.match(reports[2]!, /getParameter\(0x1234\)/);
  assert.match(reports[3]!, /the enum ELEMENT_ARRAY_BUFFER/);
  for (const what of ["drawArrays()", "createShader()", "getParameter(0x1234)", "the enum ELEMENT_ARRAY_BUFFER"]) {
    assert.ok(unimplementedWebGlCalls().includes(what), what);
  }
  // Properties emscripten stores on the context (lower case) are not enums and stay quiet.
  const quiet = capturingReports(() => assert.equal(gl.currentPixelPackBufferBinding, undefined));
  assert.deepEqual(quiet, []);
});

test("prepareWasm finds the loader and binary inside the pinned package", async () => {
  const fileset = await prepareWasm();
  assert.equal(fileset.wasmLoaderPath, "");
  assert.match(fileset.wasmBinaryPath, /@mediapipe\/tasks-vision\/wasm\/vision_wasm_module_internal\.wasm$/);
  assert.ok(existsSync(fileset.wasmBinaryPath));
  assert.equal(typeof (globalThis as Record<string, unknown>).ModuleFactory, "function");
});

test("MediaPipe's metrics requests are answered locally with 403; other fetches pass through", async () => {
  installNodeShims();
  const metrics = await fetch(`https://${MEDIAPIPE_METRICS_HOST}/v1/log`, { method: "POST", body: "x" });
  assert.equal(metrics.status, 403);
  const other = await fetch("data:text/plain,passed%20through");
  assert.equal(await other.text(), "passed through");
});
