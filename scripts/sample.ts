/**
 * `npm run sample`: a first run on a fresh machine. Generates a short textured clip and an OpenFace-style
 * CSV for it, then runs `lrnet-data calibrate` on them, so every stage (ffmpeg, CSV reader, guard,
 * LK + Kalman calibration, atomic output) runs once without any downloaded data.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../src/cli/main.js";
import { makeMovingTextureClip } from "../test/helpers/synthetic-video.js";
import { makeOpenFaceCsv, syntheticShape } from "../test/helpers/openface-csv.js";
import { repoRoot } from "../test/helpers/paths.js";

const dir = join(repoRoot, "sample");
mkdirSync(dir, { recursive: true });
const frames = 50;
const clip = await makeMovingTextureClip({
  width: 640,
  height: 360,
  frames,
  fps: 25,
  offsets: (i) => [Math.round(20 * Math.sin(i / 8)), Math.round(6 * Math.cos(i / 11))],
  codec: "h264",
  dir,
  name: "sample",
});
const rows = Array.from({ length: frames }, (_, i) => {
  const [dx, dy] = [20 * Math.sin(i / 8), 6 * Math.cos(i / 11)];
  // A face-sized ring of points that moves with the texture; the first two frames "fail" like a lost face.
  return i < 2 ? { frame: i + 1, success: false } : { frame: i + 1, shape: syntheticShape(320 + dx, 180 + dy, 140), confidence: 0.95 };
});
const csv = join(dir, "sample.csv");
writeFileSync(csv, makeOpenFaceCsv(rows));
const out = join(dir, "sample.txt");
console.log(`sample clip: ${clip.path} (${clip.width}x${clip.height}, ${frames} frames)\nlandmarks:   ${csv}`);
console.log(`running: lrnet-data calibrate --video ${clip.path} --openface ${csv} --out ${out}`);
process.exitCode = await main(["calibrate", "--video", clip.path, "--openface", csv, "--out", out]);
console.log(`calibrated landmarks written to ${out} (one line per frame, 136 values)`);
