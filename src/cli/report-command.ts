import { writeReport } from "../report/index.js";
import { UsageError } from "../errors.js";
import { parseCommand, required, wholeNumber } from "./options.js";

export const REPORT_HELP = `lrnet-data report: one HTML page that shows what a built dataset holds

Usage:
  lrnet-data report OUT -o report.html [--worst N]

Writes a self-contained page (inline SVG charts, no scripts, nothing loaded from the network) for someone
who has never seen the tool: videos per split, method and label; what happened to the frames (detected,
held, rejected, skipped) per method; distributions of the detector's mean confidence and of landmark
jitter before and after calibration; the videos where the face was found least often and those with the
shakiest calibrated landmarks, each with small plots of a few landmarks raw against calibrated; failed
videos; and the configuration that made the dataset.

Options:
  -o, --out FILE   the HTML file to write (atomically)
  --worst N        videos in each "to look at" list (default 5)
  -h, --help       this text

Exit codes: 0 written; 1 error; 2 usage.
`;

export async function runReportCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    argv,
    {
      out: { type: "string", short: "o" },
      worst: { type: "string" },
    },
    REPORT_HELP,
    true,
  );
  if (parsed === null) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(`report takes one dataset directory, got ${positionals.length}`);
  const out = required(values.out, "-o FILE");
  const worst = wholeNumber(values.worst, "--worst") ?? 5;
  const { bytes } = await writeReport(positionals[0]!, out, { worst });
  process.stdout.write(`wrote ${out} (${(bytes / 1024).toFixed(0)} KiB)\n`);
  return 0;
}
