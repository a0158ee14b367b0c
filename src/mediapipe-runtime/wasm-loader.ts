/**
 * Loading MediaPipe's wasm module in Node: the ES-module loader imported once per thread, the module's output
 * routed to the landmarker that owns it (glog lines included), and the `create*` call armed with both.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { setFlagsFromString } from "node:v8";
import { installNodeShims } from "./node-globals.js";

/** The `@mediapipe/tasks-vision` package directory (its package.json is not exported, so resolve the entry). */
export function tasksVisionDirectory(): string {
  return dirname(createRequire(import.meta.url).resolve("@mediapipe/tasks-vision"));
}

/** What `createFromOptions` takes as its wasm fileset; the loader is imported here, not by the library. */
export interface WasmFileset {
  wasmLoaderPath: string;
  wasmBinaryPath: string;
}

/** Receives the wasm module's stdout / stderr lines (glog goes to stderr). */
export interface WasmOutput {
  print: (line: string) => void;
  printErr: (line: string) => void;
}

type ModuleFactory = (moduleArg: object) => Promise<object>;
let loaderFactory: Promise<ModuleFactory> | null = null;

/**
 * Most wasm output goes through the module's own print/printErr, but glog WARNING lines go through a
 * thread-global `custom_dbg` (console.warn by default). It is pointed at the output of the landmarker
 * that last entered the wasm code (see `routeDebugOutput`).
 */
let debugOutput: WasmOutput | null = null;

function routeGlobalDebugLines(): void {
  (globalThis as Record<string, unknown>).custom_dbg = (line: string) => debugOutput?.printErr(line);
}

/** Sends the thread-global debug lines to `output` until another landmarker claims them; cheap enough per frame. */
export function routeDebugOutput(output: WasmOutput): void {
  debugOutput = output;
}

function wasmPaths(): { loader: string; binary: string } {
  const wasmDirectory = join(tasksVisionDirectory(), "wasm");
  return {
    loader: join(wasmDirectory, "vision_wasm_module_internal.js"),
    binary: join(wasmDirectory, "vision_wasm_module_internal.wasm"),
  };
}

/**
 * V8 compiles a wasm function with its baseline compiler first and recompiles it optimised once it has run for
 * this "budget" (roughly bytes of code executed; V8's default is 1.8 million). MediaPipe's module is 13 MB: with
 * the default, a landmarker spends about a second of CPU in the first frames recompiling functions that run
 * only a little. Measured here over 1,000 frames (medians of 5): 11.0 s of CPU instead of 14.4 s, and the same
 * time per frame once warm (the fastest runs agree to 1 %). The hot kernels still reach the optimising
 * compiler within the first frames. Set once per process, before the first module is compiled; a budget
 * given on node's command line is kept.
 */
export const WASM_TIERING_BUDGET = 60_000_000;
let tieringSet = false;

function raiseWasmTieringBudget(): void {
  if (tieringSet) return;
  tieringSet = true;
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].some((arg) => arg.startsWith("--wasm-tiering-budget"));
  if (!given) setFlagsFromString(`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`);
}

/** Installs the shims and imports the ES-module wasm loader once per thread. */
export async function prepareWasm(): Promise<WasmFileset> {
  installNodeShims();
  raiseWasmTieringBudget();
  const { loader, binary } = wasmPaths();
  // The loader sets globalThis.custom_dbg when imported: route it afterwards.
  loaderFactory ??= import(pathToFileURL(loader).href).then((module: { default: ModuleFactory }) => {
    routeGlobalDebugLines();
    return module.default;
  });
  await loaderFactory;
  return { wasmLoaderPath: "", wasmBinaryPath: binary };
}

/**
 * Runs one `create*` call with the wasm loader armed. The library consumes `self.ModuleFactory` and
 * `self.Module` (the module's settings, here its output routing) synchronously at the start of `create*`
 * and clears them afterwards, so they are set immediately before the call: concurrent creates in one
 * thread cannot take each other's settings.
 */
export async function createWithWasm<T>(output: WasmOutput, create: () => Promise<T>): Promise<T> {
  await prepareWasm();
  const factory = await (loaderFactory as Promise<ModuleFactory>);
  const scope = globalThis as Record<string, unknown>;
  scope.ModuleFactory = factory;
  scope.Module = { print: output.print, printErr: output.printErr };
  routeDebugOutput(output);
  return create();
}
