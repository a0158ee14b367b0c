/**
 * The decoder thread of decodeFramesAhead (read-ahead.ts): runs decodeFrames here, so that ffmpeg's pipe is
 * drained while the thread that consumes the frames is busy, and hands each frame over (transferred, not
 * copied) as long as the consumer has granted credit for it.
 */
import { parentPort, workerData } from "node:worker_threads";
import { decodeFrames } from "./decode.js";
import type { DecodeThreadMessage, DecodeThreadSetup, ConsumerMessage } from "./read-ahead.js";

const port = parentPort!;
const { path, format, info, ahead, crop, timestamps, threads, planar } = workerData as DecodeThreadSetup;
let credits = ahead;
let stopped = false;
let wake: (() => void) | null = null;
/** Buffers of frames the consumer has finished with, decoded into again. */
const returned: ArrayBuffer[] = [];
const onMessage = (message: ConsumerMessage): void => {
  if (message.kind === "credit") {
    credits++;
    if (message.buffer) returned.push(message.buffer);
  } else stopped = true;
  wake?.();
  wake = null;
};
port.on("message", onMessage);

function post(message: DecodeThreadMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

try {
  const reuse = (bytes: number): Uint8Array | undefined => {
    const buffer = returned.pop();
    return buffer && buffer.byteLength === bytes ? new Uint8Array(buffer) : undefined;
  };
  const options = {
    format, info, reuse,
    ...(crop ? { crop } : {}),
    ...(timestamps ? { timestamps } : {}),
    ...(threads === undefined ? {} : { threads }),
    ...(planar ? { planar } : {}),
  };
  for await (const frame of decodeFrames(path, options)) {
    while (credits === 0 && !stopped) await new Promise<void>((resolve) => (wake = resolve));
    if (stopped) break;
    credits--;
    post({ kind: "frame", frame }, [frame.data.buffer as ArrayBuffer]);
  }
  if (!stopped) post({ kind: "end" });
} catch (error) {
  const e = error instanceof Error ? error : new Error(String(error));
  const fields = e as Error & { file?: string; reason?: string; lastGoodFrame?: number; expectedFrames?: number | null };
  post({
    kind: "error",
    error: {
      name: e.name,
      message: e.message,
      ...(fields.file === undefined ? {} : { file: fields.file }),
      ...(fields.reason === undefined ? {} : { reason: fields.reason }),
      ...(fields.lastGoodFrame === undefined ? {} : { lastGoodFrame: fields.lastGoodFrame }),
      ...(fields.expectedFrames === undefined ? {} : { expectedFrames: fields.expectedFrames }),
    },
  });
} finally {
  // Without a listener the port no longer keeps the thread alive: it exits once ffmpeg is gone.
  port.off("message", onMessage);
}
