import { COLOR, STYLE } from "../report/html.js";
import { TRACE_POINTS } from "../report/collect.js";
import { escapeXml as esc, legend, lineChart } from "../report/svg.js";
import { SHAPE_VALUES } from "../shape/shape.js";
import type { Comparison, SideFacts, VideoComparison } from "./compare-sides.js";
import type { VideoLandmarkRows } from "./sides.js";

const A_COLOR = COLOR.orange;
const B_COLOR = COLOR.blue;
/** At most this many frames per plotted line (longer videos are thinned evenly). */
const MAX_PLOT_FRAMES = 900;

/** The two sides' trajectories of the plotted points for one video, by frame index. */
export interface ComparedTrace {
  video: VideoComparison;
  frames: number[];
  points: { index: number; name: string; a: { x: (number | null)[]; y: (number | null)[] }; b: { x: (number | null)[]; y: (number | null)[] } }[];
}

/** Samples the plotted points of both sides over the union of their frames. */
export function traceOf(video: VideoComparison, rowsA: VideoLandmarkRows, rowsB: VideoLandmarkRows): ComparedTrace {
  const rowOf = (rows: VideoLandmarkRows) => {
    const map = new Map<number, number>();
    for (let r = 0; r < rows.frame.length; r++) if (rows.present[r]) map.set(rows.frame[r]!, r);
    return map;
  };
  const inA = rowOf(rowsA);
  const inB = rowOf(rowsB);
  const all = [...new Set([...inA.keys(), ...inB.keys()])].sort((x, y) => x - y);
  const stride = Math.max(1, Math.ceil(all.length / MAX_PLOT_FRAMES));
  const frames = all.filter((_, i) => i % stride === 0);
  const coordinate = (rows: VideoLandmarkRows, map: Map<number, number>, point: number, axis: 0 | 1) =>
    frames.map((f) => {
      const r = map.get(f);
      return r === undefined ? null : Number(rows.landmarks[r * SHAPE_VALUES + 2 * point + axis]!.toFixed(4));
    });
  return {
    video,
    frames,
    points: TRACE_POINTS.map(({ index, name }) => ({
      index,
      name,
      a: { x: coordinate(rowsA, inA, index, 0), y: coordinate(rowsA, inA, index, 1) },
      b: { x: coordinate(rowsB, inB, index, 0), y: coordinate(rowsB, inB, index, 1) },
    })),
  };
}

export interface CompareReportInput {
  comparison: Comparison;
  traces: readonly ComparedTrace[];
  generatedAt: Date;
  toolVersion: string;
}

/** The comparison page: one HTML file with inline CSS and SVG, no scripts, in the report's style. */
export function renderComparison(input: CompareReportInput): string {
  const { summary } = input.comparison;
  const title = `Landmark comparison: ${summary.a.path} vs ${summary.b.path}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${overview(input.comparison)}
${sides(input.comparison)}
${videoTable(input.comparison)}
${plots(input.traces)}
<footer>Made by lrnet-data ${esc(input.toolVersion)} on ${esc(input.generatedAt.toISOString().replace("T", " ").slice(0, 19))} UTC. This page is self-contained: it runs no scripts and loads nothing from the network.</footer>
</main>
</body>
</html>
`;
}

function overview({ summary }: Comparison): string {
  const card = (value: string, label: string) => `<div class="card"><b>${esc(value)}</b><span>${esc(label)}</span></div>`;
  const regions = summary.regions ?? {};
  return `<header>
<h1>Landmark comparison</h1>
<p class="path"><span style="color:${A_COLOR}">A</span> ${esc(summary.a.path)} (${esc(summary.a.describe)})<br><span style="color:${B_COLOR}">B</span> ${esc(summary.b.path)} (${esc(summary.b.describe)})</p>
<p class="explain">Both sides hold LRNet's calibrated 68 landmarks for the same videos, made for example by two detectors. For every
frame where both have landmarks, the distance between the same point on each side is measured and divided by B's distance
between the eye centres (<b>NME</b>, normalised mean error: 0.05 is 5 % of the eye distance). A value near 0 means LRNet
would see practically the same data.</p>
<div class="cards">
${card(String(summary.videos), "videos on both sides")}
${card(fmt(summary.nme_mean), "mean NME")}
${card(fmt(summary.nme_median), "median NME")}
${card(fmt(summary.nme_max), "largest NME")}
${card(String(summary.frames_compared), "frames compared")}
${card(`${summary.only_a.length} / ${summary.only_b.length}`, "videos only in A / only in B")}
</div>
<table class="counts" style="margin-top:12px"><tr><th>region</th>${Object.keys(regions).map((r) => `<th>${esc(r)}</th>`).join("")}</tr>
<tr><td>NME</td>${Object.values(regions).map((v) => `<td>${fmt(v)}</td>`).join("")}</tr></table>
</header>`;
}

