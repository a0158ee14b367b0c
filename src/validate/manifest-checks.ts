import { manifestInconsistencies, type Manifest } from "../store/manifest.js";
import { parquetColumns } from "../store/parquet-columns.js";
import { splitGlob } from "../store/partition.js";
import { Findings, listSome, percent, plural } from "./findings.js";
import type { ResolvedValidationOptions } from "./types.js";

/** Checks of the manifest alone: consistency, state, splits, identity leakage, failures, detection rates. */
export function checkManifest(manifest: Manifest, options: ResolvedValidationOptions, findings: Findings): void {
  checkConsistency(manifest, findings);
  if (manifest.state !== "complete") {
    findings.error("state", `manifest.json says state "${manifest.state}": the build that writes it did not finish (rerun it to complete the dataset)`, {
      file: "manifest.json",
    });
  }
  checkSplitsDisjoint(manifest, findings);
  checkIdentityLeakage(manifest, options.allowLeakage, findings);
  checkSplitCoverage(manifest, findings);
  checkFailures(manifest, options.maxFailedShare, findings);
  checkDetection(manifest, options.minDetectedShare, findings);
}

function checkConsistency(manifest: Manifest, findings: Findings): void {
  for (const problem of manifestInconsistencies(manifest)) {
    const video = /^video (\S+)/.exec(problem)?.[1];
    findings.error("consistency", `manifest.json: ${problem}`, { file: "manifest.json", ...(video ? { video } : {}) });
  }
  const columns = parquetColumns(manifest.format_version).map((c) => `${c.name}:${c.type}:${c.nullable}`).join(",");
  if (manifest.columns.map((c) => `${c.name}:${c.type}:${c.nullable}`).join(",") !== columns) {
    findings.error("consistency", "manifest.json: its columns block differs from the dataset's columns", { file: "manifest.json" });
  }
  const splits = Object.keys(manifest.splits);
  const config = manifest.configs.find((c) => c.config_name === "default");
  const expected = splits.map((split) => `${split}=${splitGlob(split, manifest.format_version)}`).join(",");
  if (!config || config.data_files.map((f) => `${f.split}=${f.path}`).join(",") !== expected) {
    findings.error("consistency", `manifest.json: the Hugging Face configs block does not list one data_files glob per split (${splits.join(", ")})`, {
      file: "manifest.json",
    });
  }
}

function checkSplitsDisjoint(manifest: Manifest, findings: Findings): void {
  const splitsOf = new Map<string, string[]>();
  for (const [split, entry] of Object.entries(manifest.splits)) {
    for (const id of entry.videos) splitsOf.set(id, [...(splitsOf.get(id) ?? []), split]);
  }
  for (const [id, splits] of splitsOf) {
    if (splits.length > 1) findings.error("splits", `video ${id} is listed in ${splits.length} splits: ${splits.join(", ")}`, { file: "manifest.json", video: id });
  }
}

/**
 * An identity (a person: FF++ `youtube:000`, DFD `actor:01`) whose videos sit in two or more splits lets a model
 * see a test face in training. A FF++ fake `a_b` carries both `youtube:a` and `youtube:b`, so a fake whose source
 * face belongs to another split is caught too.
 */
export function checkIdentityLeakage(manifest: Manifest, allow: boolean, findings: Findings): void {
  const byIdentity = new Map<string, Map<string, string[]>>();
  for (const video of manifest.videos) {
    for (const identity of video.identities) {
      if (identity === "") continue;
      let splits = byIdentity.get(identity);
      if (!splits) byIdentity.set(identity, (splits = new Map()));
      splits.set(video.split, [...(splits.get(video.split) ?? []), video.id]);
    }
  }
  const severity = allow ? "warning" : "error";
  for (const [identity, splits] of [...byIdentity].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (splits.size < 2) continue;
    const groups = [...splits].sort((a, b) => b[1].length - a[1].length);
    const smallest = groups[groups.length - 1]!;
    const described = groups.map(([split, ids]) => `${split} (${listSome(ids)})`).join(" and ");
    findings.add("leakage", severity, `identity ${identity} appears in ${splits.size} splits: ${described}`, {
      file: "manifest.json",
      video: smallest[1][0]!,
    });
  }
}

/** A partial tree (built with --allow-missing) holds fewer videos than the official split files name: said, never failed. */
function checkSplitCoverage(manifest: Manifest, findings: Findings): void {
  const coverage = manifest.source.split_coverage;
  if (!coverage || coverage.missing.length === 0) return;
  const first = coverage.missing[0]!;
  const found = coverage.entries - coverage.missing.length;
  findings.warning(
    "coverage",
    `${found} of ${coverage.entries} split-file entries (${percent(coverage.entries > 0 ? found / coverage.entries : 1)}) name a video that was built from; ` +
      `${coverage.missing.length} named none (built with --allow-missing), e.g. ${first.file}: ${first.at} (${first.text}); all in manifest.json source.split_coverage`,
    { file: "manifest.json" },
  );
}

function checkFailures(manifest: Manifest, maxShare: number, findings: Findings): void {
  const failed = manifest.failures.length;
  if (failed === 0) return;
  const share = failed / (failed + manifest.videos.length);
  const over = share > maxShare;
  for (const failure of manifest.failures) {
    findings.add("failures", over ? "error" : "warning", `video ${failure.id} (${failure.path}) failed: ${failure.error}`, {
      file: "manifest.json",
      video: failure.id,
    });
  }
  findings.add(
    "failures",
    over ? "error" : "warning",
    `${plural(failed, "video")} failed: ${percent(share)} of ${failed + manifest.videos.length}, ${over ? "more than" : "within"} --max-failed-share ${maxShare}`,
    { file: "manifest.json" },
  );
}

function checkDetection(manifest: Manifest, minShare: number, findings: Findings): void {
  if (minShare <= 0) return;
  for (const video of manifest.videos) {
    const share = video.frames > 0 ? video.status_counts.detected / video.frames : 0;
    if (share < minShare) {
      findings.error(
        "detection",
        `video ${video.id}: face detected in ${video.status_counts.detected} of ${video.frames} frames (${percent(share)}), below --min-detected-share ${minShare}`,
        { file: video.data.file, video: video.id },
      );
    }
  }
}
