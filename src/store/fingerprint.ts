import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted at every level and no whitespace: equal values give equal text whatever the
 * key order they were built in. `undefined` members are dropped (as JSON.stringify does).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    const text = JSON.stringify(value);
    return text === undefined ? "null" : text;
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** Stable hash of a build configuration: sha256 of its canonical JSON, as 64 hex digits. */
export function configurationFingerprint(configuration: unknown): string {
  return createHash("sha256").update(canonicalJson(configuration)).digest("hex");
}
