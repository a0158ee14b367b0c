import type { Readable } from "node:stream";

/**
 * Hands out a byte stream's chunks one at a time, on demand. The stream is paused whenever no one is waiting
 * for a chunk, so a slow consumer makes the writer block (the OS pipe fills) instead of growing memory; at
 * most one chunk is held here plus what the stream buffers up to its high-water mark. Unlike a Readable's
 * async iterator, chunks are never concatenated.
 */
export class PullReader {
  private readonly chunks: Buffer[] = [];
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly stream: Readable) {
    stream.on("data", (chunk: Buffer) => {
      this.chunks.push(chunk);
      stream.pause();
      this.notify();
    });
    stream.on("end", () => this.finish(null));
    stream.on("close", () => this.finish(null));
    stream.on("error", (error: Error) => this.finish(error));
    stream.pause();
  }

  /** The next chunk, or null at the end of the stream. */
  async next(): Promise<Buffer | null> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk) return chunk;
      if (this.failure) throw this.failure;
      if (this.ended) return null;
      const arrived = new Promise<void>((resolve) => (this.wake = resolve));
      this.stream.resume();
      await arrived;
    }
  }

  private finish(error: Error | null): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
