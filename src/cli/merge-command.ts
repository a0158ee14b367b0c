import { mergeShards } from "../batch/merge.js";
import { UsageError } from "../errors.js";
import { parseCommand, required } from "./options.js";

export const MERGE_HELP = `lrnet-data merge: combine the outputs of sharded builds into one dataset

Usage:
  lrnet-data merge SHARD_DIR... -o OUT [--copy] [--allow-missing-shards]

Each SHARD_DIR is the output of a finished "lrnet-data build --shard K/N" (or of unsharded builds of disjoint
subsets, e.g. one per method). OUT gets every shard's Parquet files (hard-linked when on the same file system,
else copied; each verified against the sha256 its manifest records) and one manifest listing all videos and
failures. Nothing is recomputed: the shards' manifests already record every summary.

Refused, with one line naming the shard: a shard whose build has not finished; shards with different
configuration fingerprints or layouts; the same video (or shard number) in two shards; a data file that is
missing or altered; shards of different N; a missing shard K of N (unless --allow-missing-shards); an OUT that
is not new or empty.

Options:
  -o, --out DIR             the merged dataset (a new or empty directory)
  --copy                    copy the files instead of hard-linking them
  --allow-missing-shards    merge although some of the N shards are not given (the result holds a part)
  -h, --help                this text

Example (four shards built on four machines, then gathered):
  lrnet-data merge shards/1 shards/2 shards/3 shards/4 -o ffpp-c23
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
  if (positionals.length === 0) throw new UsageError("give the shard directories to merge");
  const started = performance.now();
  const report = await mergeShards({ shards: positionals, out, copy: values.copy, allowMissingShards: values["allow-missing-shards"] });
  for (const warning of report.warnings) process.stderr.write(`merge: note: ${warning}\n`);
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(
    `merge: ${report.shards} shards → ${report.out}: ${report.videos} videos, ${report.failures} failures, ${report.files} files ` +
      `(${report.linked} linked, ${report.copied} copied, ${(report.bytes / 1e6).toFixed(1)} MB verified) in ${seconds.toFixed(1)} s\n`,
  );
  return 0;
}
