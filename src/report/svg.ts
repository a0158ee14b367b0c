/**
 * Small inline-SVG charts for the report page: plain functions from numbers to markup, no scripts, no fonts to
 * fetch. Every chart has a <title> and aria-label so it reads without sight too.
 */

export interface Series {
  name: string;
  color: string;
  values: readonly number[];
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
}

/** About `count` round tick values within [min, max]; with `cover`, the last one is at or above max (an axis top). */
export function niceTicks(min: number, max: number, count = 5, cover = false): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const last = cover ? Math.ceil(max / step - 1e-9) * step : max;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= last + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** A number as a short axis label: 1200 → 1.2k, 0.00125 → 0.00125. */
export function shortNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e4) return `${trim(v / 1e3)}k`;
  if (a === 0) return "0";
  if (a < 1e-3) return v.toExponential(0);
  return trim(v);
}

function trim(v: number): string {
  return String(Number(v.toPrecision(3)));
}

function open(width: number, height: number, title: string): string {
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(title)}"><title>${escapeXml(title)}</title>`;
}

export function legend(items: readonly { name: string; color: string }[]): string {
  return `<div class="legend">${items.map((i) => `<span><i style="background:${i.color}"></i>${escapeXml(i.name)}</span>`).join("")}</div>`;
}

/** Vertical bars per category, the series stacked; the total above each bar. */
export function stackedBars(options: { title: string; categories: readonly string[]; series: readonly Series[]; yLabel: string; width?: number; height?: number }): string {
  const width = options.width ?? Math.max(320, 90 + options.categories.length * 70);
  const height = options.height ?? 260;
  const m = { left: 56, right: 12, top: 20, bottom: 58 };
  const totals = options.categories.map((_, i) => options.series.reduce((s, se) => s + (se.values[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const ticks = niceTicks(0, max, 4, true);
  const top = Math.max(max, ticks[ticks.length - 1]!);
  const plotH = height - m.top - m.bottom;
  const plotW = width - m.left - m.right;
  const y = (v: number): number => m.top + plotH - (v / top) * plotH;
  const slot = plotW / options.categories.length;
  const barW = Math.min(48, slot * 0.7);
  let out = open(width, height, options.title);
  out += axisY(ticks, y, m.left, width - m.right, options.yLabel, m.top + plotH / 2);
  options.categories.forEach((category, i) => {
    const x = m.left + slot * i + (slot - barW) / 2;
    let base = 0;
    for (const series of options.series) {
      const v = series.values[i] ?? 0;
      if (v <= 0) continue;
      out += `<rect x="${f(x)}" y="${f(y(base + v))}" width="${f(barW)}" height="${f(y(base) - y(base + v))}" fill="${series.color}"><title>${escapeXml(`${category}, ${series.name}: ${v}`)}</title></rect>`;
      base += v;
    }
    out += `<text x="${f(x + barW / 2)}" y="${f(y(totals[i]!) - 4)}" text-anchor="middle" class="value">${totals[i]}</text>`;
    out += `<text x="${f(x + barW / 2)}" y="${height - m.bottom + 16}" text-anchor="middle" class="tick">${escapeXml(clip(category, 14))}</text>`;
  });
  out += `<line x1="${m.left}" x2="${width - m.right}" y1="${f(y(0))}" y2="${f(y(0))}" class="axis"/>`;
  return out + "</svg>";
}

/** One horizontal bar per row, its parts as shares of 100 %, the share written inside parts wide enough. */
export function shareBars(options: { title: string; rows: readonly { name: string; note: string; parts: readonly number[] }[]; parts: readonly { name: string; color: string }[]; width?: number }): string {
  const width = options.width ?? 760;
  const rowH = 26;
  const m = { left: 150, right: 90, top: 8, bottom: 26 };
  const height = m.top + m.bottom + options.rows.length * rowH;
  const plotW = width - m.left - m.right;
  let out = open(width, height, options.title);
  options.rows.forEach((row, r) => {
    const total = row.parts.reduce((s, v) => s + v, 0);
    const y = m.top + r * rowH;
    out += `<text x="${m.left - 8}" y="${y + 17}" text-anchor="end" class="tick">${escapeXml(clip(row.name, 22))}</text>`;
    let x = m.left;
    row.parts.forEach((v, p) => {
      if (v <= 0 || total <= 0) return;
      const w = (v / total) * plotW;
      const share = (100 * v) / total;
      out += `<rect x="${f(x)}" y="${y + 3}" width="${f(w)}" height="${rowH - 6}" fill="${options.parts[p]!.color}"><title>${escapeXml(`${row.name}, ${options.parts[p]!.name}: ${v} frames (${share.toFixed(1)} %)`)}</title></rect>`;
      if (w > 44) out += `<text x="${f(x + w / 2)}" y="${y + 17}" text-anchor="middle" class="inside">${share >= 10 ? share.toFixed(0) : share.toFixed(1)} %</text>`;
      x += w;
    });
    out += `<text x="${width - m.right + 6}" y="${y + 17}" class="tick">${escapeXml(row.note)}</text>`;
  });
  const axisY0 = m.top + options.rows.length * rowH;
  for (const pct of [0, 25, 50, 75, 100]) {
    const x = m.left + (pct / 100) * plotW;
    out += `<line x1="${f(x)}" x2="${f(x)}" y1="${axisY0}" y2="${axisY0 + 4}" class="axis"/><text x="${f(x)}" y="${axisY0 + 16}" text-anchor="middle" class="tick">${pct} %</text>`;
  }
  return out + "</svg>";
}

/**
 * Overlaid histograms of the series (translucent bars on shared bins), with each series' median as a dashed
 * line. `log` bins on a log10 scale (values ≤ 0 are left out and counted in the title).
 */
export function histogram(options: { title: string; series: readonly Series[]; xLabel: string; bins?: number; log?: boolean; width?: number; height?: number; domain?: [number, number] }): string {
  const width = options.width ?? 520;
  const height = options.height ?? 250;
  const m = { left: 52, right: 14, top: 16, bottom: 46 };
  const log = options.log ?? false;
  const bins = options.bins ?? 24;
  const t = (v: number): number => (log ? Math.log10(v) : v);
  const usable = options.series.map((s) => s.values.filter((v) => Number.isFinite(v) && (!log || v > 0)).map(t));
  const all = usable.flat();
  let out = open(width, height, options.title);
  if (all.length === 0) return out + `<text x="${width / 2}" y="${height / 2}" text-anchor="middle" class="tick">no values</text></svg>`;
  let lo = options.domain ? t(options.domain[0]) : Math.min(...all);
  let hi = options.domain ? t(options.domain[1]) : Math.max(...all);
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }
  const binW = (hi - lo) / bins;
  const counts = usable.map((values) => {
    const c = new Array<number>(bins).fill(0);
    for (const v of values) c[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / binW)))]!++;
    return c;
  });
  const maxCount = Math.max(1, ...counts.flat());
  const yTicks = niceTicks(0, maxCount, 4, true);
  const top = Math.max(maxCount, yTicks[yTicks.length - 1]!);
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const x = (v: number): number => m.left + ((v - lo) / (hi - lo)) * plotW;
  const y = (c: number): number => m.top + plotH - (c / top) * plotH;
  out += axisY(yTicks, y, m.left, width - m.right, "videos", m.top + plotH / 2);
  counts.forEach((c, s) => {
    const series = options.series[s]!;
    c.forEach((count, b) => {
      if (count === 0) return;
      const x0 = x(lo + b * binW);
      const label = log ? `${shortNumber(10 ** (lo + b * binW))} – ${shortNumber(10 ** (lo + (b + 1) * binW))}` : `${shortNumber(lo + b * binW)} – ${shortNumber(lo + (b + 1) * binW)}`;
      out += `<rect x="${f(x0 + 0.5)}" y="${f(y(count))}" width="${f(Math.max(1, plotW / bins - 1))}" height="${f(y(0) - y(count))}" fill="${series.color}" fill-opacity="${options.series.length > 1 ? 0.55 : 0.85}"><title>${escapeXml(`${series.name}: ${count} videos in ${label}`)}</title></rect>`;
    });
  });
  usable.forEach((values, s) => {
    if (values.length === 0) return;
    const med = median(values);
    const series = options.series[s]!;
    out += `<line x1="${f(x(med))}" x2="${f(x(med))}" y1="${m.top}" y2="${f(y(0))}" stroke="${series.color}" stroke-width="2" stroke-dasharray="5 3"><title>${escapeXml(`median ${series.name}: ${shortNumber(log ? 10 ** med : med)}`)}</title></line>`;
  });
  const xTicks = log ? logTicks(lo, hi) : niceTicks(lo, hi, 5).map((v) => ({ at: v, label: shortNumber(v) }));
  for (const tick of xTicks) {
    if (tick.at < lo - 1e-9 || tick.at > hi + 1e-9) continue;
    out += `<line x1="${f(x(tick.at))}" x2="${f(x(tick.at))}" y1="${f(y(0))}" y2="${f(y(0) + 4)}" class="axis"/><text x="${f(x(tick.at))}" y="${f(y(0) + 16)}" text-anchor="middle" class="tick">${tick.label}</text>`;
  }
  out += `<line x1="${m.left}" x2="${width - m.right}" y1="${f(y(0))}" y2="${f(y(0))}" class="axis"/>`;
  out += `<text x="${m.left + plotW / 2}" y="${height - 6}" text-anchor="middle" class="label">${escapeXml(options.xLabel)}${log ? " (log scale)" : ""}</text>`;
  return out + "</svg>";
}

