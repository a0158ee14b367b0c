import { outputOverlap, type NamedPath } from "../io/path-overlap.js";
import { UsageError } from "../errors.js";

/**
 * A single-video command's outputs (the text file and its `.json` record) may not be one of its inputs: a
 * `--out` that names the video or the CSV would replace it. "-" (standard output) writes no file.
 */
export async function refuseOutputOverInputs(out: string, inputs: readonly (NamedPath | null)[]): Promise<void> {
  if (out === "-") return;
  for (const output of [{ flag: "--out", path: out }, { flag: "--out's record", path: `${out}.json` }]) {
    const overlap = await outputOverlap(output, inputs);
    if (overlap) throw new UsageError(`${overlap}: the output would replace an input; choose another --out`);
  }
}
