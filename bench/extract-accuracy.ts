/**
 * How close the MediaPipe extractor comes to LRNet's own extractor (FAN) on the FaceForensics++ fixtures,
 * after both are calibrated, and how LRNet's released classifier labels the result:
 *   npm run bench -- accuracy            (BENCH_MODES=image,video to compare detector modes,
 *                                         BENCH_MAPPINGS=common-v1,contour-v2 to choose mappings; default: all)
 * Needs ../shared/fixtures/lrnet and ../shared/tools. About a minute per clip and configuration on 2 cores.
 *
 * Measured (757 frames per clip; NME divides by the reference's eye-centre distance; score = the share of LRNet's
 * 30-frame blocks labelled fake, p = their mean fake probability; detect = ms per frame, noisy shared 2 cores):
 *   clip    mode  mapping     mean   NME    jaw    brows  nose   eyes   mouth  label score p      detect
 *   ff_real image common-v1   0.0526 0.0732 0.0884 0.0442 0.0416 0.0384 0.0398 real  0.04  0.098  14.5
 *   ff_fake image common-v1   0.0497 0.0688 0.0906 0.0391 0.0333 0.0340 0.0372 fake  1.00  0.860  26.9
 *   ff_real image contour-v2  0.0361 0.0502 0.0439 0.0303 0.0375 0.0333 0.0335 real  0.04  0.094  12.7
 *   ff_fake image contour-v2  0.0326 0.0451 0.0453 0.0240 0.0293 0.0280 0.0303 fake  0.96  0.886  12.7
 *   ff_real video common-v1   0.0557 0.0775 0.0911 0.0468 0.0493 0.0409 0.0418 real  0.00  0.064   7.4
 *   ff_fake video common-v1   0.0516 0.0714 0.0929 0.0424 0.0371 0.0343 0.0381 fake  1.00  0.856   8.9
 *   ff_real video contour-v2  0.0378 0.0526 0.0433 0.0316 0.0447 0.0349 0.0351 real  0.00  0.079   9.1
 *   ff_fake video contour-v2  0.0323 0.0446 0.0404 0.0250 0.0326 0.0290 0.0308 fake  1.00  0.913  12.0
 * LRNet's own files score real 0.12 and fake 1.00.
 */
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { formatLrnetLine, parseLrnetText } from "../src/export/lrnet-txt.js";
import { type FaceDetector, faceDetectorSource } from "../src/extract/mediapipe-source.js";
import { runVideoPipeline } from "../src/sources/video-pipeline.js";
import { createFaceLandmarker, type RunningMode } from "../src/mediapipe-runtime/landmarker.js";
import { resolveModel } from "../src/model-bundle/resolve-model.js";
import { IBUG_REGIONS, MESH_MAPPINGS, meshToIbug } from "../src/sources/mesh-to-ibug.js";
import { compareLandmarkRows } from "../src/metrics/landmark-distance.js";
import { probeVideo } from "../src/video/probe.js";
import { lrnetFixtures, sharedTools } from "../test/helpers/paths.js";
import { benchDir, table } from "./harness.js";

const run = promisify(execFile);

interface ScoreLine {
  file: string;
  label: string;
  score: number;
  meanProbability: number;
}

/** A detector that times each call of the one it wraps (the first call, which warms the graph up, apart). */
class TimedDetector implements FaceDetector {
  private totalMs = 0;
  private calls = 0;

  constructor(private readonly inner: FaceDetector) {}

  detect(rgba: Uint8Array, width: number, height: number, timestampMs?: number): ReturnType<FaceDetector["detect"]> {
    const started = performance.now();
    const faces = this.inner.detect(rgba, width, height, timestampMs);
    if (this.calls++ > 0) this.totalMs += performance.now() - started;
    return faces;
  }

  /** Mean milliseconds per frame after the first; NaN before two calls. */
  msPerFrame(): number {
    return this.calls < 2 ? Number.NaN : this.totalMs / (this.calls - 1);
  }
}

export async function benchAccuracy(): Promise<void> {
  if (!lrnetFixtures || !sharedTools) {
    console.log("accuracy: ../shared/fixtures/lrnet or ../shared/tools absent, skipped");
    return;
  }
  const modes = (process.env.BENCH_MODES ?? "image").split(",") as RunningMode[];
  const mappings = (process.env.BENCH_MAPPINGS ?? Object.keys(MESH_MAPPINGS).join(",")).split(",");
  const dir = benchDir("accuracy");
  const rows: string[][] = [];
  for (const mode of modes) {
    for (const mappingName of mappings) {
      const mapping = MESH_MAPPINGS[mappingName];
      if (!mapping) throw new Error(`unknown mapping ${mappingName}; known: ${Object.keys(MESH_MAPPINGS).join(", ")}`);
      for (const clip of ["ff_real", "ff_fake"]) {
        // A fresh landmarker per clip, as `extract` has: VIDEO mode would otherwise track from the previous clip.
        const landmarker = await createFaceLandmarker({ modelPath: (await resolveModel()).path, mode });
        try {
          const info = await probeVideo(join(lrnetFixtures, `${clip}.mp4`));
          const started = performance.now();
          const detector = new TimedDetector(landmarker);
          const toIbug = (points: Float64Array) => meshToIbug(points, mapping, 2);
          const outcome = await runVideoPipeline(info, faceDetectorSource(detector), { toIbug });
          if (outcome.kind === "no-face") throw new Error(`${clip}: no face`);
          const ours: Float64Array[] = [];
          const lines: string[] = [];
          for await (const f of outcome.frames) {
            if (!f.calibrated) continue;
            ours.push(f.calibrated);
            lines.push(formatLrnetLine(f.calibrated));
          }
          const seconds = (performance.now() - started) / 1000;
          const file = join(dir, `${clip}.${mode}.${mapping.version}.txt`);
          writeFileSync(file, lines.join("\n") + "\n");
          const referencePath = join(lrnetFixtures, `${clip}.lrnet.txt`);
          const reference = parseLrnetText(readFileSync(referencePath, "utf8"), referencePath);
          const d = compareLandmarkRows(ours, reference, IBUG_REGIONS);
          const { stdout } = await run(process.execPath, [join(sharedTools, "lrnet-score.mjs"), "--json", file]);
          const score = (JSON.parse(stdout) as ScoreLine[])[0]!;
          rows.push([
            clip,
            mode,
            mapping.version,
            d.mean.toFixed(4),
            d.nme.toFixed(4),
            ...Object.values(d.regions).map((v) => v.toFixed(4)),
            `${score.label} ${score.score.toFixed(2)}`,
            score.meanProbability.toFixed(3),
            detector.msPerFrame().toFixed(1),
            seconds.toFixed(0),
          ]);
        } finally {
          landmarker.close();
        }
      }
    }
  }
  console.log("\nextractor vs LRNet's own landmarks (same frame, same point, both calibrated; normalised units)");
  console.log(table(["clip", "mode", "mapping", "mean", "NME", ...Object.keys(IBUG_REGIONS), "lrnet-score", "p", "detect ms", "s"], rows));
}
