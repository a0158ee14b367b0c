/**
 * Value templates used by layout declarations: literal text with `{var}` placeholders, where `{var|fallback}`
 * uses `fallback` (possibly empty) when `var` is not defined. `"real"`, `"{method}/{compression}/{name}"` and
 * `"{split|train}"` are templates.
 */
export interface Template {
  readonly source: string;
  readonly parts: readonly TemplatePart[];
}

type TemplatePart = { kind: "text"; text: string } | { kind: "var"; name: string; fallback: string | undefined };

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)(?:\|([^{}]*))?\}/g;

/** Parses a template; throws a plain Error describing the problem (callers add the file name). */
export function parseTemplate(source: string): Template {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of source.matchAll(PLACEHOLDER)) {
    const at = match.index ?? 0;
    if (at > last) parts.push({ kind: "text", text: source.slice(last, at) });
    parts.push({ kind: "var", name: match[1]!, fallback: match[2] });
    last = at + match[0].length;
  }
  if (last < source.length) parts.push({ kind: "text", text: source.slice(last) });
  for (const part of parts) {
    if (part.kind === "text" && /[{}]/.test(part.text)) {
      throw new Error(`template "${source}" has a stray brace (placeholders are {name} or {name|fallback})`);
    }
  }
  return { source, parts };
}

/** Variables a template reads, with whether each has a fallback. */
export function templateVariables(template: Template): { name: string; hasFallback: boolean }[] {
  const vars: { name: string; hasFallback: boolean }[] = [];
  for (const part of template.parts) {
    if (part.kind === "var") vars.push({ name: part.name, hasFallback: part.fallback !== undefined });
  }
  return vars;
}

/**
 * Renders a template. A variable that is undefined and has no fallback makes the result `undefined`
 * (the caller reports which path lacked it).
 */
export function renderTemplate(template: Template, vars: Readonly<Record<string, string | undefined>>): string | undefined {
  let out = "";
  for (const part of template.parts) {
    if (part.kind === "text") {
      out += part.text;
      continue;
    }
    const value = vars[part.name];
    if (value !== undefined && value !== "") out += value;
    else if (part.fallback !== undefined) out += part.fallback;
    else return undefined;
  }
  return out;
}
