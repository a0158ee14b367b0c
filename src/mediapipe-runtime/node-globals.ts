/**
 * The browser globals `@mediapipe/tasks-vision` (a browser-only library) expects, defined in plain Node (main
 * thread or worker): `navigator`, `self`, the WebGL context classes; and its usage metrics kept on the machine.
 */
import { CpuWebGL2Context } from "./webgl2-stand-in.js";

/** Never instantiated: emscripten's `instanceof WebGLRenderingContext` check only needs it to exist. */
class WebGL1Absent {}

let installed = false;

/**
 * tasks-vision POSTs usage metrics (task, running mode, timings) to this host every 60 s and on close,
 * with the global `fetch`, which Node has (its README: "MediaPipe Tasks APIs send metrics ... to Google").
 * A command-line data tool must not do that without its user's consent, and offline the attempt can hold
 * the process open: those requests are answered here, locally, with 403, which also makes the library
 * stop its metrics timer. Every other request goes to the real `fetch`.
 */
export const MEDIAPIPE_METRICS_HOST = "odml.pa.googleapis.com";

function requestHost(input: unknown): string | null {
  try {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : (input as { url?: unknown }).url;
    return typeof url === "string" ? new URL(url).hostname : null;
  } catch {
    return null;
  }
}

function keepMetricsLocal(): void {
  const realFetch = globalThis.fetch;
  if (typeof realFetch !== "function") return;
  globalThis.fetch = function fetchExceptMediaPipeMetrics(input, init) {
    if (requestHost(input) === MEDIAPIPE_METRICS_HOST) {
      return Promise.resolve(new Response(null, { status: 403, statusText: "not sent by lrnet-data" }));
    }
    return realFetch(input, init);
  };
}

/**
 * Defines `navigator`, `self`, `WebGL2RenderingContext` and `WebGLRenderingContext` where missing, and
 * keeps MediaPipe's metrics on the machine (see MEDIAPIPE_METRICS_HOST). Idempotent, once per thread.
 */
export function installNodeShims(): void {
  if (installed) return;
  installed = true;
  keepMetricsLocal();
  const scope = globalThis as Record<string, unknown>;
  if (scope.navigator === undefined) {
    Object.defineProperty(globalThis, "navigator", { value: { userAgent: "node" }, configurable: true, writable: true });
  }
  scope.self ??= globalThis;
  scope.WebGL2RenderingContext ??= CpuWebGL2Context;
  scope.WebGLRenderingContext ??= WebGL1Absent;
}
