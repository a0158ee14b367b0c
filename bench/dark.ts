/**
 * Very dark and low-contrast video (`npm run bench -- dark`). Needs ../shared.
 *
 * 1. The fixture clips as they are (000_003, 000_003_big, ff_real, ff_fake): the least mean luma of the images
 *    the landmarker is given in a normal extraction (whole frames and crops around the followed face), how many
 *    of them --enhance auto would brighten, and whether the extraction with it is bit-identical.
 * 2. Darkened and low-contrast versions of the first BENCH_FRAMES frames (default 120) of 000_003 and ff_real, made
 *    with ffmpeg into bench/out/dark/: exposure scaled to a mean luma of about 60, 35, 20 and 12; the level 20
 *    with sensor-like noise and H.264 (CRF 23); shadows crushed by a curve; contrast 0.3 and 0.15. Per clip and
 *    level: mean luma, frames with a detected face, and the NME of the raw points against the unchanged clip's
 *    raw points (same frames), with --enhance off and auto, and the share of the detector's images brightened.
 * BENCH_DARK=fixtures or =levels runs one part only.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { DARK_FRAMES, DarkFrameDetector, type ImageDetector, darkWeight, lumaStats } from "../src/extract/dark-frames.js";
import type { FaceResult } from "../src/mediapipe-runtime/landmarker.js";
import { IBUG_REGIONS } from "../src/sources/mesh-to-ibug.js";
import { compareLandmarkRows } from "../src/metrics/landmark-distance.js";
import type { Shape } from "../src/shape/shape.js";
import { decodeFramesAhead } from "../src/video/read-ahead.js";
import { resolveFfmpeg } from "../src/video/ffmpeg.js";
import { probeVideo } from "../src/video/probe.js";
import { lrnetFixtures } from "../test/helpers/paths.js";
import { fixtureFaceClips, headOf } from "../test/helpers/placed-face.js";
import { detectedShare, type ExtractedRow, extractRows, openImageLandmarker } from "../test/helpers/run-extraction.js";
import { benchDir, table } from "./harness.js";

const run = promisify(execFile);

/** Passes every image on to the landmarker and keeps the luma statistics of each. */
class RecordingDetector implements ImageDetector {
  minMean = Infinity;
  images = 0;
  wouldBrighten = 0;
  constructor(private readonly detector: ImageDetector) {}
  detect(rgba: Uint8Array, width: number, height: number, timestampMs?: number): FaceResult[] {
    const stats = lumaStats(rgba, width, height);
    this.images++;
    this.minMean = Math.min(this.minMean, stats.mean);
    if (darkWeight(stats) > 0) this.wouldBrighten++;
    return this.detector.detect(rgba, width, height, timestampMs);
  }
}

function sameRows(a: readonly ExtractedRow[], b: readonly ExtractedRow[]): boolean {
  const same = (x: Float64Array | null, y: Float64Array | null): boolean => (x === null || y === null ? x === y : x.length === y.length && x.every((v, i) => Object.is(v, y[i])));
  return a.length === b.length && a.every((r, i) => r.status === b[i]!.status && same(r.raw, b[i]!.raw) && same(r.calibrated, b[i]!.calibrated));
}

function rawNme(rows: readonly ExtractedRow[], reference: readonly ExtractedRow[]): number {
  const a: Shape[] = [];
  const b: Shape[] = [];
  rows.forEach((r, i) => {
    const q = reference[i]?.raw;
    if (r.raw && q) {
      a.push(r.raw);
      b.push(q);
    }
  });
  return a.length ? compareLandmarkRows(a, b, IBUG_REGIONS).nme : Number.NaN;
}

/** Mean luma over every pixel of every frame (black included: this is how dark the clip looks). */
async function meanLuma(path: string): Promise<number> {
  const info = await probeVideo(path);
  let sum = 0;
  let frames = 0;
  for await (const f of decodeFramesAhead(path, { format: "rgba", info })) {
    sum += lumaStats(f.data, f.width, f.height, -1).mean;
    frames++;
  }
  return sum / frames;
}

interface Variant {
  level: string;
  filter: (clipMean: number) => string;
  /** Encoded as a camera would (noise, H.264) rather than losslessly. */
  lossy?: boolean;
}

const exposure = (target: number) => (clipMean: number) => {
  const k = Math.min(1, target / clipMean).toFixed(4);
  return `lutrgb=r=val*${k}:g=val*${k}:b=val*${k}`;
};

