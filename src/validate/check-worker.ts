/** Worker thread of validate: decodes and checks the data files it is sent (see file-checker.ts). */
import { parentPort } from "node:worker_threads";
import { checkDataFileBytes } from "./data-checks.js";
import type { CheckReply, CheckRequest } from "./file-checker.js";

const port = parentPort;
if (!port) throw new Error("check-worker.js runs as a worker thread of validate");
port.on("message", async (request: CheckRequest) => {
  let reply: CheckReply;
  try {
    reply = { id: request.id, result: await checkDataFileBytes(request.file, request.videos, request.bytes) };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
