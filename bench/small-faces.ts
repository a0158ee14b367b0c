/**
 * Faces anywhere in the frame (`npm run bench -- small-faces`). Needs ../shared.
 *
 * 1. The grid: the faces of 000_003 and ff_real scaled to 5, 8, 12 and 20 % of a 1920×1080 and a 1280×720 frame,
 *    padded at the centre and at the bottom-right corner (FFV1, lossless). Per case: frames whose face was
 *    detected, and NME against the unpadded clip (both extracted the same way) of the raw points (mapped back
 *    into the unpadded clip) and of the calibrated landmarks; "calibration only" calibrates the unpadded
 *    clip's own raw points, moved into the padded frame, so it shows what LRNet's calibration alone changes,
 *    with the exact output box (the default for detectors) and with LRNet's whole-pixel box (output-box.ts).
 * 2. Two faces side by side (hstack at 1280×360 and 2560×720): frames with a face, and whether it is one person.
 * 3. No regression, in the same run: ff_real / ff_fake against LRNet's own landmarks with the face finder and
 *    with whole frames as before (NME, LRNet's label), and 720p extraction time of ff_real (median of BENCH_RUNS).
 * BENCH_FRAMES frames per clip (default: all).
 */
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { formatLrnetLine, parseLrnetText } from "../src/export/lrnet-txt.js";
import type { OutputBox } from "../src/calibrate/output-box.js";
import { calibrateDetections } from "../src/sources/video-pipeline.js";
import { IBUG_REGIONS } from "../src/sources/mesh-to-ibug.js";
import { MEDIAPIPE_GUARD } from "../src/extract/settings.js";
import { guardSequence } from "../src/guard/guard.js";
import { compareLandmarkRows } from "../src/metrics/landmark-distance.js";
import { shapeCentroid, type Shape } from "../src/shape/shape.js";
import { probeVideo } from "../src/video/probe.js";
import { lrnetFixtures, sharedTools } from "../test/helpers/paths.js";
import { type FaceClip, fixtureFaceClips, headOf, placeFace, placementOf, type PlacedFace, sideBySide, sideBySideHalfWidth } from "../test/helpers/placed-face.js";
import { detectedShare, type ExtractedRow, extractRows, openImageLandmarker, pairedCalibrated } from "../test/helpers/run-extraction.js";
import { benchDir, median, table } from "./harness.js";

const run = promisify(execFile);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function rawNme(rows: readonly ExtractedRow[], reference: readonly ExtractedRow[], toReference: (v: number, axis: number) => number): number {
  const a: Shape[] = [];
  const b: Shape[] = [];
  rows.forEach((r, i) => {
    const q = reference[i]?.raw;
    if (r.raw && q) {
      a.push(r.raw.map((v, k) => toReference(v, k % 2)));
      b.push(q);
    }
  });
  return a.length ? compareLandmarkRows(a, b, IBUG_REGIONS).nme : Number.NaN;
}

async function calibrationOnly(
  path: string,
  reference: readonly ExtractedRow[],
  toFrame: (v: number, axis: number) => number,
  outputBox: OutputBox,
): Promise<Float64Array[]> {
  const info = await probeVideo(path);
  const detections = reference.slice(0, info.frameCount).map((r) => (r.raw ? { shape: r.raw.map((v, k) => toFrame(v, k % 2)), score: 1 } : { shape: null, score: 0 }));
  const plan = guardSequence(detections, MEDIAPIPE_GUARD);
  const out: Float64Array[] = [];
  for await (const f of calibrateDetections(info, detections, plan, undefined, { outputBox })) out.push(f.calibrated ?? new Float64Array(0));
  return out;
}

function nmeOf(a: readonly Float64Array[], b: readonly Float64Array[]): number {
  const x: Float64Array[] = [];
  const y: Float64Array[] = [];
  a.forEach((row, i) => {
    if (row.length && b[i]?.length) {
      x.push(row);
      y.push(b[i]!);
    }
  });
  return x.length ? compareLandmarkRows(x, y, IBUG_REGIONS).nme : Number.NaN;
}