/** Lines over frames (null = no value: a gap), with shaded frame ranges behind them. */
export function lineChart(options: {
  title: string;
  series: readonly { name: string; color: string; values: readonly (number | null)[] }[];
  shade?: readonly { from: number; to: number; color: string; name: string }[];
  width?: number;
  height?: number;
  yLabel?: string;
  caption?: string;
}): string {
  const width = options.width ?? 330;
  const height = options.height ?? 140;
  const m = { left: 40, right: 8, top: options.caption ? 18 : 8, bottom: 22 };
  const n = Math.max(1, ...options.series.map((s) => s.values.length));
  const present = options.series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  let out = open(width, height, options.title);
  if (options.caption) out += `<text x="${m.left}" y="12" class="label">${escapeXml(options.caption)}</text>`;
  if (present.length === 0) return out + `<text x="${width / 2}" y="${height / 2}" text-anchor="middle" class="tick">no landmarks</text></svg>`;
  let lo = Math.min(...present);
  let hi = Math.max(...present);
  if (!(hi > lo)) {
    lo -= 0.01;
    hi += 0.01;
  }
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const x = (i: number): number => m.left + (n > 1 ? (i / (n - 1)) * plotW : plotW / 2);
  const y = (v: number): number => m.top + plotH - ((v - lo) / (hi - lo)) * plotH;
  for (const s of options.shade ?? []) {
    out += `<rect x="${f(x(s.from) - 0.5)}" y="${m.top}" width="${f(Math.max(1, x(s.to) - x(s.from) + 1))}" height="${plotH}" fill="${s.color}"><title>${escapeXml(`frames ${s.from}–${s.to}: ${s.name}`)}</title></rect>`;
  }
  const ticks = niceTicks(lo, hi, 4);
  for (const tick of ticks) {
    out += `<line x1="${m.left}" x2="${width - m.right}" y1="${f(y(tick))}" y2="${f(y(tick))}" class="grid"/><text x="${m.left - 4}" y="${f(y(tick) + 3)}" text-anchor="end" class="tick">${shortNumber(tick)}</text>`;
  }
  for (const tick of niceTicks(0, n - 1, 4)) {
    out += `<text x="${f(x(tick))}" y="${height - 6}" text-anchor="middle" class="tick">${tick}</text>`;
  }
  options.series.forEach((series, index) => {
    let d = "";
    let pen = false;
    series.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) {
        pen = false;
        return;
      }
      d += `${pen ? "L" : "M"}${f(x(i))} ${f(y(v))}`;
      pen = true;
    });
    // Earlier series are drawn wider, so a later one on top of them still lets them show.
    const strokeWidth = 1.1 + 0.7 * (options.series.length - 1 - index);
    if (d) out += `<path d="${d}" fill="none" stroke="${series.color}" stroke-width="${strokeWidth.toFixed(1)}" stroke-linejoin="round"><title>${escapeXml(series.name)}</title></path>`;
  });
  out += `<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" class="frame"/>`;
  return out + "</svg>";
}

