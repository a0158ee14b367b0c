import { percent, plural } from "./findings.js";
import type { ValidationReport } from "./types.js";

/** Findings shown per check in the text summary; --json has all of them. */
const SHOWN_PER_CHECK = 10;

/** The readable summary `lrnet-data validate` prints: verdict, figures, each check with its findings. */
/** The text summary of a validation; `exitLine: false` leaves out the closing "exit N" (when build prints it). */
export function formatValidationSummary(report: ValidationReport, { exitLine = true }: { exitLine?: boolean } = {}): string {
  const f = report.figures;
  const o = report.options;
  const lines: string[] = [];
  const verdict = report.ok ? "HOLDS" : "FAILS";
  lines.push(`lrnet-data validate ${report.outDir}: ${verdict} (${plural(report.errors, "error")}, ${plural(report.warnings, "warning")})`);
  lines.push(
    `  ${plural(f.videos, "video")}, ${f.failures} failed (${percent(f.failedShare)}); ${plural(f.dataFiles, "data file")} (${megabytes(f.bytes)}), ` +
      `${thousands(f.rows)} rows, ${thousands(f.landmarkRows)} with landmarks` +
      (o.block > 0 ? `, ${thousands(f.blocks)} training blocks of ${o.block}` : "") +
      `; ${percent(f.outOfRangeShare)} of calibrated values outside [−1, 1]`,
  );
  lines.push(
    `  thresholds: --max-failed-share ${o.maxFailedShare} --min-detected-share ${o.minDetectedShare} --block ${o.block}${o.allowLeakage ? " --allow-leakage" : ""}`,
  );
  lines.push("");
  const width = Math.max(...report.checks.map((c) => c.name.length), 8);
  for (const check of report.checks) {
    const mark = check.errors > 0 ? "FAIL" : check.warnings > 0 ? "warn" : " ok ";
    const counts = check.errors + check.warnings > 0 ? ` [${[check.errors ? plural(check.errors, "error") : "", check.warnings ? plural(check.warnings, "warning") : ""].filter(Boolean).join(", ")}]` : "";
    lines.push(`  ${mark}  ${check.name.padEnd(width)}  ${check.description}${counts}`);
    const own = report.findings.filter((x) => x.check === check.name);
    for (const finding of own.slice(0, SHOWN_PER_CHECK)) lines.push(`          ${finding.severity}: ${finding.message}`);
    if (own.length > SHOWN_PER_CHECK) lines.push(`          … ${own.length - SHOWN_PER_CHECK} more (all of them with --json)`);
  }
  for (const skip of report.skipped) lines.push(`  skip  ${skip.name.padEnd(width)}  not checked: ${skip.reason}`);
  lines.push("");
  lines.push(`checked in ${f.seconds.toFixed(1)} s` + (exitLine ? `; exit ${report.ok ? 0 : 1}` : ""));
  return lines.join("\n") + "\n";
}

function thousands(n: number): string {
  return n.toLocaleString("en-US");
}

function megabytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}
