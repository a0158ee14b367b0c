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

function stdoutSink(): LineSink {
  return {
    async writeLine(line) {
      if (!process.stdout.write(line + "\n")) await once(process.stdout, "drain");
    },
    async commit() {},
    async abort() {},
  };
}
