import { once } from "node:events";
import { AtomicTextFile } from "../io/atomic-text-file.js";

/** Where a command's text output goes: an atomically written file, or standard output for "-". */
export interface LineSink {
  writeLine(line: string): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export async function openLineSink(path: string): Promise<LineSink> {
  if (path === "-") return stdoutSink();
  return new AtomicTextFile(path);
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
