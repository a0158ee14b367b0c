import { realpath } from "node:fs/promises";
import { basename, dirname, join, resolve, sep } from "node:path";

/**
 * The real path of `path` (links resolved), or, for a path not made yet, the real path of its nearest
 * existing ancestor with the rest appended.
 */
export async function realPathOf(path: string): Promise<string> {
  const absolute = resolve(path);
  const rest: string[] = [];
  let current = absolute;
  for (;;) {
    try {
      return join(await realpath(current), ...rest.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return absolute;
      rest.push(basename(current));
      current = parent;
    }
  }
}

/** `child` is `parent` or lies below it (both absolute and normalised). */
export function isSameOrInside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

export interface NamedPath {
  /** How the user gave it: `--root`, `-o`, `a shard`… */
  flag: string;
  path: string;
}

/**
 * Why `output` may not be written, given the inputs it is made from: it is one of them, lies inside one, or
 * holds one (a later --rebuild or cleanup there would reach the inputs). null when they are apart.
 */
export async function outputOverlap(output: NamedPath, inputs: readonly (NamedPath | null)[]): Promise<string | null> {
  const out = await realPathOf(output.path);
  for (const input of inputs) {
    if (input === null) continue;
    const real = await realPathOf(input.path);
    if (real === out) return `${output.flag} ${output.path} is the same as ${input.flag} ${input.path}`;
    if (isSameOrInside(out, real)) return `${output.flag} ${output.path} lies inside ${input.flag} ${input.path}`;
    if (isSameOrInside(real, out)) return `${input.flag} ${input.path} lies inside ${output.flag} ${output.path}`;
  }
  return null;
}
