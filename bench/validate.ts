/**
 * `lrnet-data validate` on 5,000 videos' worth of data (issue: validate, export, report): a synthetic FF++-shaped
 * dataset (1,000 originals + 4 methods × 1,000 fakes at c23, 400–600 frames each, ~2.5 M rows) generated once
 * into bench/out/validate/ through the real store and part writer, then validated BENCH_RUNS times (default 3),
 * each in a fresh process as a user runs it. Must finish in under a minute.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { DatasetStore } from "../src/store/store.js";
import { PartWriter } from "../src/store/parquet-writer.js";
import { summarizeVideo, type VideoSummary } from "../src/store/manifest.js";
import { syntheticVideoRows } from "../src/store/synthetic.js";
import type { VideoEntry } from "../src/store/types.js";
import type { ValidationReport } from "../src/validate/types.js";
import { CONFIGURATION, SOURCE, fake, original } from "../test/helpers/small-dataset.js";
import { lrnetDataBin } from "../test/helpers/cli.js";
import { benchDir, median, table } from "./harness.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const VIDEOS = 5000;
const METHODS = ["Deepfakes", "Face2Face", "FaceSwap", "NeuralTextures"];
const run = promisify(execFile);

/** 1,000 originals in 500 pairs (720/140/140 split like FF++), each pair's fakes both ways for four methods. */
function entries(): VideoEntry[] {
  const out: VideoEntry[] = [];
  for (let pair = 0; pair < 500; pair++) {
    const split = pair < 360 ? "train" : pair < 430 ? "val" : "test";
    const a = String(2 * pair).padStart(3, "0");
    const b = String(2 * pair + 1).padStart(3, "0");
    out.push(original(a, split), original(b, split));
    for (const method of METHODS) out.push(fake(method, a, b, split), fake(method, b, a, split));
  }
  return out;
}

function framesOf(index: number): number {
  return 400 + ((index * 7919) % 201);
}

async function generate(out: string): Promise<void> {
  rmSync(out, { recursive: true, force: true });
  const started = performance.now();
  const { store } = await DatasetStore.open(out, { configuration: CONFIGURATION, source: SOURCE, tool: { name: "lrnet-data", version: "bench" } });
  const writer = new PartWriter();
  const summaries = new Map<string, VideoSummary>();
  const commit = async (parts: ReturnType<PartWriter["flush"]>): Promise<void> => {
    for (const part of parts) {
      await store.commitPart(part, part.videos.map((v) => summaries.get(v.id)!));
      for (const v of part.videos) summaries.delete(v.id);
    }
  };
  const list = entries();
  for (let i = 0; i < list.length; i++) {
    const entry = list[i]!;
    const rows = syntheticVideoRows(entry, framesOf(i), i + 1);
    summaries.set(entry.id, summarizeVideo(entry, rows, { bytes: 10_000_000 + i, sha256: (i % 16).toString(16).repeat(64) }));
    await commit(writer.add(rows));
    if ((i + 1) % 500 === 0) console.log(`  generated ${i + 1}/${list.length} videos (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  await commit(writer.flush());
  await store.complete();
  await store.close();
}

export async function benchValidate(): Promise<void> {
  const out = join(benchDir("validate"), "dataset");
  const manifestPath = join(out, "manifest.json");
  const ready =
    existsSync(manifestPath) &&
    (JSON.parse(readFileSync(manifestPath, "utf8")) as { videos: unknown[]; state: string }).videos.length === VIDEOS;
  if (!ready) {
    console.log(`validate: generating ${VIDEOS} synthetic videos into ${out} (once)`);
    await generate(out);
  }
  const cli = lrnetDataBin;
  const walls: number[] = [];
  let report: ValidationReport | null = null;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const { stdout } = await run(process.execPath, [cli, "validate", out, "--json"], { maxBuffer: 256 << 20 });
    walls.push((performance.now() - started) / 1000);
    report = JSON.parse(stdout) as ValidationReport;
    if (!report.ok) throw new Error(`the synthetic dataset does not validate: ${report.findings.slice(0, 3).map((f) => f.message).join("; ")}`);
  }
  const f = report!.figures;
  console.log(`\nvalidate: ${f.videos} videos, ${f.dataFiles} data files, ${(f.bytes / 1e9).toFixed(2)} GB, ${f.rows.toLocaleString("en-US")} rows (page cache warm)`);
  console.log(
    table(
      ["runs", "median wall s", "min s", "max s", "rows/s", "MB/s"],
      [
        [
          String(RUNS),
          median(walls).toFixed(1),
          Math.min(...walls).toFixed(1),
          Math.max(...walls).toFixed(1),
          Math.round(f.rows / median(walls)).toLocaleString("en-US"),
          (f.bytes / 1e6 / median(walls)).toFixed(0),
        ],
      ],
    ),
  );
  console.log(median(walls) < 60 ? "under a minute: yes" : "under a minute: NO");
}
