import type { Manifest } from "../../store/manifest.js";
import { splitGlob } from "../../store/partition.js";
import { columnFacts, defaultSourceTerms, groupCounts, provenance, subsets, totalRows } from "./facts.js";

export const CARD_FILE = "README.md";

/** A Hugging Face config: a name and one data_files glob per split. */
export interface CardConfig {
  config_name: string;
  default?: true;
  data_files: { split: string; path: string }[];
}

export interface CardInput {
  name: string;
  description: string;
  license: string;
  sourceTerms?: string;
}

/**
 * The `configs` of the card: `all` (the default: every method and compression, one glob per split), then one
 * per method and compression, named `<method>-<compression>`. Each glob names its directory level by level,
 * so it matches exactly that config's files of that split.
 */
export function cardConfigs(manifest: Manifest): CardConfig[] {
  const splits = Object.keys(manifest.splits);
  return [
    { config_name: "all", default: true, data_files: splits.map((split) => ({ split, path: splitGlob(split) })) },
    ...subsets(manifest).map((s) => ({
      config_name: `${s.method}-${s.compression}`,
      data_files: s.splits.map((split) => ({ split, path: splitGlob(split, 2, s.method, s.compression) })),
    })),
  ];
}

/** Hugging Face's size category for a number of examples (rows). */
export function sizeCategory(rows: number): string {
  const bounds: [number, string][] = [
    [1e3, "n<1K"],
    [1e4, "1K<n<10K"],
    [1e5, "10K<n<100K"],
    [1e6, "100K<n<1M"],
    [1e7, "1M<n<10M"],
    [1e8, "10M<n<100M"],
    [1e9, "100M<n<1B"],
  ];
  return bounds.find(([limit]) => rows < limit)?.[1] ?? "n>1B";
}

/** README.md of the exported folder: YAML front matter the Hub reads, then the card people read. */
export function datasetCard(manifest: Manifest, input: CardInput): string {
  return `${frontMatter(manifest, input)}\n${body(manifest, input)}`;
}

function frontMatter(manifest: Manifest, input: CardInput): string {
  const q = (s: string): string => JSON.stringify(s); // a JSON string is a YAML double-quoted scalar
  const lines = ["---", `pretty_name: ${q(input.name)}`, `license: ${q(input.license)}`];
  lines.push("task_categories:", "  - video-classification");
  lines.push("tags:", ...["deepfake-detection", "facial-landmarks", "lrnet", "time-series", "parquet"].map((t) => `  - ${q(t)}`));
  lines.push("size_categories:", `  - ${q(sizeCategory(totalRows(manifest)))}`);
  lines.push("configs:");
  for (const config of cardConfigs(manifest)) {
    lines.push(`  - config_name: ${q(config.config_name)}`);
    if (config.default) lines.push("    default: true");
    lines.push("    data_files:");
    for (const file of config.data_files) lines.push(`      - split: ${q(file.split)}`, `        path: ${q(file.path)}`);
  }
  lines.push("---", "");
  return lines.join("\n");
}

function body(manifest: Manifest, input: CardInput): string {
  const counts = groupCounts(manifest);
  const frames = counts.reduce((s, g) => s + g.frames, 0);
  const configs = cardConfigs(manifest);
  const example = configs[1]?.config_name ?? "all";
  const firstSplit = Object.keys(manifest.splits)[0] ?? "train";
  const out: string[] = [];
  out.push(`# ${input.name}`, "", input.description, "");
  out.push(
    "## What the landmarks are",
    "",
    "One row per decoded video frame. A video's rows are contiguous and in frame order in exactly one file; " +
      "`manifest.json` gives each video's file and row range, its source file's sha256, its counts and scores.",
    "",
    "| column | type | what |",
    "| --- | --- | --- |",
    ...columnFacts().map((c) => `| \`${c.name}\` | ${c.featureType} | ${c.description} |`),
    "",
    "The 68 points follow the iBUG 300-W order (jaw 0-16, brows 17-26, nose 27-35, eyes 36-47, mouth 48-67).",
    "",
  );
  out.push("## How they were made", "", ...provenance(manifest).map((line) => `- ${line}`), "");
  out.push(
    "## Contents",
    "",
    `${manifest.videos.length} videos, ${frames} frames, ${manifest.data_files.length} Parquet files (ZSTD)` +
      `${manifest.failures.length > 0 ? `; ${manifest.failures.length} videos failed and are not included (listed in manifest.json)` : ""}.`,
    "",
    "| split | method | compression | label | videos | frames |",
    "| --- | --- | --- | --- | ---: | ---: |",
    ...counts.map((g) => `| ${g.split} | ${g.method} | ${g.compression} | ${g.label} | ${g.videos} | ${g.frames} |`),
    "",
    `Configs: \`all\` (the default) and one per method and compression: ${configs.slice(1).map((c) => `\`${c.config_name}\``).join(", ")}.`,
    "",
  );
  out.push(
    "## Loading",
    "",
    "With `datasets` (from the Hub, or from this folder):",
    "",
    "```python",
    "from datasets import load_dataset",
    "",
    `ds = load_dataset("USER/DATASET", "${example}")  # TODO(owner): the Hub id`,
    `local = load_dataset("parquet", data_files={"${firstSplit}": "${splitGlob(firstSplit)}"})`,
    `frames = local["${firstSplit}"].to_pandas()`,
    "```",
    "",
    "With pandas (pyarrow), a split at once; LRNet's blocks of 30 frames as in its `get_data()`:",
    "",
    "```python",
    "import numpy as np",
    "import pandas as pd",
    "",
    `df = pd.read_parquet("data/${firstSplit}", columns=["video_id", "frame", "landmarks", "label"])`,
    'df = df.dropna(subset=["landmarks"]).sort_values(["video_id", "frame"])',
    "x, y = [], []",
    'for _, video in df.groupby("video_id"):',
    '    rows = np.stack(video["landmarks"].to_numpy()).astype(np.float32)',
    "    for i in range(0, len(rows) - 30, 30):",
    "        x.append(rows[i:i + 30])",
    '        y.append(1 if video["label"].iloc[0] == "fake" else 0)',
    "```",
    "",
    "The files also open unchanged in pyarrow.dataset (partitioning=\"hive\"), Polars, DuckDB and Spark: the directories " +
      "`data/<split>/<method>/<compression>/` are plain names and every column is inside the files.",
    "",
  );
  out.push("## Source datasets' terms", "", input.sourceTerms ?? defaultSourceTerms(manifest.source.layout), "");
  out.push(
    "## Responsible use",
    "",
    "`croissant.json` (Croissant 1.0) describes the files, the columns and the responsible-AI fields. " +
      "Lines marked TODO(owner) there and here need the dataset owner's answer before publishing.",
    "",
  );
  return out.join("\n");
}
