/**
 * Path patterns of layout declarations, matched against `/`-separated paths relative to the dataset root.
 *
 * - a literal character matches itself;
 * - `*` matches any run of characters within one path segment;
 * - `**` (a whole segment) matches zero or more directories;
 * - `{name}` captures a non-empty part of one segment (shortest match), `{name:REGEX}` captures what REGEX
 *   matches (`{compression:raw|c0|c23|c40}`, `{target:\d{3}}`). A name may be captured once per pattern.
 */
export interface PathPattern {
  readonly source: string;
  /** Names captured by `{name}` placeholders, in order. */
  readonly captures: readonly string[];
  /** Whole-path matcher with one named group per capture. */
  readonly regex: RegExp;
  /** Per-segment matchers, `null` for `**`: used to prune directories that cannot lead to a match. */
  readonly segments: readonly (RegExp | null)[];
}

/** Parses a pattern; throws a plain Error describing the problem (callers add the file name). */
export function compilePathPattern(source: string): PathPattern {
  if (source.length === 0) throw new Error("empty path pattern");
  if (source.startsWith("/")) throw new Error(`path pattern "${source}" must be relative to the dataset root`);
  const captures: string[] = [];
  const rawSegments = splitSegments(source);
  const segmentSources: (string | null)[] = rawSegments.map((segment) => {
    if (segment === "**") return null;
    if (segment.length === 0) throw new Error(`path pattern "${source}" has an empty segment`);
    if (segment === "." || segment === "..") throw new Error(`path pattern "${source}" may not contain "${segment}"`);
    return compileSegment(segment, source, captures);
  });
  if (segmentSources[segmentSources.length - 1] === null) {
    throw new Error(`path pattern "${source}" must end with a file name, not "**"`);
  }
  let whole = "";
  segmentSources.forEach((segment, i) => {
    const last = i === segmentSources.length - 1;
    if (segment === null) whole += "(?:[^/]+/)*";
    else whole += segment + (last ? "" : "/");
  });
  return {
    source,
    captures,
    regex: new RegExp(`^${whole}$`, "u"),
    segments: segmentSources.map((segment) => (segment === null ? null : new RegExp(`^${stripGroupNames(segment)}$`, "u"))),
  };
}

/** Captured values when `relativePath` matches, else `undefined`. */
export function matchPathPattern(pattern: PathPattern, relativePath: string): Record<string, string> | undefined {
  const match = pattern.regex.exec(relativePath);
  if (!match) return undefined;
  const values: Record<string, string> = {};
  for (const name of pattern.captures) values[name] = match.groups?.[name] ?? "";
  return values;
}

/**
 * Whether a directory (its path segments from the root) can contain files the pattern matches: lets a tree walk
 * skip e.g. FF++'s `masks/` folders without listing them.
 */
export function directoryMayMatch(pattern: PathPattern, directorySegments: readonly string[]): boolean {
  const segs = pattern.segments;
  let states = closure(new Set([0]), segs);
  for (const name of directorySegments) {
    const next = new Set<number>();
    for (const i of states) {
      const seg = segs[i];
      if (seg === undefined) continue;
      if (seg === null) next.add(i);
      else if (seg.test(name)) next.add(i + 1);
    }
    states = closure(next, segs);
    if (states.size === 0) return false;
  }
  // State i means "the next name must match segment i": any state short of the end can still be reached.
  for (const i of states) if (i < segs.length) return true;
  return false;
}

function closure(states: Set<number>, segs: readonly (RegExp | null)[]): Set<number> {
  const out = new Set(states);
  for (const i of states) {
    let j = i;
    while (segs[j] === null) {
      out.add(j + 1);
      j++;
    }
  }
  return out;
}

/** Splits on `/` outside `{…}` (a capture's regex may contain `/`-free braces such as `\d{3}`). */
function splitSegments(source: string): string[] {
  const segments: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of source) {
    if (ch === "{") depth++;
    else if (ch === "}") depth--;
    if (depth < 0) throw new Error(`path pattern "${source}" has an unmatched "}"`);
    if (ch === "/" && depth === 0) {
      segments.push(current);
      current = "";
    } else current += ch;
  }
  if (depth !== 0) throw new Error(`path pattern "${source}" has an unmatched "{"`);
  segments.push(current);
  return segments;
}

function compileSegment(segment: string, source: string, captures: string[]): string {
  let out = "";
  let i = 0;
  while (i < segment.length) {
    const ch = segment[i]!;
    if (ch === "*") {
      if (segment[i + 1] === "*") throw new Error(`path pattern "${source}": "**" must be a whole segment`);
      out += "[^/]*";
      i++;
    } else if (ch === "{") {
      const end = closingBrace(segment, i);
      const body = segment.slice(i + 1, end);
      const colon = body.indexOf(":");
      const name = colon < 0 ? body : body.slice(0, colon);
      const regex = colon < 0 ? "[^/]+?" : body.slice(colon + 1);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`path pattern "${source}": bad capture name "${name}"`);
      if (captures.includes(name)) throw new Error(`path pattern "${source}" captures {${name}} twice`);
      if (colon >= 0 && regex.includes("/")) throw new Error(`path pattern "${source}": the regex of {${name}} may not match "/"`);
      try {
        new RegExp(regex, "u");
      } catch (error) {
        throw new Error(`path pattern "${source}": the regex of {${name}} is invalid (${(error as Error).message})`);
      }
      if (/\((?!\?[:=!]|\?<[=!])/.test(regex)) {
        throw new Error(`path pattern "${source}": the regex of {${name}} may only use non-capturing groups (?:…)`);
      }
      captures.push(name);
      out += `(?<${name}>${regex})`;
      i = end + 1;
    } else {
      out += escapeRegex(ch);
      i++;
    }
  }
  return out;
}

function closingBrace(segment: string, open: number): number {
  let depth = 0;
  for (let i = open; i < segment.length; i++) {
    if (segment[i] === "{") depth++;
    else if (segment[i] === "}") {
      depth--;
      if (depth === 0) return i;
    }
  }
  throw new Error(`unmatched "{" in "${segment}"`);
}

function stripGroupNames(regex: string): string {
  return regex.replace(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g, "(?:");
}

function escapeRegex(ch: string): string {
  return /[.*+?^${}()|[\]\\]/.test(ch) ? `\\${ch}` : ch;
}
