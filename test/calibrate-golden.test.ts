import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { NO_FIXTURES, lrnetFixtures, repoRoot } from "./helpers/paths.js";

const run = promisify(execFile);

interface Parity {
  identical: number;
  values: number;
  maxDiff: number;
}

/** Compares two LRNet text files value by value (as written: the same text is the same value). */
function compare(oursPath: string, goldenPath: string): Parity {
  const ours = readFileSync(oursPath, "utf8").trimEnd().split("\n");
  const golden = readFileSync(goldenPath, "utf8").trimEnd().split("\n");
  assert.equal(ours.length, golden.length, "one row per golden row");
  let identical = 0;
  let values = 0;
  let maxDiff = 0;
  for (let r = 0; r < golden.length; r++) {
    const a = ours[r]!.split(" ");
    const b = golden[r]!.split(" ");
    assert.equal(a.length, 136);
    for (let j = 0; j < 136; j++) {
      values++;
      if (a[j] === b[j]) identical++;
      else maxDiff = Math.max(maxDiff, Math.abs(Number(a[j]) - Number(b[j])));
    }
  }
  return { identical, values, maxDiff };
}

const cases = [
  { video: "000_003.mp4", csv: "000_003.csv", golden: "000_003.calibrated.txt", modes: [["--parity"], []] },
  { video: "000_003.mp4", csv: "000_003_edge.csv", golden: "000_003_edge.calibrated.txt", modes: [["--parity"]] },
  { video: "ff_real.mp4", csv: "ff_real_mp.csv", golden: "ff_real_mp.calibrated.txt", modes: [["--parity"]] },
  // 2048×1536, face box 415 px: every crop shrinks with INTER_AREA.
  { video: "000_003_big.mp4", csv: "000_003_big.csv", golden: "000_003_big.calibrated.txt", modes: [["--parity"]] },
];

for (const c of cases) {
  for (const mode of c.modes) {
    test(`calibrate ${c.csv} ${mode.join(" ") || "(default mode)"} reproduces LRNet's golden output`, { skip: lrnetFixtures ? false : NO_FIXTURES }, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), "lrnet-golden-"));
      const out = join(dir, "out.txt");
      const f = (name: string) => join(lrnetFixtures!, name);
      await run(process.execPath, [join(repoRoot, "bin", "lrnet-data.js"), "calibrate", "--video", f(c.video), "--openface", f(c.csv), "--out", out, ...mode]);
      const p = compare(out, f(c.golden));
      t.diagnostic(`${p.identical}/${p.values} values identical (${((100 * p.identical) / p.values).toFixed(4)} %), max difference ${p.maxDiff}`);
      assert.equal(p.identical, p.values, "every value identical to LRNet's");
    });
  }
}
