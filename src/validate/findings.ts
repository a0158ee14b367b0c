import type { CheckName, Finding, Severity } from "./types.js";

/** Where a finding applies; each part that is known goes into the message too. */
export interface Place {
  file?: string;
  video?: string;
  frame?: number;
}

/** Collects findings in the order they are found. */
export class Findings {
  readonly list: Finding[] = [];

  add(check: CheckName, severity: Severity, message: string, place: Place = {}): void {
    const finding: Finding = { check, severity, message };
    if (place.file !== undefined) finding.file = place.file;
    if (place.video !== undefined) finding.video = place.video;
    if (place.frame !== undefined) finding.frame = place.frame;
    this.list.push(finding);
  }

  error(check: CheckName, message: string, place?: Place): void {
    this.add(check, "error", message, place);
  }

  warning(check: CheckName, message: string, place?: Place): void {
    this.add(check, "warning", message, place);
  }
}

/** "3 values", "1 value". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** A share as a percentage with enough digits to tell small values apart. */
export function percent(share: number): string {
  if (share === 0) return "0 %";
  const value = share * 100;
  return `${value >= 10 ? value.toFixed(1) : value >= 0.1 ? value.toFixed(2) : value.toPrecision(2)} %`;
}

/** The first few items of a list, then "… (N more)". */
export function listSome(items: readonly string[], limit = 3): string {
  if (items.length <= limit) return items.join(", ");
  return `${items.slice(0, limit).join(", ")} … (${items.length - limit} more)`;
}