function sides({ summary }: Comparison): string {
  const row = (name: string, a: number | null, b: number | null, percent: boolean) =>
    `<tr><th>${esc(name)}</th><td>${percent ? pct(a) : fmt(a)}</td><td>${percent ? pct(b) : fmt(b)}</td></tr>`;
  const only = (label: string, ids: string[]) =>
    ids.length === 0 ? "" : `<p class="warn">Only in ${label}: ${esc(ids.slice(0, 20).join(", "))}${ids.length > 20 ? `, … (${ids.length} in all)` : ""}</p>`;
  return `<section>
<h2>Each side</h2>
<p class="explain">Means over the videos on both sides. <i>Detected</i>: frames where the detector found the face; <i>held</i> and
<i>rejected</i>: frames where the previous shape was kept (no face, or an implausible jump); <i>jitter</i>: frame-to-frame shake of
the points in face sizes, before and after calibration.</p>
<table><tr><th></th><th style="color:${A_COLOR}">A</th><th style="color:${B_COLOR}">B</th></tr>
${row("videos", summary.a.videos, summary.b.videos, false).replace(/(\d+)\.0000/g, "$1")}
${row("detected", summary.a.detected_share, summary.b.detected_share, true)}
${row("held", summary.a.held_share, summary.b.held_share, true)}
${row("rejected", summary.a.rejected_share, summary.b.rejected_share, true)}
${row("jitter raw", summary.a.jitter_raw, summary.b.jitter_raw, false)}
${row("jitter calibrated", summary.a.jitter_calibrated, summary.b.jitter_calibrated, false)}
</table>
${only("A", summary.only_a)}${only("B", summary.only_b)}
</section>`;
}

function videoTable({ videos }: Comparison): string {
  if (videos.length === 0) return "";
  const sorted = [...videos].sort((x, y) => (y.nme ?? -1) - (x.nme ?? -1));
  const shown = sorted.slice(0, 50);
  const regionNames = Object.keys(videos.find((v) => v.regions)?.regions ?? {});
  const side = (f: SideFacts) => `${pct(f.detected_share)} · ${fmt(f.jitter_calibrated)}`;
  return `<section>
<h2>Videos, most different first</h2>
<p class="explain">NME per video and region; each side's detected share and calibrated jitter.${videos.length > shown.length ? ` The ${shown.length} most different of ${videos.length} videos (all are in <code>--json</code>).` : ""}</p>
<table class="list"><tr><th>video</th><th>frames</th><th>NME</th>${regionNames.map((r) => `<th>${esc(r)}</th>`).join("")}<th style="color:${A_COLOR}">A detected · jitter</th><th style="color:${B_COLOR}">B detected · jitter</th></tr>
${shown
  .map(
    (v) =>
      `<tr><td>${esc(v.id)}</td><td>${v.frames_compared}</td><td>${fmt(v.nme)}</td>${regionNames.map((r) => `<td>${fmt(v.regions?.[r] ?? null)}</td>`).join("")}<td>${side(v.a)}</td><td>${side(v.b)}</td></tr>`,
  )
  .join("\n")}
</table>
</section>`;
}

function plots(traces: readonly ComparedTrace[]): string {
  if (traces.length === 0) return "";
  const cards = traces.map(({ video, points }) => {
    const charts = points.flatMap((p) =>
      (["x", "y"] as const).map((axis) =>
        lineChart({
          title: `${video.id}: ${p.name} ${axis}, A and B`,
          caption: `${p.name} (point ${p.index}), ${axis === "x" ? "left–right" : "up–down"}`,
          series: [
            { name: "A", color: A_COLOR, values: p.a[axis] },
            { name: "B", color: B_COLOR, values: p.b[axis] },
          ],
        }),
      ),
    );
    return `<article class="video"><h3>${esc(video.id)}</h3><p class="facts">NME ${fmt(video.nme)} over ${video.frames_compared} frames</p><div class="plots">${charts.join("")}</div></article>`;
  });
  return `<section>
<h2>Trajectories of the videos that differ most</h2>
<p class="explain">Calibrated positions (LRNet's units: the face crop spans −1 to 1) of three points over the frames, A over B.
Where the lines part, the two sides put the point in different places; where one line is more jagged, that side shakes more.</p>
${legend([{ name: "A", color: A_COLOR }, { name: "B", color: B_COLOR }])}
${cards.join("\n")}
</section>`;
}

function fmt(v: number | null): string {
  return v === null ? "–" : v.toFixed(4);
}

function pct(v: number | null): string {
  return v === null ? "–" : `${(100 * v).toFixed(1)} %`;
}
