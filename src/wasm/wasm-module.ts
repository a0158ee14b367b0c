import { existsSync, readFileSync } from "node:fs";

/**
 * Loading the project's own WebAssembly builds (assembly/*.ts, compiled by `npm run build` next to the module
 * that uses them) without the DOM typings that declare the WebAssembly API: only the slice used here is typed.
 */
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: object };
}

export type WasmModule = { readonly __brand?: "WebAssembly.Module" };

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/**
 * The compiled module at `path`, or null when it was not built: compiled on the first call, once per thread
 * (a few ms), and shared by every instance the thread makes.
 */
export function lazyWasmModule(path: string): () => WasmModule | null {
  let compiled: WasmModule | null | undefined;
  return () => {
    if (compiled === undefined) compiled = existsSync(path) ? new WebAssemblyApi.Module(readFileSync(path)) : null;
    return compiled;
  };
}

/** A fresh instance of `module` (its own linear memory), no imports; the caller types the exports it calls. */
export function instantiateWasm<Exports>(module: WasmModule): Exports {
  return new WebAssemblyApi.Instance(module, {}).exports as Exports;
}
