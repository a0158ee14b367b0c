import { LrnetDataError, oneLine } from "../errors.js";

/** Turning whatever a video's job threw into the one line its failure entry shows. */

/** An error whose message is already a one-line, user-facing description naming the file. */
export function isDescribedError(error: unknown): error is LrnetDataError {
  return error instanceof LrnetDataError;
}

/** One line: the message of a described error; `Name: message` (first line) for anything else. */
export function describeFailure(error: unknown): string {
  if (isDescribedError(error)) return oneLine(error.message);
  if (error instanceof Error) return oneLine(`${error.name}: ${error.message}`);
  // Emscripten modules (OpenCV) throw bare numbers (exception pointers).
  return oneLine(`non-Error thrown: ${String(error)}`);
}

/** WebAssembly.RuntimeError (the project compiles without the DOM typings that declare it). */
export const WasmRuntimeError = (globalThis as unknown as { WebAssembly: { RuntimeError: new (message?: string) => Error } }).WebAssembly
  .RuntimeError;

/**
 * A failure inside a WebAssembly module (Emscripten's abort(), a trap, running out of wasm memory): the module's
 * state is undefined afterwards, so the thread that holds it must not process another video.
 */
export function isWasmRuntimeFailure(error: unknown): boolean {
  if (error instanceof WasmRuntimeError) return true;
  const message = error instanceof Error ? error.message : "";
  return /\bAborted\(|RuntimeError|memory access out of bounds|Out of memory|unreachable executed/i.test(message);
}
