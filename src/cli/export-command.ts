import { exportDataset } from "../export/export-dataset.js";
import { LRNET_BLOCK_FRAMES } from "../calibrate/constants.js";
import { UsageError } from "../errors.js";
import { parseCommand, required, wholeNumber } from "./options.js";

export const EXPORT_HELP = `lrnet-data export: write a built dataset as LRNet's landmark text files

Usage:
  lrnet-data export OUT --format lrnet -o DIR [--block N] [--overwrite]

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

A new or empty DIR is written as a whole: into a hidden directory beside it, renamed into place at the
end, so a failed export leaves nothing behind. With --overwrite, each file is written atomically in place.
Data files are checked against the manifest's sha256 while read.

Options:
  --format lrnet   the output format (only lrnet for now; the default)
  -o, --out DIR    the directory to write into; it must be empty unless --overwrite
  --block N        leave out videos with N or fewer frames with landmarks (default 30): LRNet takes no
                   training block from them and its evaluation would misalign its per-video labels.
                   0 keeps every video with at least 2 such frames
  --overwrite      write into a directory that has files (same names are replaced; others are listed)
  -h, --help       this text

Exit codes: 0 written; 1 error (nothing half-written); 2 usage.
`;

export async function runExportCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    argv,
    {
      format: { type: "string", default: "lrnet" },
      out: { type: "string", short: "o" },
      block: { type: "string" },
      overwrite: { type: "boolean", default: false },
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
  const report = await exportDataset(positionals[0]!, { format: "lrnet", dir, block, overwrite: values.overwrite });
  const lines = report.files.reduce((sum, f) => sum + f.lines, 0);
  const out: string[] = [];
  out.push(
    `exported ${report.files.length} videos (${lines.toLocaleString("en-US")} lines; ${report.droppedRows.toLocaleString("en-US")} frames without landmarks dropped) ` +
      `into ${report.dir} as ${report.layout === "lrnet-ffpp" ? "LRNet's FF++ tree" : "<label>/<split>/<id>.txt"} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  for (const [folder, count] of Object.entries(report.folders).sort()) out.push(`  ${folder}: ${count}`);
  if (report.skipped.length > 0) {
    out.push(`left out ${report.skipped.length} videos:`);
    for (const s of report.skipped.slice(0, 20)) out.push(`  ${s.video}: ${s.reason}`);
    if (report.skipped.length > 20) out.push(`  … ${report.skipped.length - 20} more`);
  }
  if (report.foreignFiles.length > 0) {
    out.push(`warning: ${report.foreignFiles.length} other files sit in the written folders and LRNet would read them too: ${report.foreignFiles.slice(0, 5).join(", ")}${report.foreignFiles.length > 5 ? ", …" : ""}`);
  }
  process.stdout.write(out.join("\n") + "\n");
  return 0;
}
