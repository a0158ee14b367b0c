import { writeReport } from "../report/index.js";
import { UsageError } from "../errors.js";
import { parseCommand, required, wholeNumber } from "./options.js";

export const REPORT_HELP = `lrnet-data report: one HTML page that shows what a built dataset holds

Usage:
  lrnet-data report OUT -o report.html [--worst N] [--allow-incomplete]

Writes a self-contained page (inline SVG charts, no scripts, nothing loaded from the network) for someone
who has never seen the tool: videos per split, method and label; what happened to the frames (detected,
held, rejected, skipped) per method; distributions of the detector's mean confidence and of landmark
jitter before and after calibration; the videos where the face was found least often and those with the
shakiest calibrated landmarks, each with small plots of a few landmarks raw against calibrated; failed
videos; and the configuration that made the dataset.

Options:
  -o, --out FILE   the HTML file to write (atomically)
  --worst N        videos in each "to look at" list (default 5)
  --allow-incomplete
                   report a dataset whose build has not finished (manifest state "building") or whose
                   manifest does not hold together; refused otherwise. What is missing is listed here
                   and on the page
  -h, --help       this text

Only files inside OUT are read: a manifest naming a path outside (absolute, "..", a link leading out) is
refused in one line naming the field.

Exit codes: 0 written; 1 error, or the dataset is incomplete (one line why); 2 usage.

Examples:
  lrnet-data report ffpp-c23 -o report.html
  lrnet-data report half-built -o progress.html --allow-incomplete --worst 10
`;

export async function runReportCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    argv,
    {
      out: { type: "string", short: "o" },
      worst: { type: "string" },
      "allow-incomplete": { type: "boolean", default: false },
    },
    REPORT_HELP,
    true,
  );
  if (parsed === null) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(`report takes one dataset directory, got ${positionals.length}`);
  const out = required(values.out, "-o FILE");
  const worst = wholeNumber(values.worst, "--worst") ?? 5;
  const { bytes, incomplete } = await writeReport(positionals[0]!, out, { worst, allowIncomplete: values["allow-incomplete"] });
  for (const problem of incomplete) process.stderr.write(`report: incomplete dataset (--allow-incomplete): ${problem}\n`);
  process.stdout.write(`wrote ${out} (${(bytes / 1024).toFixed(0)} KiB)\n`);
  return 0;
}
