import { once } from "node:events";
import { rm } from "node:fs/promises";
import { AtomicTextFile } from "../io/atomic-text-file.js";
import { writeFileDurably } from "../io/durable-fs.js";
import type { CompanionFile } from "./run-record.js";

/** Where a command's text output goes: an atomically written file, or standard output for "-". */
export interface LineSink {
  writeLine(line: string): Promise<void>;
  /**
   * Makes the output final. With a companion (the `.json` run record), both files are published or neither:
   * the lines are synced under their temporary name, the companion is written, then the lines are renamed
   * into place; a failure at any step removes what this run wrote.
   */
  commit(companion?: CompanionFile): Promise<void>;
  abort(): Promise<void>;
}

export async function openLineSink(path: string): Promise<LineSink> {
  if (path === "-") return stdoutSink();
  return fileSink(new AtomicTextFile(path));
}

function fileSink(file: AtomicTextFile): LineSink {
  return {
    writeLine: (line) => file.writeLine(line),
    abort: () => file.abort(),
    async commit(companion) {
      try {
        await file.prepare();
        if (companion) await writeFileDurably(companion.path, companion.text);
      } catch (error) {
        await file.abort();
        throw error;
      }
      try {
        await file.publish();
      } catch (error) {
        await file.abort();
        if (companion) await rm(companion.path, { force: true }).catch(() => undefined);
        throw error;
      }
    },
  };
}

/** Standard output, in writes of about 64 KiB like the file sink. */
function stdoutSink(): LineSink {
  let pending = "";
  const flush = async (): Promise<void> => {
    const chunk = pending;
    pending = "";
    if (chunk !== "" && !process.stdout.write(chunk)) await once(process.stdout, "drain");
  };
  return {
    async writeLine(line) {
      pending += line + "\n";
      if (pending.length >= 1 << 16) await flush();
    },
    commit: flush,
    async abort() {
      await flush();
    },
  };
}
