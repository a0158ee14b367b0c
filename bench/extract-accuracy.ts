/**
 * How close the MediaPipe extractor comes to LRNet's own extractor (FAN) on the FaceForensics++ fixtures,
 * after both are calibrated, and how LRNet's released classifier labels the result:
 *   npm run bench -- accuracy            (BENCH_MODES=image,video to compare detector modes)
 * Needs ../shared/fixtures/lrnet and ../shared/tools.
 */
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { loadOpenCv } from "../src/calibrate/opencv.js";
import { formatLrnetLine, parseLrnetText } from "../src/export/lrnet-txt.js";
import { extractVideo } from "../src/extract/extract-video.js";
import type { RunningMode } from "../src/extract/mediapipe/landmarker.js";
import { IBUG_REGIONS, MESH_MAPPINGS } from "../src/extract/mesh-to-ibug.js";
import { openDetector } from "../src/extract/open-detector.js";
import { MEDIAPIPE_GUARD } from "../src/extract/settings.js";
import { compareLandmarkRows } from "../src/metrics/landmark-distance.js";
import { probeVideo } from "../src/video/probe.js";
import { lrnetFixtures, sharedTools } from "../test/helpers/paths.js";
import { benchDir, table } from "./harness.js";

const run = promisify(execFile);

interface ScoreLine {
  file: string;
  label: string;
  score: number;
}

export async function benchAccuracy(): Promise<void> {
  if (!lrnetFixtures || !sharedTools) {
    console.log("accuracy: ../shared/fixtures/lrnet or ../shared/tools absent, skipped");
    return;
  }
  const modes = (process.env.BENCH_MODES ?? "image").split(",") as RunningMode[];
  const mappings = (process.env.BENCH_MAPPINGS ?? Object.keys(MESH_MAPPINGS).join(",")).split(",");
  const dir = benchDir("accuracy");
  const cv = await loadOpenCv();
  const rows: string[][] = [];
  for (const mode of modes) {
    const { landmarker } = await openDetector({ mode });
    try {
      for (const mappingName of mappings) {
        const mapping = MESH_MAPPINGS[mappingName];
        if (!mapping) throw new Error(`unknown mapping ${mappingName}`);
        for (const clip of ["ff_real", "ff_fake"]) {
          const info = await probeVideo(join(lrnetFixtures, `${clip}.mp4`));
          const started = performance.now();
          const outcome = await extractVideo(info, landmarker, cv, { mapping, guard: MEDIAPIPE_GUARD });
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
            seconds.toFixed(0),
          ]);
        }
      }
    } finally {
      landmarker.close();
    }
  }
  console.log("\nextractor vs LRNet's own landmarks (same frame, same point, both calibrated; normalised units)");
  console.log(table(["clip", "mode", "mapping", "mean", "NME", ...Object.keys(IBUG_REGIONS), "lrnet-score", "s"], rows));
}
