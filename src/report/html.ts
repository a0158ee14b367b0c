import type { Manifest, ManifestVideo } from "../store/manifest.js";
import { FRAME_STATUSES, type FrameStatus } from "../guard/guard.js";
import { TRACE_POINTS, detectedShare, type VideoToLookAt } from "./collect.js";
import { groupByPerturbation } from "./perturbation-groups.js";
import { escapeXml as esc, histogram, legend, lineChart, median, shareBars, stackedBars } from "./svg.js";

/** Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. */
export const COLOR = {
  blue: "#0072B2",
  orange: "#E69F00",
  green: "#009E73",
  vermillion: "#D55E00",
  purple: "#CC79A7",
  sky: "#56B4E9",
  yellow: "#F0E442",
  grey: "#999999",
};
const LABEL_COLOR: Record<string, string> = { real: COLOR.blue, fake: COLOR.vermillion };
const STATUS_COLOR: Record<FrameStatus, string> = { detected: COLOR.green, held: COLOR.orange, rejected: COLOR.vermillion, skipped: COLOR.grey, lost: COLOR.purple };
const STATUS_MEANING: Record<FrameStatus, string> = {
  detected: "the detector found the face and its points were used",
  held: "the detector found no face; the previous frame's points were kept",
  rejected: "the detection jumped implausibly far or changed size; the previous frame's points were kept",
  skipped: "no face yet since the video started: the frame has no landmarks",
  lost: "the face was missing for more frames in a row than may be held (it left the frame): no landmarks, and training blocks end there",
};
const SPLIT_COLORS = [COLOR.blue, COLOR.orange, COLOR.purple, COLOR.green, COLOR.sky, COLOR.yellow];
const RAW_COLOR = COLOR.orange;
const CALIBRATED_COLOR = COLOR.blue;

export interface ReportInput {
  manifest: Manifest;
  outDir: string;
  byDetection: readonly VideoToLookAt[];
  byJitter: readonly VideoToLookAt[];
  generatedAt: Date;
  toolVersion: string;
  /** Why the dataset is not whole (a report made with --allow-incomplete); empty when it is. */
  incomplete?: readonly string[];
}

