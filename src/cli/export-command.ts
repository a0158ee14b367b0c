import { readFile } from "node:fs/promises";
import { exportDataset } from "../export/export-dataset.js";
import { exportHf } from "../export/hf/index.js";
import { exportNpy } from "../export/npy/index.js";
import { LRNET_BLOCK_FRAMES } from "../calibrate/constants.js";
import { UsageError } from "../errors.js";
import { parseCommand, required, wholeNumber } from "./options.js";

export const EXPORT_HELP = `lrnet-data export: write a built dataset as LRNet's text files, a Hugging Face folder or .npy arrays

Usage:
  lrnet-data export OUT --format lrnet -o DIR [--block N] [--overwrite] [--allow-incomplete]
  lrnet-data export OUT --format hf -o DIR [--license ID] [--source-terms TEXT|@FILE] [--name NAME]
  lrnet-data export OUT --format npy -o DIR [--raw]

Examples:
  lrnet-data export ffpp-c23 --format lrnet -o lrnet-data/
  lrnet-data export ffpp-c23 --format hf -o ffpp-c23-hub --license cc-by-nc-4.0 --source-terms @terms.md
  lrnet-data export ffpp-c23 --format npy -o ffpp-c23-npy

--format lrnet writes one text file per video: one line per frame that has landmarks (frames without are dropped),
136 calibrated values x0 y0 ... x67 y67, "%1.5f", space-separated: what LRNet's training code reads.

Layout of DIR:
  FaceForensics++ (layout ffpp): LRNet's own tree, so its unmodified training code runs on it:
    DIR/{Origin,DF,F2F,FS,NT,FSh,DFD,DFD_Origin}/{raw,c23,c40}/{train,val,test}/<clip>.txt
    youtube -> Origin (LRNet's real class), Deepfakes -> DF, Face2Face -> F2F, FaceSwap -> FS,
    NeuralTextures -> NT, FaceShifter -> FSh, DeepFakeDetection -> DFD, and the actor recordings DFD was
    made from -> DFD_Origin (apart from the YouTube originals); compression c0 (FF++'s older name) and
    raw -> raw; <clip> is the file name of the clip, e.g. DF/c23/test/000_003.txt
  any other layout: DIR/<label>/<split>/<id>.txt, the id in one readable name: each "/" -> "__"
    (dfo: fake/test/end_to_end__000_M004.txt, real/test/youtube__c23__000.txt; folder:
    real/train/celeb__id0_0001.txt); a leading "." or a control character -> "_". Two ids that would
    share a name make the export refuse, naming both

A new or empty DIR is written as a whole: into a hidden directory beside it (.DIR.export-<pid>-<hex>,
marked as lrnet-data's), renamed into place at the end, so a failed export leaves nothing behind; the
hidden folder of an export that was killed is removed by the next export into DIR. With --overwrite, each
file is written atomically in place. Data files are checked against the manifest's sha256 while read, and
only files inside OUT are read (a manifest naming a path outside is refused, naming the field).

A dataset whose build has not finished (manifest state "building") or whose manifest does not hold together
(e.g. a video whose data file is not listed) is refused: the export would miss videos without a word.
--allow-incomplete exports what can be read and lists every video left out and why.

--format hf writes a folder to upload to the Hugging Face Hub as it is (e.g. huggingface-cli upload):
  README.md       the dataset card: YAML header (license, task_categories, tags, size_categories, configs:
                  "all" plus one per method and compression, one data_files glob per split), then what the
                  landmarks are, how they were made, counts per split/method/label, how to load them,
                  the source datasets' terms. Lines marked TODO(owner) need a person's answer.
  croissant.json  Croissant 1.0 metadata: every data file with its sha256, every column with its type, and
                  the responsible-AI (rai:) fields
  manifest.json   the dataset's manifest for exactly these files (lrnet-data validate DIR accepts the folder)
  data/<split>/<method>/<compression>/part-*.parquet   the data files, copied (rewritten in the current
                  format when OUT was built by an older lrnet-data, or when a row group exceeds 128 MiB)

--format npy writes one <id>.npy per video (the id's "/" as folders: DIR/Deepfakes/c23/000_003.npy), a
float32 array of shape (frames, 68, 2): every decoded frame in order, so row i is frame i, [x, y] per point;
frames without landmarks (before the first face) are NaN. Plus DIR/index.csv:
id,label,split,method,compression,frames,file. Read with numpy.load; --raw gives the detector's points in
frame pixels instead of the calibrated landmarks.

Options:
  --format F       lrnet (the default), hf or npy
  -o, --out DIR    the directory to write into; it must be empty unless --overwrite
  --block N        lrnet: leave out videos with N or fewer frames with landmarks (default 30): LRNet takes no
                   training block from them and its evaluation would misalign its per-video labels.
                   0 keeps every video with at least 2 such frames
  --license ID     hf: the license id of the card (default "other"), e.g. cc-by-nc-4.0
  --source-terms T hf: the source datasets' terms for the card, as text or @FILE (default: a note per layout
                   for the owner to complete)
  --name NAME      hf: the dataset's name in the card (default: OUT's folder name)
  --raw            npy: the detector's pixel points instead of the calibrated landmarks
  --overwrite      lrnet, npy: write into an earlier lrnet-data export that has files (same names are
                   replaced; others stay); a directory lrnet-data did not export into is refused; hf always
                   writes a new or empty directory, since stale data files would match the card's globs
  --allow-incomplete
                   lrnet: export an unfinished or inconsistent dataset: what can be read, the rest listed
                   (hf and npy always refuse one)
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
      license: { type: "string" },
      "source-terms": { type: "string" },
      name: { type: "string" },
      raw: { type: "boolean", default: false },
      overwrite: { type: "boolean", default: false },
      "allow-incomplete": { type: "boolean", default: false },
    },
    EXPORT_HELP,
    true,
  );
  if (parsed === null) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(`export takes one dataset directory, got ${positionals.length}`);
  const format = values.format;
  if (format !== "lrnet" && format !== "hf" && format !== "npy") throw new UsageError(`--format ${format} is not known (known: lrnet, hf, npy)`);
  const dir = required(values.out, "-o DIR");
  const only = (option: string, given: boolean, formats: string): void => {
    if (given && !formats.split(",").includes(format)) throw new UsageError(`--${option} applies to --format ${formats.split(",").join(" or ")}, not ${format}`);
  };
  only("block", values.block !== undefined, "lrnet");
  only("license", values.license !== undefined, "hf");
  only("source-terms", values["source-terms"] !== undefined, "hf");
  only("name", values.name !== undefined, "hf");
  only("raw", values.raw === true, "npy");
  // A Hub folder must hold only this export's data files: stale ones would match the card's globs.
  only("overwrite", values.overwrite === true, "lrnet,npy");
  only("allow-incomplete", values["allow-incomplete"] === true, "lrnet");
  if (format === "hf") return runHfExport(positionals[0]!, dir, values);
  if (format === "npy") return runNpyExport(positionals[0]!, dir, values.raw === true, values.overwrite === true);
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

async function runHfExport(
  outDir: string,
  dir: string,
  values: { license?: string | undefined; "source-terms"?: string | undefined; name?: string | undefined },
): Promise<number> {
  let sourceTerms = values["source-terms"];
  if (sourceTerms?.startsWith("@")) {
    const file = sourceTerms.slice(1);
    sourceTerms = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`--source-terms @${file}: cannot read it (${error.code ?? error.message})`);
    });
  }
  if (values.license !== undefined && !/^[a-z0-9][a-z0-9.+-]*$/.test(values.license)) {
    throw new UsageError(`--license takes a Hugging Face license id such as cc-by-nc-4.0 or other, got "${values.license}"`);
  }
  const started = performance.now();
  const report = await exportHf(outDir, {
    dir,
    ...(values.license !== undefined ? { license: values.license } : {}),
    ...(sourceTerms !== undefined ? { sourceTerms: sourceTerms.trim() } : {}),
    ...(values.name !== undefined ? { name: values.name } : {}),
  });
  const copied = report.files.filter((f) => f.how === "copied").length;
  const largest = Math.max(0, ...report.files.map((f) => f.largestRowGroupBytes));
  process.stdout.write(
    `exported ${report.videos} videos in ${report.files.length} data files (${copied} copied, ${report.files.length - copied} rewritten; largest row group ${(largest / 1048576).toFixed(1)} MiB) ` +
      `with README.md, croissant.json and manifest.json into ${report.dir} in ${((performance.now() - started) / 1000).toFixed(1)} s\n` +
      "complete the lines marked TODO(owner) in README.md and croissant.json before publishing\n",
  );
  return 0;
}

async function runNpyExport(outDir: string, dir: string, raw: boolean, overwrite: boolean): Promise<number> {
  const started = performance.now();
  const report = await exportNpy(outDir, { dir, raw, overwrite });
  const frames = report.files.reduce((sum, f) => sum + f.frames, 0);
  process.stdout.write(
    `exported ${report.files.length} videos (${frames.toLocaleString("en-US")} frames, ${report.nanFrames.toLocaleString("en-US")} without ${raw ? "raw points" : "landmarks"} as NaN) ` +
      `as ${raw ? "raw pixel points" : "calibrated landmarks"} .npy (frames, 68, 2) float32 with index.csv into ${report.dir} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return 0;
}
