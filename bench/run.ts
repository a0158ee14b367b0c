/**
 * `npm run bench [-- NAME...]`: speed and memory figures. Timings are medians of BENCH_RUNS runs (default 3)
 * because the machine is shared and noisy. Nothing here is asserted by the test suite.
 */
import { benchBuild, benchCalibrateBatch } from "./build.js";
import { benchCalibrate } from "./calibrate.js";
import { benchDark } from "./dark.js";
import { benchDecodePts } from "./decode-pts.js";
import { benchAccuracy } from "./extract-accuracy.js";
import { benchDetectorAccuracy } from "./detector-accuracy.js";
import { benchLk } from "./lk.js";
import { benchSmallFaces } from "./small-faces.js";
import { benchExtractBaseline, benchExtractCpu } from "./extract-cost.js";
import { benchExtractSpeed } from "./extract-speed.js";
import { benchValidate } from "./validate.js";
import { benchVsLrnet, benchVsLrnetBatch } from "./vs-lrnet.js";
import { benchYuv } from "./yuv.js";

const SUITES: Record<string, () => Promise<void>> = {
  lrnet: benchVsLrnet,
  "lrnet-batch": benchVsLrnetBatch,
  calibrate: benchCalibrate,
  build: benchBuild,
  "calibrate-batch": benchCalibrateBatch,
  accuracy: benchAccuracy,
  detectors: benchDetectorAccuracy,
  lk: benchLk,
  extract: benchExtractSpeed,
  validate: benchValidate,
  "decode-pts": benchDecodePts,
  "small-faces": benchSmallFaces,
  "extract-cpu": benchExtractCpu,
  "extract-baseline": benchExtractBaseline,
  dark: benchDark,
  yuv: benchYuv,
};

const wanted = process.argv.slice(2);
for (const name of wanted.length ? wanted : Object.keys(SUITES)) {
  const suite = SUITES[name];
  if (!suite) throw new Error(`unknown bench "${name}"; known: ${Object.keys(SUITES).join(", ")}`);
  await suite();
}