/** The whole report page: one HTML file with inline CSS and SVG, no scripts, nothing fetched. */
export function renderReport(input: ReportInput): string {
  const { manifest } = input;
  const sections = [
    overview(input),
    contents(manifest),
    perturbations(manifest),
    statusMix(manifest),
    scores(manifest),
    jitter(manifest),
    lookAt("Videos where the face was found least often", "Each video below had the lowest share of frames with a detected face. Read the plots as: orange is where the detector put the point, blue is what LRNet trains on; shaded frames had no fresh detection.", input.byDetection),
    lookAt("Videos with the shakiest landmarks after calibration", "These videos have the highest calibrated jitter: their points move most from frame to frame. A blue line that is as jagged as the orange one means calibration could not steady them.", input.byJitter),
    failures(manifest),
    configuration(manifest),
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Landmark dataset report: ${esc(input.outDir)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${sections.join("\n")}
<footer>Made by lrnet-data ${esc(input.toolVersion)} on ${esc(input.generatedAt.toISOString().replace("T", " ").slice(0, 19))} UTC from ${esc(input.outDir)}/manifest.json. This page is self-contained: it runs no scripts and loads nothing from the network. Hover over a bar or line for its exact value.</footer>
</main>
</body>
</html>
`;
}

function overview({ manifest, outDir, incomplete = [] }: ReportInput): string {
  const frames = manifest.videos.reduce((s, v) => s + v.frames, 0);
  const detected = manifest.videos.reduce((s, v) => s + v.status_counts.detected, 0);
  const real = manifest.videos.filter((v) => v.label === "real").length;
  const card = (value: string, label: string) => `<div class="card"><b>${esc(value)}</b><span>${esc(label)}</span></div>`;
  return `<header>
<h1>Landmark dataset report</h1>
<p class="path">${esc(outDir)}</p>
<p>This dataset holds facial landmarks for training <b>LRNet</b>, a deepfake detector that looks only at how a face's
outline, eyes, nose and mouth move over time. For every frame of every video, a face detector placed <b>68 points</b> on
the face (<i>raw</i> landmarks, in pixels), and a calibration step steadied them and scaled them into a box around the face
(<i>calibrated</i> landmarks, between −1 and 1): LRNet learns from the calibrated ones. Each video is labelled <b>real</b>
or <b>fake</b> and belongs to one <b>split</b>: train (to learn from), val (to tune) or test (to measure).</p>
${manifest.state === "complete" ? "" : `<p class="warn">The build that made this dataset has not finished (state “${esc(manifest.state)}”): the figures below cover only the videos done so far.</p>`}
${incomplete.length === 0 ? "" : `<p class="warn">This dataset is incomplete (report made with --allow-incomplete):</p><ul class="warn">${incomplete.map((p) => `<li>${esc(p)}</li>`).join("")}</ul>`}
<div class="cards">
${card(manifest.videos.length.toLocaleString("en-US"), "videos")}
${card(`${real.toLocaleString("en-US")} / ${(manifest.videos.length - real).toLocaleString("en-US")}`, "real / fake")}
${card(frames.toLocaleString("en-US"), "frames")}
${card(frames > 0 ? `${((100 * detected) / frames).toFixed(1)} %` : "–", "frames with a detected face")}
${card(manifest.failures.length.toLocaleString("en-US"), "videos that failed")}
${card(Object.keys(manifest.splits).join(" · ") || "–", "splits")}
</div>
</header>`;
}

function contents(manifest: Manifest): string {
  const splits = Object.keys(manifest.splits);
  const methods = unique(manifest.videos.map((v) => v.method));
  const count = (pred: (v: ManifestVideo) => boolean) => manifest.videos.filter(pred).length;
  const labelOf = (method: string) => unique(manifest.videos.filter((v) => v.method === method).map((v) => v.label)).join("/");
  const rows = methods
    .map((method) => {
      const cells = splits.map((split) => `<td>${count((v) => v.method === method && v.split === split)}</td>`).join("");
      return `<tr><th>${esc(method)}</th><td class="tag ${esc(labelOf(method))}">${esc(labelOf(method))}</td>${cells}<td><b>${count((v) => v.method === method)}</b></td></tr>`;
    })
    .join("");
  const totals = splits.map((split) => `<td><b>${count((v) => v.split === split)}</b></td>`).join("");
  const perSplit = stackedBars({
    title: "Videos per split, real and fake",
    categories: splits,
    series: ["real", "fake"].map((label) => ({ name: label, color: LABEL_COLOR[label]!, values: splits.map((split) => count((v) => v.split === split && v.label === label)) })),
    yLabel: "videos",
  });
  const perMethod = stackedBars({
    title: "Videos per method, by split",
    categories: methods,
    series: splits.map((split, i) => ({ name: split, color: SPLIT_COLORS[i % SPLIT_COLORS.length]!, values: methods.map((method) => count((v) => v.method === method && v.split === split)) })),
    yLabel: "videos",
  });
  return `<section>
<h2>What is in the dataset</h2>
<p class="explain">The table counts videos by how they were made (method: <i>youtube</i> and <i>actors</i> are real recordings, the others are fakes made by that manipulation) and by split; the charts show the same counts as bars.</p>
<table class="counts"><thead><tr><th>method</th><th>label</th>${splits.map((s) => `<th>${esc(s)}</th>`).join("")}<th>all</th></tr></thead>
<tbody>${rows}</tbody><tfoot><tr><th>all</th><td></td>${totals}<td><b>${manifest.videos.length}</b></td></tr></tfoot></table>
<div class="row">
<figure>${perSplit}${legend(["real", "fake"].map((l) => ({ name: l, color: LABEL_COLOR[l]! })))}<figcaption>Each bar is one split; blue is real videos, orange-red fake ones. A good split has both in similar proportions.</figcaption></figure>
<figure>${perMethod}${legend(splits.map((s, i) => ({ name: s, color: SPLIT_COLORS[i % SPLIT_COLORS.length]! })))}<figcaption>Each bar is one method, coloured by split: every method should be present in every split it is meant to be tested on.</figcaption></figure>
</div>
</section>`;
}

/** DeeperForensics-1.0's distortions: videos, detection and jitter per perturbation (absent when no video records any). */
function perturbations(manifest: Manifest): string {
  const groups = groupByPerturbation(manifest.videos);
  if (groups.length === 0) return "";
  const splits = Object.keys(manifest.splits);
  const cell = (values: number[], digits: number): string => (values.length ? median(values).toFixed(digits) : "–");
  const rows = groups
    .map((g) => {
      const counts = splits.map((split) => `<td>${g.videos.filter((v) => v.split === split).length}</td>`).join("");
      const detected = cell(g.videos.map(detectedShare), 3);
      const jitterValues = g.videos.map((v) => v.jitter.calibrated).filter((v): v is number => v !== null);
      return `<tr><th>${esc(g.name)}</th>${counts}<td><b>${g.videos.length}</b></td><td>${detected}</td><td>${cell(jitterValues, 4)}</td></tr>`;
    })
    .join("");
  return `<section>
<h2>By perturbation</h2>
<p class="explain">Fakes grouped by the distortions their meta files record (type:level; CS colour saturation, CC contrast, BW block-wise, GNC Gaussian noise, GB Gaussian blur, JPEG, VC video compression; <i>none</i>: no distortion). A video with mixed distortions counts in each of its groups; real videos carry no record and are not shown. Columns: videos per split, the median share of frames with a detected face, and the median calibrated jitter.</p>
<table class="counts"><thead><tr><th>perturbation</th>${splits.map((s) => `<th>${esc(s)}</th>`).join("")}<th>all</th><th>detected</th><th>jitter</th></tr></thead>
<tbody>${rows}</tbody></table>
</section>`;
}

function statusMix(manifest: Manifest): string {
  const methods = unique(manifest.videos.map((v) => v.method));
  const sum = (videos: ManifestVideo[]) => FRAME_STATUSES.map((s) => videos.reduce((acc, v) => acc + (v.status_counts[s] ?? 0), 0));
  const rows = methods.map((method) => {
    const videos = manifest.videos.filter((v) => v.method === method);
    return { name: method, note: `${videos.length} videos`, parts: sum(videos) };
  });
  rows.push({ name: "all videos", note: `${manifest.videos.length} videos`, parts: sum(manifest.videos) });
  const chart = shareBars({ title: "What happened to each frame, per method", rows, parts: FRAME_STATUSES.map((s) => ({ name: s, color: STATUS_COLOR[s] })) });
  const glossary = FRAME_STATUSES.map((s) => `<li><i style="background:${STATUS_COLOR[s]}"></i><b>${s}</b>: ${STATUS_MEANING[s]}</li>`).join("");
  return `<section>
<h2>How often the face was found</h2>
<p class="explain">Each bar splits all frames of one method by what the face detector managed: the more green, the more frames carry a fresh detection rather than a repeated one.</p>
<figure>${chart}</figure>
<ul class="glossary">${glossary}</ul>
</section>`;
}

function scores(manifest: Manifest): string {
  const values = manifest.videos.map((v) => v.mean_score).filter((v): v is number => v !== null);
  const chart = histogram({ title: "Mean detector confidence per video", series: [{ name: "mean confidence", color: COLOR.green, values }], xLabel: "mean confidence of the detected frames" });
  return `<section>
<h2>Detector confidence</h2>
<p class="explain">Each bar counts the videos whose detected frames had, on average, a confidence in that range (1 = certain); the dashed line is the median, ${values.length ? median(values).toFixed(3) : "–"}. Videos far to the left deserve a look.</p>
<figure>${chart}</figure>
</section>`;
}

function jitter(manifest: Manifest): string {
  const raw = manifest.videos.map((v) => v.jitter.raw).filter((v): v is number => v !== null && v > 0);
  const calibrated = manifest.videos.map((v) => v.jitter.calibrated).filter((v): v is number => v !== null && v > 0);
  const chart = histogram({
    title: "Landmark jitter per video, before and after calibration",
    series: [
      { name: "raw (before calibration)", color: RAW_COLOR, values: raw },
      { name: "calibrated (after)", color: CALIBRATED_COLOR, values: calibrated },
    ],
    xLabel: "jitter: frame-to-frame shake of the points, in face sizes",
    log: true,
    width: 760,
  });
  const ratio = raw.length && calibrated.length ? median(raw) / median(calibrated) : null;
  return `<section>
<h2>Landmark jitter before and after calibration</h2>
<p class="explain">Jitter measures how much the points shake from one frame to the next beyond smooth motion, as a share of the face's size; each video counts once in orange (the detector's raw points) and once in blue (after calibration), and calibration should move the blue bars to the left.</p>
<figure>${chart}${legend([
    { name: "raw (before calibration)", color: RAW_COLOR },
    { name: "calibrated (after)", color: CALIBRATED_COLOR },
  ])}<figcaption>Median jitter: raw ${raw.length ? median(raw).toPrecision(3) : "–"}, calibrated ${calibrated.length ? median(calibrated).toPrecision(3) : "–"}${ratio === null ? "" : ` (${describeRatio(ratio)})`}. Dashed lines mark the medians.</figcaption></figure>
</section>`;
}

function lookAt(title: string, explain: string, videos: readonly VideoToLookAt[]): string {
  if (videos.length === 0) return "";
  const shadeLegend = [
    { name: "raw point (detector)", color: RAW_COLOR },
    { name: "calibrated point (LRNet's input)", color: CALIBRATED_COLOR },
    { name: "frame without a fresh detection", color: "#f3d6cf" },
  ];
  const cards = videos.map((item) => videoCard(item)).join("\n");
  return `<section>
<h2>${esc(title)}</h2>
<p class="explain">${esc(explain)} Each small plot follows one point (${TRACE_POINTS.map((p) => p.name).join(", ")}) left and right within the face over the frames (x axis: frame), as its distance from its average position in face sizes; the head's movement through the picture is taken out, so only the point's own motion and shake remain.</p>
${legend(shadeLegend)}
${cards}
</section>`;
}

function videoCard({ video, trace, traceError }: VideoToLookAt): string {
  const share = detectedShare(video);
  const facts = [
    `${video.label}, ${video.split}, ${video.method}, ${video.compression}`,
    `${video.frames} frames`,
    `face detected in ${(100 * share).toFixed(1)} %`,
    FRAME_STATUSES.filter((s) => s !== "detected" && (video.status_counts[s] ?? 0) > 0)
      .map((s) => `${video.status_counts[s]} ${s}`)
      .join(", "),
    video.mean_score === null ? "no detected frame" : `mean confidence ${video.mean_score.toFixed(3)}`,
    `jitter ${fmt(video.jitter.raw)} → ${fmt(video.jitter.calibrated)}`,
  ].filter(Boolean);
  let plots: string;
  if (!trace) plots = `<p class="warn">No plot: ${esc(traceError ?? "no rows")}.</p>`;
  else {
    const shade = runsOf(trace.status).map((run) => ({ from: run.from, to: run.to, color: "#f3d6cf", name: run.status }));
    plots = trace.points
      .map((p) =>
        lineChart({
          title: `${video.id}: ${p.name}, raw and calibrated`,
          caption: `${p.name} (point ${p.point})`,
          series: [
            { name: "raw", color: RAW_COLOR, values: p.raw },
            { name: "calibrated", color: CALIBRATED_COLOR, values: p.calibrated },
          ],
          shade,
        }),
      )
      .join("");
  }
  return `<article class="video"><h3>${esc(video.id)}</h3><p class="facts">${facts.map((x) => esc(x)).join(" · ")}</p><div class="plots">${plots}</div></article>`;
}

/** Runs of consecutive samples whose status is not detected. */
function runsOf(status: readonly string[]): { from: number; to: number; status: string }[] {
  const runs: { from: number; to: number; status: string }[] = [];
  for (let i = 0; i < status.length; i++) {
    if (status[i] === "detected") continue;
    const last = runs[runs.length - 1];
    if (last && last.to === i - 1 && last.status === status[i]) last.to = i;
    else runs.push({ from: i, to: i, status: status[i]! });
  }
  return runs;
}

function failures(manifest: Manifest): string {
  const rows = manifest.failures.map((f) => `<tr><td>${esc(f.id)}</td><td>${esc(f.path)}</td><td>${esc(f.error)}</td></tr>`).join("");
  return `<section>
<h2>Videos that failed</h2>
<p class="explain">These videos could not be turned into landmarks and are not in the dataset; a later build retries them.</p>
${manifest.failures.length === 0 ? "<p>None: every video found was processed.</p>" : `<table class="list"><thead><tr><th>video</th><th>file</th><th>error</th></tr></thead><tbody>${rows}</tbody></table>`}
</section>`;
}

function configuration(manifest: Manifest): string {
  const rows: [string, string][] = [
    ["tool", `${manifest.tool.name} ${manifest.tool.version}`],
    ["state", manifest.state],
    ["created", manifest.created_at],
    ["updated", manifest.updated_at],
    ["source layout", manifest.source.layout],
    ["source root", manifest.source.root],
    ...Object.entries(manifest.source.roots ?? {}).map(([name, dir]): [string, string] => [`${name} root`, dir]),
    ...(manifest.source.split_coverage
      ? [["split-file entries without a video", `${manifest.source.split_coverage.missing.length} of ${manifest.source.split_coverage.entries}`] as [string, string]]
      : []),
    ["split files", manifest.source.splits_dir ?? "–"],
    ["video list", manifest.source.list ?? "–"],
    ["filters", JSON.stringify(manifest.source.filters)],
    ["shard", manifest.source.shard ? `${manifest.source.shard.index} of ${manifest.source.shard.count}` : "–"],
    ...flatten("configuration", manifest.configuration),
    ["configuration fingerprint", manifest.configuration_fingerprint],
  ];
  return `<section>
<h2>How this dataset was made</h2>
<p class="explain">Everything that decided the values above: the landmark detector and its model, the calibration mode and constants, and where the videos came from; two datasets with the same fingerprint were made the same way.</p>
<table class="config"><tbody>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("")}</tbody></table>
</section>`;
}

function flatten(prefix: string, value: unknown): [string, string][] {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => flatten(`${prefix}.${k}`, v));
  }
  return [[prefix, typeof value === "string" ? value : JSON.stringify(value)]];
}

function describeRatio(ratio: number): string {
  if (ratio >= 1.05) return `${ratio.toFixed(1)}× steadier after calibration`;
  if (ratio <= 1 / 1.05) return `${(1 / ratio).toFixed(1)}× shakier after calibration`;
  return "about the same before and after calibration";
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

function fmt(v: number | null): string {
  return v === null ? "–" : v.toPrecision(3);
}

export const STYLE = `
:root { color-scheme: light; }
body { margin: 0; background: #f6f7f9; color: #1d2330; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 40px; }
h1 { margin: 0 0 2px; font-size: 28px; }
h2 { margin: 0 0 4px; font-size: 21px; }
h3 { margin: 0; font-size: 15px; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
header, section { background: #fff; border: 1px solid #e1e4ea; border-radius: 8px; padding: 18px 22px; margin: 0 0 18px; }
.path { margin: 0 0 10px; color: #5b6475; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; }
.explain { margin: 0 0 12px; color: #3b4456; max-width: 900px; }
.warn { background: #fff4e5; border-left: 4px solid ${COLOR.orange}; padding: 6px 10px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin-top: 12px; }
.card { flex: 1 1 140px; background: #f1f4f9; border-radius: 6px; padding: 8px 12px; }
.card b { display: block; font-size: 20px; }
.card span { color: #5b6475; font-size: 13px; }
.row { display: flex; flex-wrap: wrap; gap: 28px; align-items: flex-start; }
.row figure { flex: 0 1 auto; max-width: 520px; }
figure { margin: 8px 0; }
figcaption { color: #5b6475; font-size: 13px; max-width: 760px; }
svg.chart { display: block; max-width: 100%; height: auto; }
svg .tick { font-size: 11px; fill: #4a5263; }
svg .label { font-size: 11.5px; fill: #2d3444; }
svg .value { font-size: 11px; fill: #1d2330; font-weight: 600; }
svg .inside { font-size: 11px; fill: #fff; font-weight: 600; }
svg .axis { stroke: #6b7385; stroke-width: 1; }
svg .grid { stroke: #e6e9ef; stroke-width: 1; }
svg .frame { fill: none; stroke: #d5d9e1; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; font-size: 13px; margin: 4px 0; }
.legend i, .glossary i { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
.glossary { list-style: none; padding: 0; margin: 6px 0 0; font-size: 13.5px; }
table { border-collapse: collapse; font-size: 13.5px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #eceef2; text-align: right; }
th:first-child, .config th, .list td { text-align: left; }
.counts td.tag { text-align: left; font-size: 12px; }
td.real { color: ${COLOR.blue}; } td.fake { color: ${COLOR.vermillion}; }
.config td { text-align: left; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; word-break: break-all; }
.config th { font-weight: 600; white-space: nowrap; }
article.video { border-top: 1px solid #eceef2; padding: 10px 0 4px; }
.facts { margin: 2px 0 6px; color: #3b4456; font-size: 13px; }
.plots { display: flex; flex-wrap: wrap; gap: 8px; }
footer { color: #6b7385; font-size: 12.5px; text-align: center; }
`;
