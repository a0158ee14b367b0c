/**
 * One measurement in its own process, so that its peak RSS is its own:
 *   node dist/bench/measure.js decode VIDEO
 *   node dist/bench/measure.js calibrate VIDEO CSV
 * Prints one JSON line: { seconds, frames, maxRssMB }.
 */
import { Writable } from "node:stream";
import { main } from "../src/cli/main.js";
import { decodeFrames } from "../src/video/decode.js";
import { probeVideo } from "../src/video/probe.js";

const [kind, video, csv] = process.argv.slice(2);
if (!kind || !video) throw new Error("usage: measure.js decode|calibrate VIDEO [CSV]");

const info = await probeVideo(video);
const started = performance.now();
if (kind === "decode") {
  let frames = 0;
  for await (const _ of decodeFrames(video, { format: "bgr24", info })) frames++;
  if (frames !== info.frameCount) throw new Error(`decoded ${frames} of ${info.frameCount} frames`);
} else if (kind === "calibrate") {
  if (!csv) throw new Error("calibrate needs a CSV");
  // The calibrated lines go to a sink that drops them: only the work is measured.
  const sink = new Writable({ write: (_chunk, _enc, done) => done() });
  process.stdout.write = sink.write.bind(sink) as typeof process.stdout.write;
  const code = await main(["calibrate", "--video", video, "--openface", csv, "--out", "-"]);
  if (code !== 0) throw new Error(`calibrate exited ${code}`);
} else {
  throw new Error(`unknown measurement ${kind}`);
}
const seconds = (performance.now() - started) / 1000;
process.stderr.write(JSON.stringify({ seconds, frames: info.frameCount, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + "\n");
