import { mergeShards } from "../batch/merge.js";
import { resolveMergeInputs } from "../cluster/merge-inputs.js";
import { UsageError } from "../errors.js";
import { parseCommand, required } from "./options.js";

export const MERGE_HELP = `lrnet-data merge: combine the outputs of sharded builds into one dataset

Usage:
  lrnet-data merge OUT -o MERGED [--copy] [--allow-missing-shards]          (OUT holds shard-K-of-N folders)
  lrnet-data merge SHARD_DIR... -o MERGED [--copy] [--allow-missing-shards]
  lrnet-data merge 'OUT/shard-*' -o MERGED                                   (a glob, expanded here)

Each argument is a build output (a folder holding manifest.json: a finished "lrnet-data build --shard K/N", or
an unsharded build of a disjoint subset, e.g. one method), the parent folder of shard folders (the -o of
sharded builds: every OUT/shard-K-of-N in it), or a glob of folders. MERGED gets every shard's Parquet files
(hard-linked when on the same file system, else copied; each verified against the sha256 its manifest records)
and one manifest listing all videos and failures. Nothing is recomputed: the shards' manifests already record
every summary.

Refused, with one line naming the shard: a missing shard (OUT/shard-3-of-4 absent, or K of N not given; unless
--allow-missing-shards); an incomplete one (no manifest yet, or its build has not finished); shards with
different configuration fingerprints, layouts or filters; the same video (or shard number) in two shards; a
data file that is missing or altered; shards of different N; a shard folder whose manifest holds another
shard; a manifest path outside its shard; a MERGED that is not new or empty (or the leftovers of an
interrupted merge, of which only the files that merge recorded writing are removed), or that is, holds or lies
inside a shard.

Exit codes: 0 merged; 1 refused or error (one line; no manifest written, so MERGED is not a dataset); 2 usage.

Options:
  -o, --out DIR             the merged dataset (a new or empty directory)
  --copy                    copy the files instead of hard-linking them
  --allow-missing-shards    merge although some of the N shards are missing or incomplete (the result holds a part)
  -h, --help                this text

Examples:
  lrnet-data merge /scratch/ffpp-c23 -o /scratch/ffpp-c23/merged       (after build -o /scratch/ffpp-c23 --shard auto)
  lrnet-data merge shards/1 shards/2 shards/3 shards/4 -o ffpp-c23     (four shards gathered from four machines)
  lrnet-data merge ffpp-youtube ffpp-deepfakes -o ffpp                  (unsharded builds, one per method)
`;

export async function runMergeCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(
    argv,
    {
      out: { type: "string", short: "o" },
      copy: { type: "boolean", default: false },
      "allow-missing-shards": { type: "boolean", default: false },
    },
    MERGE_HELP,
    true,
  );
  if (parsed === null) return 0;
  const { values, positionals } = parsed;
  const out = required(values.out, "--out");
  if (positionals.length === 0) throw new UsageError("give the shard directories (or the folder holding them) to merge");
  const started = performance.now();
  const inputs = await resolveMergeInputs(positionals, values["allow-missing-shards"]);
  const report = await mergeShards({ shards: inputs.shards, out, copy: values.copy, allowMissingShards: values["allow-missing-shards"] });
  for (const warning of [...inputs.notes, ...report.warnings]) process.stderr.write(`merge: note: ${warning}\n`);
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(
    `merge: ${report.shards} shards → ${report.out}: ${report.videos} videos, ${report.failures} failures, ${report.files} files ` +
      `(${report.linked} linked, ${report.copied} copied, ${(report.bytes / 1e6).toFixed(1)} MB verified) in ${seconds.toFixed(1)} s\n`,
  );
  return 0;
}
