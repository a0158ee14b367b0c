import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { fsyncDirectory, tempPathFor } from "./durable-fs.js";

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
      this.failure = err;
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
    await this.flush();
    this.stream.end();
    await once(this.stream, "finish");
    if (this.failure) throw this.failure;
    const handle = await open(this.tempPath, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(this.tempPath, this.path);
    await fsyncDirectory(dirname(this.path));
  }

  async abort(): Promise<void> {
    this.stream.destroy();
    await rm(this.tempPath, { force: true });
  }
}
