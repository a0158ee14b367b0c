import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { fsyncDirectory, tempPathFor } from "./durable-fs.js";
import { writeError } from "./write-error.js";

const WRITE_CHUNK = 1 << 16;

/**
 * A text file written line by line under a temporary name beside its destination, then fsynced and renamed
 * over it by `commit()`. `abort()` (or a crash) leaves the destination untouched: never a partial file.
 */
export class AtomicTextFile {
  private readonly tempPath: string;
  private readonly stream: WriteStream;
  private failure: Error | null = null;
  private pending = "";

  constructor(readonly path: string) {
    this.tempPath = tempPathFor(path);
    this.stream = createWriteStream(this.tempPath, { flags: "wx" });
    this.stream.on("error", (err) => {
      this.failure = writeError(path, err);
    });
  }

  /** Lines are gathered into writes of about 64 KiB: one write per line costs more than the formatting. */
  async writeLine(line: string): Promise<void> {
    if (this.failure) throw this.failure;
    this.pending += line + "\n";
    if (this.pending.length >= WRITE_CHUNK) await this.flush();
  }

  private async flush(): Promise<void> {
    const chunk = this.pending;
    this.pending = "";
    if (chunk !== "" && !this.stream.write(chunk)) await once(this.stream, "drain");
  }

  async commit(): Promise<void> {
    await this.prepare();
    await this.publish();
  }

  /** Everything but the rename: the lines are on disk under the temporary name (a caller may write a companion file, then publish). */
  async prepare(): Promise<void> {
    try {
      await this.flush();
      if (this.failure) throw this.failure;
      this.stream.end();
      await Promise.race([once(this.stream, "finish"), once(this.stream, "close")]);
      if (this.failure) throw this.failure;
      const handle = await open(this.tempPath, "r");
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw writeError(this.path, this.failure ?? error);
    }
  }

  /** Renames the prepared file over its destination. */
  async publish(): Promise<void> {
    await rename(this.tempPath, this.path).catch((error: unknown) => {
      throw writeError(this.path, error);
    });
    await fsyncDirectory(dirname(this.path));
  }

  async abort(): Promise<void> {
    this.stream.destroy();
    await rm(this.tempPath, { force: true });
  }
}
