#!/usr/bin/env node
import { existsSync } from "node:fs";

const entry = new URL("../dist/src/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("lrnet-data: not built yet: run `npm run build` in the lrnet-data folder first\n");
  process.exit(1);
}
const { runCli } = await import(entry.href);
await runCli(process.argv.slice(2));
