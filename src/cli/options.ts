/**
 * The option layer every command uses: strict parsing with `-h/--help` printing the command's help, and one
 * checker per kind of value, so that the same mistake gets the same one-line message in every command.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { UsageError } from "../errors.js";
import { type FaceChoice, parseFaceChoice } from "../shape/face-follower.js";
import { OUTPUT_BOXES, type OutputBox } from "../calibrate/output-box.js";

type Options = NonNullable<ParseArgsConfig["options"]>;
type WithHelp<O extends Options> = O & { help: { type: "boolean"; short: "h"; default: false } };
type Parsed<O extends Options, P extends boolean> = ReturnType<
  typeof parseArgs<{ args: string[]; options: WithHelp<O>; strict: true; allowPositionals: P }>
>;

/**
 * Parses a command's arguments (unknown options are errors). With -h or --help, prints `help` to standard
 * output and returns null: the command then exits 0.
 */
export function parseCommand<const O extends Options, const P extends boolean = false>(
  argv: string[],
  options: O,
  help: string,
  allowPositionals?: P,
): Parsed<O, P> | null {
  const parsed = parseArgs({
    args: argv,
    options: { ...options, help: { type: "boolean", short: "h", default: false } } as WithHelp<O>,
    strict: true,
    allowPositionals: (allowPositionals ?? false) as P,
  });
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(help);
    return null;
  }
  return parsed as Parsed<O, P>;
}

/** A value the command cannot run without; an empty one counts as missing. */
export function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === "") throw new UsageError(`${flag} is required`);
  return value;
}

/** A whole number >= min (default 0); undefined when the option is absent. An empty value is refused. */
export function wholeNumber(text: string | undefined, flag: string, min = 0): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !Number.isInteger(value) || value < min) {
    throw new UsageError(`${flag} takes a whole number >= ${min}, got "${text}"`);
  }
  return value;
}

/** A share between 0 and 1; undefined when the option is absent. An empty value is refused. */
export function share(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !(value >= 0 && value <= 1)) {
    throw new UsageError(`${flag} takes a share between 0 and 1 (e.g. 0.01), got "${text}"`);
  }
  return value;
}

/** One of a fixed set of words; undefined when the option is absent. */
export function oneOf<const T extends string>(text: string | undefined, flag: string, choices: readonly T[]): T | undefined {
  if (text === undefined) return undefined;
  if (!(choices as readonly string[]).includes(text)) {
    const list = choices.length === 2 ? `${choices[0]} or ${choices[1]}` : `${choices.slice(0, -1).join(", ")} or ${choices.at(-1)}`;
    throw new UsageError(`${flag} takes ${list}, got "${text}"`);
  }
  return text as T;
}

/** `--face largest|center|N` (see FaceChoice); undefined when not given. */
export function faceChoice(text: string | undefined, flag = "--face"): FaceChoice | undefined {
  if (text === undefined) return undefined;
  const choice = parseFaceChoice(text);
  if (!choice) throw new UsageError(`${flag} takes largest, center or a whole number N (the N-th face from the left), got "${text}"`);
  return choice;
}

/** `--box lrnet|exact` (see src/calibrate/output-box.ts); undefined when not given. */
export function outputBoxOption(text: string | undefined): OutputBox | undefined {
  return oneOf(text, "--box", OUTPUT_BOXES);
}

/** The `--box` lines of a command's --help, aligned at `column`; `defaults` are the lines that say the default. */
export function outputBoxHelp(column: number, ...defaults: string[]): string {
  const indent = " ".repeat(column);
  return [
    `${`  --box BOX`.padEnd(column)}the box the calibrated points are relative to: exact (an unrounded box on each`,
    `${indent}frame's face: the same numbers for a face of any size) or lrnet (LRNet's`,
    `${indent}whole-pixel box: its output byte for byte)`,
    ...defaults.map((line, i) => `${indent}${i === 0 ? "Default: " : "  "}${line}`),
  ].join("\n");
}
