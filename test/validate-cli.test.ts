import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { ValidationReport } from "../src/validate/index.js";
import { buildSmallDataset, ffppEntries, syntheticVideo } from "./helpers/small-dataset.js";
import { repoRoot } from "./helpers/paths.js";

const run = promisify(execFile);
const cli = join(repoRoot, "bin", "lrnet-data.js");

async function validate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, "validate", ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test("validate CLI: exit 0 with a summary, exit 1 with every violation in --json, exit 2 on usage", async () => {
  const out = mkdtempSync(join(tmpdir(), "lrnet-validate-cli-"));
  try {
    const target = "Deepfakes/c23/002_003";
    await buildSmallDataset(
      out,
      ffppEntries().map((e) => syntheticVideo(e)),
      {
        tamper: (v) => {
          if (v.entry.id === target) v.rows.frame[3] = 2;
        },
      },
    );
    const failing = await validate([out, "--json"]);
    assert.equal(failing.code, 1, failing.stderr);
    const report = JSON.parse(failing.stdout) as ValidationReport;
    assert.equal(report.ok, false);
    assert.deepEqual(
      report.findings.map((f) => [f.check, f.severity, f.video, f.frame]),
      [["frames", "error", target, 2]],
    );
    assert.equal(report.findings[0]!.file, JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")).videos.find((v: { id: string }) => v.id === target).data.file);
    assert.deepEqual(report.options, { maxFailedShare: 0, minDetectedShare: 0.5, block: 30, allowLeakage: false });

    const summary = await validate([out]);
    assert.equal(summary.code, 1);
    assert.match(summary.stdout, /: FAILS \(1 error, 0 warnings\)\n/);
    assert.match(summary.stdout, /\n {2}FAIL {2}frames .*\n {10}error: data\/val\/Deepfakes\/c23\/part-[0-9a-f]+\.parquet: video Deepfakes\/c23\/002_003: frame 2 appears twice; frame 3 is missing/);
    assert.match(summary.stdout, /exit 1\n$/);

    rmSync(out, { recursive: true, force: true });
    await buildSmallDataset(out, ffppEntries().slice(0, 4).map((e) => syntheticVideo(e)));
    const holding = await validate([out, "--max-failed-share", "0.05", "--block", "20"]);
    assert.equal(holding.code, 0, holding.stdout);
    assert.match(holding.stdout, /: HOLDS \(0 errors, 0 warnings\)\n/);
    assert.match(holding.stdout, /thresholds: --max-failed-share 0\.05 --min-detected-share 0\.5 --block 20\n/);

    const usage = await validate([out, "--max-failed-share", "2"]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--max-failed-share takes a share between 0 and 1 \(e\.g\. 0\.01\), got "2"/);
    const missing = await validate([join(out, "nope")]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^lrnet-data: .*nope: not a directory/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
