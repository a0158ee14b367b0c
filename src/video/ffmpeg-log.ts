/** Reading ffmpeg's stderr: bounded line collection and the one-line reason shown to users. */

const HEAD_LINES = 400;
const TAIL_LINES = 100;

/**
 * Collects stderr lines from chunks, keeping the first HEAD_LINES (the input header) and the last TAIL_LINES
 * (the final errors), so a file that makes ffmpeg log an error per packet cannot grow memory.
 */
export class LogLines {
  private readonly head: string[] = [];
  private tail: string[] = [];
  private partial = "";

  push(chunk: Buffer | string): void {
    const parts = (this.partial + chunk.toString()).split(/\r\n|\r|\n/);
    this.partial = parts.pop() ?? "";
    for (const line of parts) this.add(line);
  }

  /** All kept lines, flushing an unterminated last line. */
  lines(): string[] {
    if (this.partial !== "") {
      this.add(this.partial);
      this.partial = "";
    }
    return [...this.head, ...this.tail];
  }

  private add(line: string): void {
    if (line.trim() === "") return;
    if (this.head.length < HEAD_LINES) {
      this.head.push(line);
      return;
    }
    this.tail.push(line);
    if (this.tail.length > 2 * TAIL_LINES) this.tail = this.tail.slice(-TAIL_LINES);
  }
}

export interface LogLine {
  /** "info", "error", … when ffmpeg ran with `-loglevel level+…`; null for unprefixed lines. */
  level: string | null;
  /** Text without the `[component @ 0x…]` and `[level]` prefixes. */
  text: string;
}

const PREFIXED = /^(?:\[[^\]]* @ 0x[0-9a-f]+\] )?\[(trace|debug|verbose|info|warning|error|fatal|panic|quiet)\] ?(.*)$/;
const COMPONENT = /^\[[^\]]* @ 0x[0-9a-f]+\] /;

export function parseLogLine(line: string): LogLine {
  const match = PREFIXED.exec(line);
  if (match) return { level: match[1]!, text: match[2]! };
  return { level: null, text: line.replace(COMPONENT, "") };
}

const ERROR_LEVELS = new Set(["error", "fatal", "panic"]);

/**
 * Error messages among `lines`. With `levelPrefixed` (ffmpeg run with `-loglevel level+…`), only lines tagged
 * error/fatal/panic count; otherwise (ffmpeg run with `-loglevel error`) every line is an error.
 */
export function errorMessages(lines: readonly string[], levelPrefixed: boolean): string[] {
  const messages: string[] = [];
  for (const raw of lines) {
    const { level, text } = parseLogLine(raw);
    if (levelPrefixed ? level !== null && ERROR_LEVELS.has(level) : true) messages.push(text.trim());
  }
  return messages;
}

/**
 * The user-facing reason from ffmpeg's error messages: the last two distinct ones (the last alone is often
 * generic, e.g. "Invalid data found when processing input" after "moov atom not found"), without the
 * "<input path>: " prefix ffmpeg puts on some, on one line.
 */
export function ffmpegReason(messages: readonly string[], inputPaths: readonly string[]): string | null {
  const cleaned: string[] = [];
  for (const message of messages) {
    let text = message;
    for (const input of inputPaths) {
      if (text.startsWith(`${input}: `)) text = text.slice(input.length + 2);
    }
    text = text.replace(/\s+/g, " ").replace(/\.$/, "").trim();
    if (text === "") continue;
    const at = cleaned.indexOf(text);
    if (at >= 0) cleaned.splice(at, 1);
    cleaned.push(text);
  }
  if (cleaned.length === 0) return null;
  return cleaned.slice(-2).join("; ");
}