export async function benchSmallFaces(): Promise<void> {
  if (!lrnetFixtures || !sharedTools) {
    console.log("small-faces: ../shared/fixtures/lrnet absent, skipped");
    return;
  }
  const dir = benchDir("small-faces");
  const clips = await fixtureFaceClips();
  const landmarker = await openImageLandmarker();
  const settings = { finder: true };
  const wholeFrames = { finder: false };
  const framesOf = (clip: FaceClip) => Math.min(Number(process.env.BENCH_FRAMES ?? Infinity), clip.name === "000_003" ? 396 : 757);
  try {
    const grid: string[][] = [];
    for (const clip of clips) {
      const frames = framesOf(clip);
      const referencePath = await headOf(clip, frames, dir);
      const reference = await extractRows(referencePath, landmarker);
      const referenceCalibrated = reference.map((r) => r.calibrated ?? new Float64Array(0));
      const referenceLrnetBox = await calibrationOnly(referencePath, reference, (v) => v, "lrnet");
      for (const [frameWidth, frameHeight] of [[1920, 1080], [1280, 720]] as const) {
        for (const share of [0.05, 0.08, 0.12, 0.2]) {
          for (const placement of ["centre", "corner"] as const) {
            const p: PlacedFace = { clip, frameWidth, frameHeight, share, placement };
            const g = placementOf(p);
            const path = await placeFace(p, frames, dir);
            const started = performance.now();
            const rows = await extractRows(path, landmarker);
            const ms = (performance.now() - started) / frames;
            const [a, b] = pairedCalibrated(rows, reference);
            const toFrame = (v: number, axis: number) => (axis ? g.y : g.x) + v * g.scale;
            const only = await calibrationOnly(path, reference, toFrame, "exact");
            const onlyLrnetBox = await calibrationOnly(path, reference, toFrame, "lrnet");
            grid.push([
              clip.name,
              `${frameWidth}×${frameHeight}`,
              `${Math.round(share * 100)} %`,
              (share * frameHeight).toFixed(0),
              placement,
              `${(detectedShare(rows) * 100).toFixed(1)} %`,
              rawNme(rows, reference, (v, axis) => (v - (axis ? g.y : g.x)) / g.scale).toFixed(4),
              a.length ? compareLandmarkRows(a, b, IBUG_REGIONS).nme.toFixed(4) : "—",
              nmeOf(only, referenceCalibrated).toFixed(4),
              nmeOf(onlyLrnetBox, referenceLrnetBox).toFixed(4),
              ms.toFixed(1),
            ]);
            console.error(grid[grid.length - 1]!.join(" "));
          }
        }
      }
    }
    console.log(`\nfaces anywhere: detected share and NME against the unpadded clip (${clips.map((c) => `${c.name} ${framesOf(c)} frames`).join(", ")})`);
    console.log(table(["clip", "frame", "face", "face px", "where", "detected", "raw NME", "calibrated NME", "calibration only", "calibration only, LRNet's box", "ms/frame"], grid));

    const pairs: string[][] = [];
    const [left, right] = clips as [FaceClip, FaceClip];
    const frames = Math.min(framesOf(left), 150);
    for (const height of [360, 720]) {
      const path = await sideBySide(left, right, height, frames, dir);
      const rows = await extractRows(path, landmarker);
      const leftWidth = sideBySideHalfWidth(height);
      const sides = rows.filter((r) => r.raw).map((r) => (shapeCentroid(r.raw!)[0] < leftWidth ? "left" : "right"));
      pairs.push([`${leftWidth * 2}×${height}`, `${(detectedShare(rows) * 100).toFixed(1)} %`, [...new Set(sides)].join("+")]);
    }
    console.log(`\ntwo faces side by side (${left.name} left, ${right.name} right, ${frames} frames): the largest is followed`);
    console.log(table(["frame", "detected", "face followed"], pairs));

    const regression: string[][] = [];
    for (const name of ["ff_real", "ff_fake"]) {
      const clip = { ...clips[1]!, name, path: join(lrnetFixtures, `${name}.mp4`) };
      const path = await headOf(clip, 150, dir);
      const refPath = join(lrnetFixtures, `${name}.lrnet.txt`);
      const lrnet = parseLrnetText(readFileSync(refPath, "utf8"), refPath).slice(0, 150);
      for (const [label, s] of [["face finder", settings], ["whole frames (before)", wholeFrames]] as const) {
        const rows = await extractRows(path, landmarker, s);
        const ours = rows.map((r) => r.calibrated ?? new Float64Array(0));
        const out = join(dir, `${name}.${s.finder ? "finder" : "whole"}.txt`);
        writeFileSync(out, ours.filter((r) => r.length).map((r) => formatLrnetLine(r)).join("\n") + "\n");
        const { stdout } = await run(process.execPath, [join(sharedTools, "lrnet-score.mjs"), "--json", out]);
        const verdict = (JSON.parse(stdout) as { label: string; score: number }[])[0]!;
        regression.push([name, label, `${(detectedShare(rows) * 100).toFixed(1)} %`, nmeOf(ours, lrnet).toFixed(4), `${verdict.label} (${verdict.score.toFixed(2)})`]);
      }
    }
    const speed: Record<string, number[]> = { finder: [], whole: [] };
    const speedFrames = Math.min(framesOf(clips[1]!), 150);
    const hd = await headOf(clips[1]!, speedFrames, dir);
    for (let r = 0; r < RUNS; r++) {
      for (const [key, s] of [["finder", settings], ["whole", wholeFrames]] as const) {
        const started = performance.now();
        await extractRows(hd, landmarker, s);
        speed[key]!.push((performance.now() - started) / speedFrames);
      }
    }
    console.log("\nno regression (first 150 frames; NME against LRNet's own landmarks, LRNet's classifier)");
    console.log(table(["clip", "faces from", "detected", "NME vs LRNet", "label (score)"], regression));
    const f = median(speed.finder!);
    const w = median(speed.whole!);
    console.log(`\n720p ff_real (${speedFrames} frames), detect + calibrate in one process, median of ${RUNS}: face finder ${f.toFixed(1)} ms/frame, whole frames ${w.toFixed(1)} ms/frame (ratio ${(f / w).toFixed(2)})`);
  } finally {
    landmarker.close();
  }
}
