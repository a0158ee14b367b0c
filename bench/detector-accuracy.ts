/**
 * Per-region NME of each exercisable point map and of the example detector plugin, against the landmarks LRNet's
 * own extractor (FAN) produced for the FaceForensics++ fixtures, both calibrated (as `bench accuracy` measures):
 *   npm run bench -- detectors                 (BENCH_DETECTORS=maps,face-api; default both)
 * - maps: MediaPipe's 478-point meshes (IMAGE mode) saved as one (frames, 478, 2) .npy per clip, then imported
 *   with each MediaPipe map; ff_real_mp.csv's 68 points as .npy (68 identity, and 81 with 13 points appended);
 * - face-api: examples/face-api-detector (needs `npm ci` there), through the plugin seam.
 * The 98- and 106-point maps cannot be measured here: no detector of those layouts runs in Node from npm.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseLrnetText } from "../src/export/lrnet-txt.js";
import { compareLandmarkRows } from "../src/metrics/landmark-distance.js";
import { readOpenFaceCsv } from "../src/openface/parse-csv.js";
import { encodeNpy } from "../src/sources/import/npy.js";
import type { LandmarkSource } from "../src/sources/landmark-source.js";
import { IBUG_REGIONS } from "../src/sources/mesh-to-ibug.js";
import { openLandmarkSource, prepareSourceSpec, type SourceSpec } from "../src/sources/registry.js";
import { runVideoPipeline } from "../src/sources/video-pipeline.js";
import { decodeFrames } from "../src/video/decode.js";
import { probeVideo } from "../src/video/probe.js";
import type { VideoInfo } from "../src/video/types.js";
import { lrnetFixtures, repoRoot } from "../test/helpers/paths.js";
import { benchDir, table } from "./harness.js";

const CLIPS = ["ff_real", "ff_fake"] as const;

export async function benchDetectorAccuracy(): Promise<void> {
  if (!lrnetFixtures) {
    console.log("detectors: ../shared/fixtures/lrnet absent, skipped");
    return;
  }
  const wanted = (process.env.BENCH_DETECTORS ?? "maps,face-api").split(",");
  const dir = benchDir("detectors");
  const rows: string[][] = [];
  const measure = async (clip: string, label: string, map: string, spec: SourceSpec): Promise<void> => {
    const info = await probeVideo(join(lrnetFixtures!, `${clip}.mp4`));
    const source = await openLandmarkSource(await prepareSourceSpec(spec));
    try {
      const started = performance.now();
      const outcome = await runVideoPipeline(info, source);
      if (outcome.kind === "no-face") throw new Error(`${clip} ${label}: no face`);
      const ours: Float64Array[] = [];
      const detected = { n: 0 };
      for await (const f of outcome.frames) {
        if (f.status === "detected") detected.n++;
        if (f.calibrated) ours.push(f.calibrated);
      }
      const referencePath = join(lrnetFixtures!, `${clip}.lrnet.txt`);
      const d = compareLandmarkRows(ours, parseLrnetText(readFileSync(referencePath, "utf8"), referencePath), IBUG_REGIONS);
      rows.push([clip, label, map, d.mean.toFixed(4), d.nme.toFixed(4), ...Object.values(d.regionsNme).map((v) => v.toFixed(4)), `${detected.n}/${info.frameCount}`, ((performance.now() - started) / 1000).toFixed(0)]);
      console.log(rows[rows.length - 1]!.join("  "));
    } finally {
      await source.close();
    }
  };

  for (const clip of CLIPS) {
    if (wanted.includes("maps")) {
      const info = await probeVideo(join(lrnetFixtures, `${clip}.mp4`));
      const meshFile = join(dir, `${clip}.mediapipe478.npy`);
      if (!existsSync(meshFile)) writeFileSync(meshFile, await meshesAsNpy(info));
      for (const map of ["mediapipe-contour-v2", "mediapipe-common-v1"]) {
        await measure(clip, "mediapipe 478 (import)", map, { name: "import", path: meshFile, points: 478, map });
      }
      if (clip === "ff_real") {
        // ff_real_mp.csv: MediaPipe points already mapped to 68 with the common table (see its README).
        const table68 = await readOpenFaceCsv(join(lrnetFixtures, "ff_real_mp.csv"));
        const d68 = join(dir, "ff_real_mp68");
        const d81 = join(dir, "ff_real_mp81");
        mkdirSync(d68, { recursive: true });
        mkdirSync(d81, { recursive: true });
        for (const row of table68.rows) {
          writeFileSync(join(d68, `${row.frame - 1}.npy`), encodeNpy([68, 2], row.shape));
          const p81 = new Float64Array(162);
          p81.set(row.shape);
          for (let k = 0; k < 13; k++) p81.set([row.shape[34 + 2 * (k % 10)]!, row.shape[35 + 2 * (k % 10)]! - 40], 136 + 2 * k);
          writeFileSync(join(d81, `${row.frame - 1}.npy`), encodeNpy([81, 2], p81));
        }
        await measure(clip, "ff_real_mp.csv as npy", "ibug-68", { name: "import", path: d68, points: 68 });
        await measure(clip, "ff_real_mp.csv + 13 (81)", "dlib-81", { name: "import", path: d81, points: 81 });
      }
    }
    if (wanted.includes("face-api")) {
      const plugin = join(repoRoot, "examples", "face-api-detector", "detector.mjs");
      if (!existsSync(join(repoRoot, "examples", "face-api-detector", "node_modules"))) {
        console.log("face-api: examples/face-api-detector/node_modules absent (npm ci there), skipped");
      } else {
        const { pluginSpecFor } = await import("../src/sources/plugin/plugin-source.js");
        await measure(clip, "face-api plugin (68)", "ibug-68", pluginSpecFor(plugin));
      }
    }
  }
  console.log("\nper-region NME against LRNet's own landmarks (same frame, same point, both calibrated; over the eye-centre distance)");
  console.log(table(["clip", "source", "map", "mean", "NME", ...Object.keys(IBUG_REGIONS), "detected", "s"], rows));
}

/** MediaPipe's meshes of every frame (the largest face; NaN rows where none), as (frames, 478, 2) float32 .npy. */
async function meshesAsNpy(info: VideoInfo): Promise<Uint8Array> {
  const source: LandmarkSource = await openLandmarkSource(await prepareSourceSpec({ name: "mediapipe" }));
  try {
    const video = await source.open({ path: info.path, width: info.width, height: info.height, fps: info.fps, frameCount: info.frameCount });
    const values = new Float64Array(info.frameCount * 956).fill(Number.NaN);
    for await (const frame of decodeFrames(info.path, { format: "rgba", info })) {
      const faces = await video.detect(frame.index, frame);
      let best = -1;
      let bestWidth = -1;
      faces.forEach((face, k) => {
        let lo = Infinity;
        let hi = -Infinity;
        for (let p = 0; p < face.points.length; p += 2) {
          lo = Math.min(lo, face.points[p]!);
          hi = Math.max(hi, face.points[p]!);
        }
        if (hi - lo > bestWidth) {
          best = k;
          bestWidth = hi - lo;
        }
      });
      if (best >= 0) values.set(faces[best]!.points, frame.index * 956);
    }
    video.close?.();
    return encodeNpy([info.frameCount, 478, 2], values, { dtype: "<f4" });
  } finally {
    await source.close();
  }
}
