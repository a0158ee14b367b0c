import { formatValidationSummary, validateDataset, VALIDATION_DEFAULTS } from "../validate/index.js";
import { UsageError } from "../errors.js";
import { parseCommand, share, wholeNumber } from "./options.js";

export const VALIDATE_HELP = `lrnet-data validate: check a built dataset before training (the CI gate)

Usage:
  lrnet-data validate OUT [--json] [--max-failed-share X] [--min-detected-share X] [--block N] [--allow-leakage]

Checks the output directory OUT of lrnet-data build:
  - manifest.json against manifests/manifest.schema.json, and its own cross-references
  - every data file exists with the sha256, size and row count the manifest records (hashed while read);
    no unlisted file under data/ (readers would take it as data)
  - Parquet columns, order and types
  - per video: its rows where the manifest says, rows = frames, frame indices 0..n-1 without gaps or
    duplicates, status counts and mean score as recorded, landmarks of 136 finite values on the 0.005 grid
    (the share outside [-1, 1] is reported), finite times and scores (the raw points' column is
    type-checked and covered by the sha256, not decoded: that halves the time)
  - splits disjoint, and no identity in two splits (FF++: youtube:000 in train and test, directly or
    through a fake 000_003 whose source 003 sits in another split)
  - every video has more frames with landmarks than a training block (LRNet takes none otherwise)
  - every video has its face detected in enough frames; failed videos within the allowed share
Every problem names its file, video and frame. Data files are read once each.

Options:
  --json                   print the whole report as JSON (every finding) instead of the summary
  --max-failed-share X     share of failed videos that still passes (default ${VALIDATION_DEFAULTS.maxFailedShare})
  --min-detected-share X   share of a video's frames with a detected face below which it fails (default ${VALIDATION_DEFAULTS.minDetectedShare}; 0 turns it off)
  --block N                frames of a training block (default ${VALIDATION_DEFAULTS.block}; 0 turns the check off)
  --allow-leakage          report identities in two splits as warnings, not errors (datasets whose
                           official splits share people)
  -h, --help               this text

Exit codes: 0 the dataset holds; 1 it does not (or OUT is not a directory); 2 usage.
`;

export async function runValidateCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    argv,
    {
      json: { type: "boolean", default: false },
      "max-failed-share": { type: "string" },
      "min-detected-share": { type: "string" },
      block: { type: "string" },
      "allow-leakage": { type: "boolean", default: false },
    },
    VALIDATE_HELP,
    true,
  );
  if (parsed === null) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(`validate takes one output directory, got ${positionals.length}`);
  const report = await validateDataset(positionals[0]!, {
    maxFailedShare: share(values["max-failed-share"], "--max-failed-share") ?? VALIDATION_DEFAULTS.maxFailedShare,
    minDetectedShare: share(values["min-detected-share"], "--min-detected-share") ?? VALIDATION_DEFAULTS.minDetectedShare,
    block: wholeNumber(values.block, "--block") ?? VALIDATION_DEFAULTS.block,
    allowLeakage: values["allow-leakage"],
    ...(process.stderr.isTTY ? { onProgress: showProgress } : {}),
  });
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatValidationSummary(report));
  return report.ok ? 0 : 1;
}

function showProgress(done: number, total: number): void {
  process.stderr.write(`\rvalidate: ${done}/${total} data files checked`);
}


