/**
 * `npm run sample`: the whole pipeline once, on a fresh machine, with nothing downloaded. Generates a small
 * folder of clips (two "real", two "fake": textured scenes with a moving face-sized set of landmarks) with an
 * OpenFace-style CSV each, then runs:
 *   lrnet-data build    → sample/dataset   (Parquet + manifest, two workers, validated at the end)
 *   lrnet-data export   → sample/lrnet-txt (LRNet's text files), sample/hf (a Hugging Face Hub folder: card,
 *                          Croissant, data files), sample/npy (one .npy array per video + index.csv)
 *   lrnet-data report   → sample/report.html
 * The clips have no real face, so the landmarks come from the CSVs; `lrnet-data extract --video X.mp4`
 * runs MediaPipe on any real face video.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../src/cli/main.js";
import { makeMovingTextureClip } from "../test/helpers/synthetic-video.js";
import { makeOpenFaceCsv, syntheticShape } from "../test/helpers/openface-csv.js";
import { repoRoot } from "../test/helpers/paths.js";

const dir = join(repoRoot, "sample");
rmSync(dir, { recursive: true, force: true });
const frames = 45;

for (const [label, index] of [["real", 0], ["real", 1], ["fake", 2], ["fake", 3]] as const) {
  const name = `clip${index}`;
  const videos = join(dir, "videos", label);
  mkdirSync(videos, { recursive: true });
  const amplitude = 12 + 4 * index;
  const motion = (i: number): [number, number] => [amplitude * Math.sin(i / 7 + index), 5 * Math.cos(i / 9)];
  await makeMovingTextureClip({
    width: 480,
    height: 360,
    frames,
    fps: 25,
    offsets: (i) => motion(i).map(Math.round) as [number, number],
    codec: "h264",
    seed: index + 1,
    dir: videos,
    name,
  });
  const rows = Array.from({ length: frames }, (_, i) => {
    const [dx, dy] = motion(i);
    // The first frame "fails" like a face not yet found; the rest follow the scene's motion.
    return i === 0 ? { frame: 1, success: false } : { frame: i + 1, shape: syntheticShape(240 + dx, 180 + dy, 130), confidence: 0.95 };
  });
  mkdirSync(join(dir, "openface", label), { recursive: true });
  writeFileSync(join(dir, "openface", label, `${name}.csv`), makeOpenFaceCsv(rows));
}

async function step(args: string[]): Promise<void> {
  console.log(`\n$ lrnet-data ${args.join(" ")}`);
  const code = await main(args);
  if (code !== 0) throw new Error(`lrnet-data ${args[0]} exited ${code}`);
}

const dataset = join(dir, "dataset");
await step(["build", "--layout", "folder", "--root", join(dir, "videos"), "--openface", join(dir, "openface"), "-o", dataset, "--workers", "2"]);
await step(["export", dataset, "--format", "lrnet", "-o", join(dir, "lrnet-txt")]);
await step(["export", dataset, "--format", "hf", "-o", join(dir, "hf"), "--name", "lrnet-data sample"]);
await step(["export", dataset, "--format", "npy", "-o", join(dir, "npy")]);
await step(["report", dataset, "-o", join(dir, "report.html")]);
console.log(`\nsample done: ${dataset}/manifest.json, ${join(dir, "lrnet-txt")}, ${join(dir, "hf")}, ${join(dir, "npy")}, ${join(dir, "report.html")}`);
