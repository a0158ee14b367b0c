/**
 * The one base class of every error a user can act on (a missing file, a malformed CSV, a bad option). Its
 * message is one line naming the file (and frame or line); the CLI prints it as it is, without a stack trace,
 * and exits with `exitCode`. Anything that is not an LrnetDataError is a bug and prints with a pointer to
 * LRNET_DATA_DEBUG=1.
 */
export class LrnetDataError extends Error {
  /** The process exit code when this error ends a command: 1, or 2 for a mistake in the command line. */
  readonly exitCode: number;

  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** A mistake in the command line: printed with a pointer to --help, exit code 2. */
export class UsageError extends LrnetDataError {
  constructor(message: string) {
    super(message, { exitCode: 2 });
  }
}

/** Text squeezed onto one line (whitespace runs become one space), cut at `max` characters. */
export function oneLine(text: string, max = 1000): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
