import { exportDataset } from "../export/export-dataset.js";
import { LRNET_BLOCK_FRAMES } from "../calibrate/constants.js";
import { UsageError } from "../errors.js";
import { parseCommand, required, wholeNumber } from "./options.js";

export const EXPORT_HELP = `lrnet-data export: write a built dataset as LRNet's landmark text files

Usage:
  lrnet-data export OUT --format lrnet -o DIR [--block N] [--overwrite] [--allow-incomplete]

Writes one text file per video: one line per frame that has landmarks (frames without are dropped),
136 calibrated values x0 y0 ... x67 y67, "%1.5f", space-separated: what LRNet's training code reads.

Layout of DIR:
  FaceForensics++ (layout ffpp): LRNet's own tree, so its unmodified training code runs on it:
    DIR/{Origin,DF,F2F,FS,NT,FSh,DFD}/{raw,c23,c40}/{train,val,test}/<clip>.txt
    youtube and actors -> Origin, Deepfakes -> DF, Face2Face -> F2F, FaceSwap -> FS, NeuralTextures -> NT,
    FaceShifter -> FSh, DeepFakeDetection -> DFD; compression c0 (FF++'s older name) and raw -> raw;
    <clip> is the file name of the clip, e.g. DF/c23/test/000_003.txt
  any other layout: DIR/<label>/<split>/<id>.txt, the id flattened into one name: "%" -> %25, "/" -> %2F
    (e.g. real/train/celeb%2Fid0_0001.txt; decodeURIComponent gives the id back)

A new or empty DIR is written as a whole: into a hidden directory beside it (.DIR.export-<pid>-<hex>,
marked as lrnet-data's), renamed into place at the end, so a failed export leaves nothing behind; the
hidden folder of an export that was killed is removed by the next export into DIR. With --overwrite, each
file is written atomically in place. Data files are checked against the manifest's sha256 while read, and
only files inside OUT are read (a manifest naming a path outside is refused, naming the field).

A dataset whose build has not finished (manifest state "building") or whose manifest does not hold together
(e.g. a video whose data file is not listed) is refused: the export would miss videos without a word.
--allow-incomplete exports what can be read and lists every video left out and why.

Options:
  --format lrnet   the output format (only lrnet for now; the default)
  -o, --out DIR    the directory to write into; it must be empty unless --overwrite
  --block N        leave out videos with N or fewer frames with landmarks (default 30): LRNet takes no
                   training block from them and its evaluation would misalign its per-video labels.
                   0 keeps every video with at least 2 such frames
  --overwrite      write into an earlier lrnet-data export that has files (same names are replaced;
                   others are listed); a directory lrnet-data did not export into is refused
  --allow-incomplete
                   export an unfinished or inconsistent dataset: what can be read, the rest listed
  -h, --help       this text

Exit codes: 0 written; 1 error, or the dataset is incomplete (one line why; nothing half-written); 2 usage.

Examples:
  lrnet-data export ffpp-c23 --format lrnet -o lrnet-txt
  lrnet-data export ffpp-c23 -o lrnet-txt --overwrite          (refresh an earlier export)
  lrnet-data export half-built -o partial-txt --allow-incomplete
`;

export async function runExportCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    argv,
    {
      format: { type: "string", default: "lrnet" },
      out: { type: "string", short: "o" },
      block: { type: "string" },
      overwrite: { type: "boolean", default: false },
      "allow-incomplete": { type: "boolean", default: false },
    },
    EXPORT_HELP,
    true,
  );
  if (parsed === null) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(`export takes one dataset directory, got ${positionals.length}`);
  if (values.format !== "lrnet") throw new UsageError(`--format ${values.format} is not known (known: lrnet)`);
  const dir = required(values.out, "-o DIR");
  const block = wholeNumber(values.block, "--block") ?? LRNET_BLOCK_FRAMES;
  const started = performance.now();
  const report = await exportDataset(positionals[0]!, {
    format: "lrnet",
    dir,
    block,
    overwrite: values.overwrite,
    allowIncomplete: values["allow-incomplete"],
  });
  const lines = report.files.reduce((sum, f) => sum + f.lines, 0);
  const out: string[] = [];
  for (const path of report.removedStaging) out.push(`removed ${path}, left by an interrupted export`);
  for (const problem of report.incomplete) out.push(`incomplete dataset (--allow-incomplete): ${problem}`);
  out.push(
    `exported ${report.files.length} videos (${lines.toLocaleString("en-US")} lines; ${report.droppedRows.toLocaleString("en-US")} frames without landmarks dropped) ` +
      `into ${report.dir} as ${report.layout === "lrnet-ffpp" ? "LRNet's FF++ tree" : "<label>/<split>/<id>.txt"} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  for (const [folder, count] of Object.entries(report.folders).sort()) out.push(`  ${folder}: ${count}`);
  if (report.skipped.length > 0) {
    out.push(`left out ${report.skipped.length} videos:`);
    // With --allow-incomplete every missing video is listed; otherwise the first 20 (short videos).
    const shown = report.incomplete.length > 0 ? report.skipped : report.skipped.slice(0, 20);
    for (const s of shown) out.push(`  ${s.video}: ${s.reason}`);
    if (report.skipped.length > shown.length) out.push(`  … ${report.skipped.length - shown.length} more`);
  }
  if (report.failed.length > 0) {
    out.push(`not in the dataset: ${report.failed.length} videos its build failed on (manifest.json "failures"; a rerun of the build retries them)${report.incomplete.length > 0 ? ":" : ""}`);
    if (report.incomplete.length > 0) for (const f of report.failed) out.push(`  ${f.video}: ${f.error}`);
  }
  if (report.foreignFiles.length > 0) {
    out.push(`warning: ${report.foreignFiles.length} other files sit in the written folders and LRNet would read them too: ${report.foreignFiles.slice(0, 5).join(", ")}${report.foreignFiles.length > 5 ? ", …" : ""}`);
  }
  process.stdout.write(out.join("\n") + "\n");
  return 0;
}