function axisY(ticks: readonly number[], y: (v: number) => number, left: number, right: number, label: string, middle: number): string {
  let out = "";
  for (const tick of ticks) {
    out += `<line x1="${left}" x2="${right}" y1="${f(y(tick))}" y2="${f(y(tick))}" class="grid"/><text x="${left - 6}" y="${f(y(tick) + 4)}" text-anchor="end" class="tick">${shortNumber(tick)}</text>`;
  }
  return out + `<text transform="translate(14 ${f(middle)}) rotate(-90)" text-anchor="middle" class="label">${escapeXml(label)}</text>`;
}

function logTicks(lo: number, hi: number): { at: number; label: string }[] {
  const ticks: { at: number; label: string }[] = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
    for (const m of [1, 2, 5]) {
      const at = e + Math.log10(m);
      if (at >= lo && at <= hi) ticks.push({ at, label: shortNumber(m * 10 ** e) });
    }
  }
  // Within less than a decade 1-2-5 may miss the range: round values of the range itself, placed on the log axis.
  if (ticks.length < 2) return niceTicks(10 ** lo, 10 ** hi, 4).filter((v) => v > 0).map((v) => ({ at: Math.log10(v), label: shortNumber(v) }));
  // Too many labels crowd the axis: keep the powers of ten then.
  return ticks.length > 8 ? ticks.filter((t) => Number.isInteger(Number(t.at.toFixed(9)))) : ticks;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function clip(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

/** Coordinates with one decimal: enough for a chart, a third of the bytes. */
function f(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}
