import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseLrnetText } from "../src/export/lrnet-txt.js";
import { IBUG_REGIONS } from "../src/sources/mesh-to-ibug.js";
import { compareLandmarkRows } from "../src/metrics/landmark-distance.js";
import { resolveFfmpeg } from "../src/video/ffmpeg.js";
import { NO_FIXTURES, lrnetFixtures, repoRoot, sharedTools } from "./helpers/paths.js";

const run = promisify(execFile);
const FRAMES = 150; // five of LRNet's 30-frame blocks: enough for its classifier, quick enough for CI
/**
 * NME against LRNet's landmarks before the face finder and the exact output box (issue 12: "no worse than
 * today"). The finder looks for faces of this size (17–18 % of the frame's longer side) in the whole frame
 * first, so their raw points are unchanged; the exact box brings them to 0.0476 / 0.0457.
 */
const NME_BEFORE_FINDER: Record<string, number> = { ff_real: 0.0509, ff_fake: 0.0477 };

/**
 * The first FRAMES frames of a fixture clip, re-encoded losslessly from the decoded frames
 * (a stream copy could only cut at key frames).
 */
async function firstFrames(clip: string, dir: string): Promise<string> {
  const ffmpeg = await resolveFfmpeg();
  const out = join(dir, `${clip}.head.mkv`);
  await run(ffmpeg.path, ["-loglevel", "error", "-i", join(lrnetFixtures!, `${clip}.mp4`), "-frames:v", String(FRAMES), "-c:v", "ffv1", out]);
  return out;
}

test(
  "extract on FaceForensics++ clips: LRNet's own classifier labels them real and fake, close to LRNet's own landmarks",
  { skip: lrnetFixtures && sharedTools ? false : NO_FIXTURES },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "lrnet-extract-ff-"));
    const labels: Record<string, string> = {};
    for (const clip of ["ff_real", "ff_fake"]) {
      const video = await firstFrames(clip, dir);
      const out = join(dir, `${clip}.txt`);
      await run(process.execPath, [join(repoRoot, "bin", "lrnet-data.js"), "extract", "--video", video, "--out", out]);
      const ours = parseLrnetText(readFileSync(out, "utf8"), out);
      assert.equal(ours.length, FRAMES, "one row per frame: every frame has a face");
      const refPath = join(lrnetFixtures!, `${clip}.lrnet.txt`);
      const reference = parseLrnetText(readFileSync(refPath, "utf8"), refPath).slice(0, FRAMES);
      const d = compareLandmarkRows(ours, reference, IBUG_REGIONS);
      t.diagnostic(`${clip}: mean ${d.mean.toFixed(4)}, NME ${d.nme.toFixed(4)}, ${JSON.stringify(d.regions)}`);
      // The targets (whole clips: npm run bench -- accuracy), held on the first 150 frames too.
      assert.ok(d.mean <= 0.05, `mean distance ${d.mean}`);
      assert.ok(d.nme <= 0.07, `NME ${d.nme}`);
      assert.ok(d.nme < NME_BEFORE_FINDER[clip]! + 0.00005, `NME ${d.nme.toFixed(4)}, ${NME_BEFORE_FINDER[clip]} before the face finder`);
      const record = JSON.parse(readFileSync(`${out}.json`, "utf8")) as { model: { sha256: string }; mode: string };
      assert.match(record.model.sha256, /^[0-9a-f]{64}$/);
      assert.equal(record.mode, "image");
      const { stdout } = await run(process.execPath, [join(sharedTools!, "lrnet-score.mjs"), "--json", out]);
      labels[clip] = (JSON.parse(stdout) as { label: string }[])[0]!.label;
    }
    assert.deepEqual(labels, { ff_real: "real", ff_fake: "fake" });
  },
);
