import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { SHAPE_VALUES } from "../src/shape/shape.js";
import { buildReport, writeReport } from "../src/report/index.js";
import { escapeXml, niceTicks, shortNumber } from "../src/report/svg.js";
import { buildSmallDataset, fake, ffppEntries, syntheticVideo, type SmallVideo } from "./helpers/small-dataset.js";
import { repoRoot } from "./helpers/paths.js";

const CHROMIUM = "/usr/bin/chromium";
const NO_CHROMIUM = `${CHROMIUM} is absent: install Debian's chromium (apt-get install -y chromium) to render the report page`;
const run = promisify(execFile);

/** A dataset with something to see: several methods, a video whose face is often lost, a shaky one, a failure. */
function interestingVideos(): SmallVideo[] {
  const entries = [...ffppEntries(), fake("Face2Face", "000", "001", "train"), fake("FaceSwap", "002", "003", "val"), fake("NeuralTextures", "004", "005", "test")];
  const videos = entries.map((entry) => syntheticVideo(entry, 150));
  const lost = videos.find((v) => v.entry.id === "Face2Face/c23/000_001")!.rows;
  for (let i = 40; i < 90; i++) lost.status[i] = i % 3 === 0 ? 2 : 1;
  const shaky = videos.find((v) => v.entry.id === "FaceSwap/c23/002_003")!.rows;
  for (let i = 0; i < shaky.frame.length; i++) {
    for (let k = 0; k < SHAPE_VALUES; k++) shaky.landmarks[i * SHAPE_VALUES + k] = Math.round((shaky.landmarks[i * SHAPE_VALUES + k]! + ((i * 7 + k) % 5) * 0.01) * 200) / 200;
  }
  return videos;
}

async function withDataset(check: (out: string) => Promise<void>): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), "lrnet-report-ds-"));
  try {
    await buildSmallDataset(out, interestingVideos(), {
      failures: [{ id: "youtube/c23/006", path: "original_sequences/youtube/c23/videos/006.mp4", error: "no face in any frame" }],
    });
    await check(out);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

test("report: one self-contained page with every section, the worst videos and the configuration", async () => {
  await withDataset(async (out) => {
    const html = await buildReport(out, { now: new Date("2025-01-02T03:04:05Z"), worst: 3 });
    assert.doesNotMatch(html, /<script|<link|@import|url\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/, "no scripts, no external resources");
    for (const heading of [
      "What is in the dataset",
      "How often the face was found",
      "Detector confidence",
      "Landmark jitter before and after calibration",
      "Videos where the face was found least often",
      "Videos with the shakiest landmarks after calibration",
      "Videos that failed",
      "How this dataset was made",
    ]) {
      assert.ok(html.includes(`<h2>${heading}</h2>`), heading);
    }
    // The least-detected video comes first in its list, the shaky one first in the jitter list.
    const lists = html.split("<h2>Videos with the shakiest");
    assert.match(lists[0]!.split("<h2>Videos where the face was found least often</h2>")[1]!, /^[\s\S]*?<h3>Face2Face\/c23\/000_001<\/h3>/);
    assert.match(lists[1]!, /^[\s\S]*?<h3>FaceSwap\/c23\/002_003<\/h3>/);
    assert.equal((html.match(/<article class="video">/g) ?? []).length, 6);
    assert.match(html, /no face in any frame/);
    assert.match(html, /configuration\.calibration\.shift_threshold<\/th><td>1\.42/);
    assert.match(html, /<tfoot><tr><th>all<\/th><td><\/td><td><b>5<\/b><\/td><td><b>5<\/b><\/td><td><b>5<\/b><\/td><td><b>15<\/b><\/td><\/tr><\/tfoot>/, "5 videos per split, 15 in all");
  });
});

test("report page renders in headless Chromium: charts drawn, no console errors, screenshot", { skip: existsSync(CHROMIUM) ? false : NO_CHROMIUM }, async () => {
  const { chromium } = await import("playwright-core");
  await withDataset(async (out) => {
    const shots = mkdtempSync(join(tmpdir(), "lrnet-report-shot-"));
    const page = join(shots, "report.html");
    const cli = await run(process.execPath, [join(repoRoot, "bin", "lrnet-data.js"), "report", out, "-o", page, "--worst", "3"]);
    assert.match(cli.stdout, /^wrote .*report\.html \(\d+ KiB\)\n$/);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    });
    try {
      const tab = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const problems: string[] = [];
      const requests: string[] = [];
      tab.on("console", (message) => {
        if (message.type() === "error" || message.type() === "warning") problems.push(`${message.type()}: ${message.text()}`);
      });
      tab.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      tab.on("request", (request) => requests.push(request.url()));
      await tab.goto(pathToFileURL(page).href, { waitUntil: "load" });
      const charts = await tab.$$eval("svg.chart", (svgs) =>
        svgs.map((svg) => {
          const box = svg.getBoundingClientRect();
          return { width: box.width, height: box.height, marks: svg.querySelectorAll("rect, path, line").length, label: svg.getAttribute("aria-label") ?? "" };
        }),
      );
      // 2 count charts, status mix, confidence, jitter, and 3 plots for each of the 6 videos to look at.
      assert.equal(charts.length, 5 + 6 * 3, JSON.stringify(charts.map((c) => c.label)));
      for (const chart of charts) {
        assert.ok(chart.width > 100 && chart.height > 80, `${chart.label} is drawn (${chart.width}×${chart.height})`);
        assert.ok(chart.marks >= 5, `${chart.label} has marks (${chart.marks})`);
      }
      const traces = await tab.$$eval("article.video svg.chart path", (paths) => paths.filter((p) => (p.getAttribute("d") ?? "").length > 200).length);
      assert.equal(traces, 6 * 3 * 2, "a raw and a calibrated line in every plot");
      assert.deepEqual(problems, []);
      assert.deepEqual(requests.filter((url) => !url.startsWith("file:")), [], "nothing fetched");
      const shot = join(shots, "report.png");
      await tab.screenshot({ path: shot, fullPage: true });
      assert.ok(statSync(shot).size > 20_000);
      assert.deepEqual([...readFileSync(shot).subarray(1, 4)], [0x50, 0x4e, 0x47], "a PNG");
      copyFileSync(shot, "/tmp/report.png");
      console.log("report screenshot copied to /tmp/report.png");
    } finally {
      await browser.close();
      rmSync(shots, { recursive: true, force: true });
    }
  });
});

test("report charts: round axis ticks, short labels, escaped text", () => {
  assert.deepEqual(niceTicks(0, 7, 4), [0, 2, 4, 6]);
  assert.deepEqual(niceTicks(0, 580, 4, true), [0, 200, 400, 600], "an axis top covers the tallest bar");
  assert.deepEqual(niceTicks(-0.004, 0.004, 4), [-0.004, -0.002, 0, 0.002, 0.004]);
  assert.deepEqual([shortNumber(1200), shortNumber(25000), shortNumber(0.0125), shortNumber(0.0004)], ["1200", "25k", "0.0125", "4e-4"]);
  assert.equal(escapeXml(`a<b & "c" 'd'>`), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
});

test("report: writes atomically and names a missing manifest", async () => {
  const empty = mkdtempSync(join(tmpdir(), "lrnet-report-empty-"));
  try {
    await assert.rejects(writeReport(empty, join(empty, "r.html")), { name: "ReportError", message: /manifest\.json: no manifest/ });
    assert.equal(existsSync(join(empty, "r.html")), false);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
