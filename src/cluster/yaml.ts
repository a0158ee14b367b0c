/**
 * A small YAML writer for the job files `lrnet-data cluster k8s` prints: block mappings and sequences, strings
 * double-quoted (JSON escapes are valid YAML) unless plainly safe, multi-line strings as literal blocks (`|`).
 * It writes only what it is given, in insertion order; no anchors, no flow style.
 */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

export function toYaml(value: YamlValue): string {
  return `${lines(value, 0).join("\n")}\n`;
}

/** Several documents, each after `---`, with optional comment lines before the first. */
export function toYamlDocuments(documents: readonly YamlValue[], comments: readonly string[] = []): string {
  const header = comments.map((c) => (c === "" ? "#" : `# ${c}`)).join("\n");
  const body = documents.map((d) => `---\n${toYaml(d)}`).join("");
  return header === "" ? body : `${header}\n${body}`;
}

function lines(value: YamlValue, indent: number): string[] {
  const pad = " ".repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${pad}[]`];
    return value.flatMap((item) => {
      if (isCollection(item) && !isEmpty(item)) {
        const inner = lines(item, indent + 2);
        return [`${pad}- ${inner[0]!.slice(indent + 2)}`, ...inner.slice(1)];
      }
      return scalarLines(item, indent, `${pad}- `);
    });
  }
  if (isMapping(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return [`${pad}{}`];
    return entries.flatMap(([key, item]) => {
      const head = `${pad}${scalar(key)}:`;
      if (isCollection(item) && !isEmpty(item)) {
        // Sequences under a key stay at the key's indentation, as kubectl writes them.
        return [head, ...lines(item, Array.isArray(item) ? indent : indent + 2)];
      }
      return scalarLines(item, indent, `${head} `);
    });
  }
  return [`${pad}${scalar(value)}`];
}

function scalarLines(value: YamlValue, indent: number, prefix: string): string[] {
  if (typeof value === "string" && value.includes("\n")) {
    // Chomping: "-" drops the final newline, none keeps one, "+" keeps them all.
    const chomp = value.endsWith("\n\n") ? "+" : value.endsWith("\n") ? "" : "-";
    const body = value.endsWith("\n") ? value.slice(0, -1) : value;
    // A first line that starts with a space needs the indentation stated.
    const indicator = body.startsWith(" ") ? "2" : "";
    const pad = " ".repeat(indent + 2);
    return [`${prefix}|${indicator}${chomp}`, ...body.split("\n").map((line) => (line === "" ? "" : pad + line))];
  }
  if (isCollection(value)) return [`${prefix}${Array.isArray(value) ? "[]" : "{}"}`];
  return [`${prefix}${scalar(value)}`];
}

function scalar(value: YamlValue): string {
  if (value === null) return "null";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError(`YAML: cannot write ${value}`);
    return String(value);
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value !== "string") throw new TypeError("YAML: a collection where a scalar belongs");
  return isPlainSafe(value) ? value : JSON.stringify(value);
}

/** Plain scalars that every YAML 1.1 and 1.2 reader takes as this very string. */
function isPlainSafe(text: string): boolean {
  if (!/^[A-Za-z_/][A-Za-z0-9_./-]*$/.test(text)) return false;
  return !/^(y|yes|n|no|true|false|on|off|null|~)$/i.test(text);
}

function isMapping(value: YamlValue): value is { [key: string]: YamlValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isCollection(value: YamlValue): value is YamlValue[] | { [key: string]: YamlValue } {
  return typeof value === "object" && value !== null;
}

function isEmpty(value: YamlValue[] | { [key: string]: YamlValue }): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}
