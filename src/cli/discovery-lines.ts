import type { BuildPlan } from "../batch/run-build.js";

/** Warnings shown one per line before a count of the rest. */
const SHOWN_WARNINGS = 3;

/**
 * What the build says about discovery, one line each: files passed over by kind (never read), split-file entries
 * that named no video (with --allow-missing), perturbation records that disagree with their folder, and a dataset
 * without a real class (with how to add one).
 */
export function discoveryLines(plan: Pick<BuildPlan, "unmatched" | "linksOutsideRoot" | "skipped" | "splitEntries" | "missing" | "warnings" | "noRealClass">): string[] {
  const lines: string[] = [];
  const kinds = Object.entries(plan.skipped).filter(([, n]) => n > 0);
  if (plan.unmatched.length > 0) kinds.push(["unmatched", plan.unmatched.length]);
  if (kinds.length > 0) {
    const total = kinds.reduce((sum, [, n]) => sum + n, 0);
    lines.push(
      `build: skipped ${total} file${total === 1 ? "" : "s"}: ${kinds.map(([kind, n]) => `${n} ${kind}`).join(", ")}` +
        (plan.unmatched.length > 0 ? ` (unmatched: video files no rule of the layout matches, e.g. ${plan.unmatched[0]})` : ""),
    );
  }
  if (plan.linksOutsideRoot.length > 0) {
    lines.push(`build: ${plan.linksOutsideRoot.length} linked folder(s) lead outside --root and are not walked, e.g. ${plan.linksOutsideRoot[0]}`);
  }
  if (plan.missing.length > 0) {
    const first = plan.missing[0]!;
    lines.push(
      `build: ${plan.missing.length} of ${plan.splitEntries} split-file entries name no video and are left out (--allow-missing), ` +
        `e.g. ${first.file}: ${first.at} (${first.text}); manifest.json lists them all (source.split_coverage)`,
    );
  }
  for (const warning of plan.warnings.slice(0, SHOWN_WARNINGS)) lines.push(`build: warning: ${warning}`);
  if (plan.warnings.length > SHOWN_WARNINGS) lines.push(`build: warning: … and ${plan.warnings.length - SHOWN_WARNINGS} more like these`);
  if (plan.noRealClass !== undefined) lines.push(`build: warning: ${plan.noRealClass}`);
  return lines;
}
