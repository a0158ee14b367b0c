/**
 * Decode and calibrate speed and peak memory (issue: calibrator). For 000_003 (when ../shared is present)
 * and a generated 1080p clip, each also concatenated to 4× its length: peak RSS must not grow with length.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { concatClip, makeMovingTextureClip } from "../test/helpers/synthetic-video.js";
import { makeOpenFaceCsv, syntheticShape } from "../test/helpers/openface-csv.js";
import { lrnetFixtures } from "../test/helpers/paths.js";
import { type Measurement, benchDir, median, measure, table } from "./harness.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface Case {
  name: string;
  video: string;
  csv: string;
}

/** A face-sized ring of points following the generated 1080p clip's motion, repeated `times` times. */
function generatedCsv(frames: number, times: number, target: string): string {
  const rows = Array.from({ length: frames * times }, (_, i) => {
    const f = i % frames;
    return { frame: i + 1, shape: syntheticShape(960 + 40 * Math.sin(f / 9), 540 + 20 * Math.cos(f / 13), 420) };
  });
  writeFileSync(target, makeOpenFaceCsv(rows));
  return target;
}

async function cases(): Promise<Case[]> {
  const dir = benchDir("calibrate");
  const out: Case[] = [];
  if (lrnetFixtures) {
    const video = join(lrnetFixtures, "000_003.mp4");
    const csv = join(lrnetFixtures, "000_003.csv");
    out.push({ name: "000_003 640x480 396f", video, csv });
    const long = await concatClip(video, 4, dir);
    const lines = readFileSync(csv, "utf8").trimEnd().split("\n");
    const header = lines[0]!;
    const body: string[] = [];
    for (let t = 0; t < 4; t++) {
      for (const line of lines.slice(1)) {
        const cells = line.split(",");
        cells[0] = String(Number(cells[0]) + t * 396);
        body.push(cells.join(","));
      }
    }
    const longCsv = join(dir, "000_003.x4.csv");
    writeFileSync(longCsv, [header, ...body].join("\n") + "\n");
    out.push({ name: "000_003 x4 1584f", video: long, csv: longCsv });
  } else {
    console.log("(../shared/fixtures/lrnet absent: 000_003 cases skipped)");
  }
  const frames = 120;
  const hdPath = join(dir, "hd1080.mp4");
  const hd = existsSync(hdPath)
    ? { path: hdPath }
    : await makeMovingTextureClip({
        width: 1920,
        height: 1080,
        frames,
        fps: 30,
        offsets: (i) => [Math.round(40 * Math.sin(i / 9)), Math.round(20 * Math.cos(i / 13))],
        codec: "h264",
        dir,
        name: "hd1080",
      });
  const hdCsv = generatedCsv(frames, 1, join(dir, "hd1080.csv"));
  out.push({ name: "generated 1920x1080 120f", video: hd.path, csv: hdCsv });
  const hdLong = await concatClip(hd.path, 4, dir);
  out.push({ name: "generated 1080p x4 480f", video: hdLong, csv: generatedCsv(frames, 4, join(dir, "hd1080.x4.csv")) });
  return out;
}

export async function benchCalibrate(): Promise<void> {
  const rows: string[][] = [];
  for (const c of await cases()) {
    const decode: Measurement[] = [];
    const calibrate: Measurement[] = [];
    for (let r = 0; r < RUNS; r++) {
      decode.push(await measure(["decode", c.video]));
      calibrate.push(await measure(["calibrate", c.video, c.csv]));
    }
    const frames = decode[0]!.frames;
    rows.push([
      c.name,
      (frames / median(decode.map((m) => m.seconds))).toFixed(0),
      (frames / median(calibrate.map((m) => m.seconds))).toFixed(1),
      median(calibrate.map((m) => m.seconds)).toFixed(2),
      median(calibrate.map((m) => m.maxRssMB)).toFixed(0),
    ]);
  }
  console.log(`\ncalibrate (OpenFace path), median of ${RUNS} runs; RSS is the node process (ffmpeg runs beside it)`);
  console.log(table(["clip", "decode fps", "calibrate fps", "calibrate s", "peak RSS MB"], rows));
}
