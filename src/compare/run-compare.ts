import { writeFileDurably } from "../io/durable-fs.js";
import { readToolInfo } from "../io/package-files.js";
import { compareSides, type Comparison } from "./compare-sides.js";
import { renderComparison, traceOf, type ComparedTrace } from "./html.js";
import { CompareError, openSide } from "./sides.js";

export interface CompareOptions {
  /** Write the HTML page here. */
  html?: string;
  /** Videos plotted on the page (the most different; default 6). */
  plots?: number;
  now?: Date;
}

/** Compares two datasets (or text files), and writes the page when asked. */
export async function runComparison(pathA: string, pathB: string, options: CompareOptions = {}): Promise<Comparison> {
  const a = await openSide(pathA);
  const b = await openSide(pathB);
  const comparison = await compareSides(a, b);
  if (options.html !== undefined) {
    const worst = [...comparison.videos]
      .filter((v) => v.nme !== null)
      .sort((x, y) => y.nme! - x.nme!)
      .slice(0, options.plots ?? 6);
    const traces: ComparedTrace[] = [];
    const textPair = a.kind === "text" && b.kind === "text";
    for (const video of worst) {
      const idB = textPair ? [...b.videos.keys()][0]! : video.id;
      traces.push(traceOf(video, await a.rows(video.id), await b.rows(idB)));
    }
    const html = renderComparison({ comparison, traces, generatedAt: options.now ?? new Date(), toolVersion: readToolInfo().version });
    await writeFileDurably(options.html, html).catch((error: NodeJS.ErrnoException) => {
      throw new CompareError(`${options.html}: cannot be written (${error.code ?? error.message})`);
    });
  }
  return comparison;
}

/** The plain-text summary `compare` prints. */
export function formatComparison({ summary, videos }: Comparison, most = 10): string {
  const f = (v: number | null) => (v === null ? "–" : v.toFixed(4));
  const p = (v: number | null) => (v === null ? "–" : `${(100 * v).toFixed(1)} %`);
  const lines = [
    `A: ${summary.a.path} (${summary.a.describe}), ${summary.a.videos} videos`,
    `B: ${summary.b.path} (${summary.b.describe}), ${summary.b.videos} videos`,
    `videos on both sides: ${summary.videos} (${summary.videos_compared} with frames to compare, ${summary.frames_compared} frames); only in A: ${summary.only_a.length}; only in B: ${summary.only_b.length}`,
    `NME (calibrated landmarks, over B's inter-ocular distance): mean ${f(summary.nme_mean)}, median ${f(summary.nme_median)}, max ${f(summary.nme_max)}`,
    `NME per region: ${summary.regions ? Object.entries(summary.regions).map(([name, v]) => `${name} ${f(v)}`).join(", ") : "–"}`,
    `                   A          B`,
    `detected     ${p(summary.a.detected_share).padStart(9)}  ${p(summary.b.detected_share).padStart(9)}`,
    `held         ${p(summary.a.held_share).padStart(9)}  ${p(summary.b.held_share).padStart(9)}`,
    `rejected     ${p(summary.a.rejected_share).padStart(9)}  ${p(summary.b.rejected_share).padStart(9)}`,
    `jitter raw   ${f(summary.a.jitter_raw).padStart(9)}  ${f(summary.b.jitter_raw).padStart(9)}`,
    `jitter cal.  ${f(summary.a.jitter_calibrated).padStart(9)}  ${f(summary.b.jitter_calibrated).padStart(9)}`,
  ];
  const worst = [...videos].filter((v) => v.nme !== null).sort((x, y) => y.nme! - x.nme!).slice(0, most);
  if (worst.length > 0) {
    const regionNames = Object.keys(worst[0]!.regions!);
    lines.push(`most different videos:`, `  ${["video".padEnd(24), "frames", "NME   ", ...regionNames.map((r) => r.padEnd(6))].join(" ")}`);
    for (const v of worst) {
      lines.push(`  ${[v.id.padEnd(24), String(v.frames_compared).padStart(6), f(v.nme), ...regionNames.map((r) => f(v.regions![r]!))].join(" ")}`);
    }
  }
  if (summary.only_a.length > 0) lines.push(`only in A: ${summary.only_a.slice(0, 10).join(", ")}${summary.only_a.length > 10 ? ", …" : ""}`);
  if (summary.only_b.length > 0) lines.push(`only in B: ${summary.only_b.slice(0, 10).join(", ")}${summary.only_b.length > 10 ? ", …" : ""}`);
  return lines.join("\n") + "\n";
}
