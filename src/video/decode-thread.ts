/**
 * A decoder thread of decodeFramesAhead (read-ahead.ts). It serves one decode at a time and stays for the
 * next: each job runs decodeFrames here, so that ffmpeg's pipe is drained while the thread that consumes the
 * frames is busy, and hands each frame over (transferred, not copied) as long as the consumer has granted
 * credit for it. When a job is over (ended, failed or stopped, and its ffmpeg gone) the thread says "idle".
 */
import { parentPort } from "node:worker_threads";
import { decodeFrames } from "./decode.js";
import type { ConsumerMessage, DecodeThreadMessage, DecodeThreadSetup } from "./read-ahead.js";

const port = parentPort!;

interface Job {
  id: number;
  credits: number;
  stopped: boolean;
  wake: (() => void) | null;
}

let current: Job | null = null;
/**
 * Buffers of frames the consumer has finished with, decoded into again, also by the next job when its frames
 * have the same size (fresh buffers cost page faults on every first write).
 */
let spare: ArrayBuffer[] = [];
const SPARE_KEPT = 8;

port.on("message", (message: ConsumerMessage) => {
  if (message.kind === "start") {
    void run(message.id, message.setup);
    return;
  }
  const job = current;
  // A credit or stop for a job that has already ended is stale.
  if (job === null || job.id !== message.id) return;
  if (message.kind === "credit") {
    job.credits++;
    if (message.buffer && spare.length < SPARE_KEPT) spare.push(message.buffer);
  } else job.stopped = true;
  job.wake?.();
  job.wake = null;
});

function post(message: DecodeThreadMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

async function run(id: number, setup: DecodeThreadSetup): Promise<void> {
  const { path, format, info, ahead, crop, timestamps, threads, planar } = setup;
  const job: Job = { id, credits: ahead, stopped: false, wake: null };
  current = job;
  try {
    const reuse = (bytes: number): Uint8Array | undefined => {
      // Buffers of another size (an earlier video's) are let go.
      if (spare.some((buffer) => buffer.byteLength !== bytes)) spare = spare.filter((buffer) => buffer.byteLength === bytes);
      const buffer = spare.pop();
      return buffer ? new Uint8Array(buffer) : undefined;
    };
    const options = {
      format, info, reuse,
      ...(crop ? { crop } : {}),
      ...(timestamps ? { timestamps } : {}),
      ...(threads === undefined ? {} : { threads }),
      ...(planar ? { planar } : {}),
    };
    for await (const frame of decodeFrames(path, options)) {
      while (job.credits === 0 && !job.stopped) await new Promise<void>((resolve) => (job.wake = resolve));
      if (job.stopped) break;
      job.credits--;
      post({ kind: "frame", id, frame }, [frame.data.buffer as ArrayBuffer]);
    }
    if (!job.stopped) post({ kind: "end", id });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    const fields = e as Error & { file?: string; reason?: string; lastGoodFrame?: number; expectedFrames?: number | null };
    post({
      kind: "error",
      id,
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
    // decodeFrames has waited for its ffmpeg to exit (also when stopped early): the thread is free again.
    current = null;
    post({ kind: "idle", id });
  }
}
