/**
 * Preloaded into a measured run (`node --import dist/bench/startup-probe.js bin/lrnet-data.js …`): when the
 * process exits, writes to $LRNET_BENCH_PROBE_OUT the milliseconds from process start to the first decoded
 * frame (decode.ts's FIRST_FRAME_MARK), or null when no frame was decoded.
 */
import { writeFileSync } from "node:fs";
import { FIRST_FRAME_MARK } from "../src/video/decode.js";

const target = process.env.LRNET_BENCH_PROBE_OUT;
if (target) {
  process.on("exit", () => {
    const mark = performance.getEntriesByName(FIRST_FRAME_MARK, "mark")[0];
    writeFileSync(target, JSON.stringify({ firstFrameMs: mark ? mark.startTime : null }));
  });
}
