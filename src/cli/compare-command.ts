import { formatComparison, runComparison } from "../compare/run-compare.js";
import { UsageError } from "../errors.js";
import { parseCommand, wholeNumber } from "./options.js";

export const COMPARE_HELP = `lrnet-data compare: how far apart two landmark datasets of the same videos are

Usage:
  lrnet-data compare A B [--json] [-o compare.html] [--plots N]

A and B are two build outputs (folders with manifest.json), e.g. the same videos built with two detectors, or
two LRNet landmark text files of one video. Videos are paired by id. For each video and overall:
  - NME of the calibrated landmarks: the mean distance between the same point on both sides, frame by frame
    (frames where both have landmarks), divided by B's inter-ocular distance (eye centre to eye centre);
    per region too (jaw, brows, nose, eyes, mouth); 0 when both sides are the same;
  - each side's detected share, held and rejected shares, and jitter before and after calibration;
  - the videos present on one side only.

Options:
  --json          print {"summary": {"videos": N, "nme_mean": x, …}, "videos": [{"id": …, "nme": x, "regions": {…}, …}]}
  -o, --out FILE  also write an HTML page (the report's style) with the videos that differ most, their A and B
                  trajectories overlaid
  --plots N       videos plotted on the page (default 6)
  -h, --help      this text

Examples:
  lrnet-data compare ffpp-mediapipe ffpp-face-api
  lrnet-data compare ffpp-mediapipe ffpp-openface --json | jq .summary.regions
  lrnet-data compare old new -o compare.html
  lrnet-data compare ff_real.txt ff_real.lrnet.txt

Exit codes: 0 compared; 1 error; 2 usage.
`;

export async function runCompareCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    argv,
    {
      json: { type: "boolean", default: false },
      out: { type: "string", short: "o" },
      plots: { type: "string" },
    },
    COMPARE_HELP,
    true,
  );
  if (parsed === null) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 2) throw new UsageError(`compare takes two datasets (or text files), got ${positionals.length}`);
  const plots = wholeNumber(values.plots, "--plots") ?? 6;
  const comparison = await runComparison(positionals[0]!, positionals[1]!, { ...(values.out === undefined ? {} : { html: values.out }), plots });
  process.stdout.write(values.json ? JSON.stringify(comparison, null, 1) + "\n" : formatComparison(comparison));
  if (values.out !== undefined && !values.json) process.stdout.write(`wrote ${values.out}\n`);
  return 0;
}