const VARIANTS: Variant[] = [
  { level: "exposure → 60", filter: exposure(60) },
  { level: "exposure → 35", filter: exposure(35) },
  { level: "exposure → 20", filter: exposure(20) },
  { level: "exposure → 12", filter: exposure(12) },
  { level: "exposure → 6", filter: exposure(6) },
  { level: "exposure → 20, noise, H.264", filter: (m) => `${exposure(20)(m)},noise=alls=8:allf=t`, lossy: true },
  { level: "exposure → 12, noise, H.264", filter: (m) => `${exposure(12)(m)},noise=alls=8:allf=t`, lossy: true },
  { level: "shadows crushed (curve)", filter: () => "curves=all='0/0 0.25/0.02 0.5/0.08 0.75/0.2 1/0.4'" },
  { level: "contrast 0.3", filter: () => "eq=contrast=0.3" },
  { level: "contrast 0.15", filter: () => "eq=contrast=0.15" },
  { level: "haze: RGB contrast 0.2", filter: () => "lutrgb=r=128+(val-128)*0.2:g=128+(val-128)*0.2:b=128+(val-128)*0.2" },
];

async function makeVariant(source: string, variant: Variant, clipMean: number, out: string): Promise<void> {
  const ffmpeg = await resolveFfmpeg();
  const codec = variant.lossy ? ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23"] : ["-c:v", "ffv1"];
  await run(ffmpeg.path, ["-loglevel", "error", "-y", "-i", source, "-vf", `${variant.filter(clipMean)},format=yuv420p`, ...codec, out], { maxBuffer: 16 << 20 });
}

export async function benchDark(): Promise<void> {
  const parts = (process.env.BENCH_DARK ?? "fixtures,levels").split(",");
  if (!lrnetFixtures) {
    console.log("dark: ../shared/fixtures/lrnet absent, skipped");
    return;
  }
  const dir = benchDir("dark");
  const frames = Number(process.env.BENCH_FRAMES ?? 120);
  const landmarker = await openImageLandmarker();
  try {
    const fixtures: string[][] = [];
    for (const name of parts.includes("fixtures") ? ["000_003", "000_003_big", "ff_real", "ff_fake"] : []) {
      const path = join(lrnetFixtures, `${name}.mp4`);
      const recorder = new RecordingDetector(landmarker);
      const plain = await extractRows(path, recorder, { darkFrames: false });
      const brightened = await extractRows(path, landmarker, { darkFrames: true });
      fixtures.push([
        name,
        String(plain.length),
        String(recorder.images),
        recorder.minMean.toFixed(1),
        String(recorder.wouldBrighten),
        sameRows(plain, brightened) ? "yes" : "NO",
      ]);
      console.error(fixtures[fixtures.length - 1]!.join(" "));
    }
    if (fixtures.length) console.log(`\nfixture clips, every frame: the images the landmarker gets (whole frames, crops around the face); brightened when their mean luma (pixels above ${DARK_FRAMES.blackLevel}) is below ${DARK_FRAMES.maxMeanLuma}`);
    if (fixtures.length) console.log(table(["clip", "frames", "images", "least mean luma", "would be brightened", "landmarks bit-identical, auto vs off"], fixtures));

    const grid: string[][] = [];
    const clips = await fixtureFaceClips();
    for (const clip of parts.includes("levels") ? clips : []) {
      const normal = await headOf(clip, frames, dir);
      const reference = await extractRows(normal, landmarker, { darkFrames: false });
      const clipMean = await meanLuma(normal);
      grid.push([clip.name, "unchanged", clipMean.toFixed(1), `${(detectedShare(reference) * 100).toFixed(1)} %`, "—", `${(detectedShare(reference) * 100).toFixed(1)} %`, "—", "—"]);
      for (const [v, variant] of VARIANTS.entries()) {
        const path = join(dir, `${clip.name}.${frames}f.v${v}.${variant.lossy ? "mp4" : "mkv"}`);
        await makeVariant(normal, variant, clipMean, path);
        const without = await extractRows(path, landmarker, { darkFrames: false });
        // The source's own composition (--enhance auto wraps the landmarker so), built here to count the images.
        const counter = new DarkFrameDetector(landmarker);
        const withGain = await extractRows(path, counter, { darkFrames: false });
        grid.push([
          clip.name,
          variant.level,
          (await meanLuma(path)).toFixed(1),
          `${(detectedShare(without) * 100).toFixed(1)} %`,
          rawNme(without, reference).toFixed(4),
          `${(detectedShare(withGain) * 100).toFixed(1)} %`,
          rawNme(withGain, reference).toFixed(4),
          `${((100 * counter.brightened) / Math.max(1, counter.images)).toFixed(0)} % of ${counter.images}`,
        ]);
        console.error(grid[grid.length - 1]!.join(" | "));
      }
    }
    if (grid.length) console.log(`\ndark and low-contrast clips (first ${frames} frames): detected share and raw NME against the unchanged clip, --enhance off / auto`);
    if (grid.length) console.log(table(["clip", "level", "mean luma", "detected (off)", "raw NME (off)", "detected (auto)", "raw NME (auto)", "images brightened"], grid));
  } finally {
    landmarker.close();
  }
}
