import { readFileSync } from "node:fs";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";

export interface SchemaCheck {
  valid: boolean;
  /** One readable line per violation: `/videos/3/rows: must be integer`. */
  errors: string[];
}

const compiled = new Map<string, ValidateFunction>();

/** Validates a value against one of the package's JSON Schema files (compiled once per process). */
export function checkAgainstSchema(schemaFile: string, value: unknown): SchemaCheck {
  let validate = compiled.get(schemaFile);
  if (!validate) {
    const schema = JSON.parse(readFileSync(schemaFile, "utf8")) as Record<string, unknown>;
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    validate = ajv.compile(schema);
    compiled.set(schemaFile, validate);
  }
  const valid = validate(value);
  return { valid, errors: valid ? [] : (validate.errors ?? []).map(describeError) };
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath === "" ? "(top level)" : error.instancePath;
  const extra =
    error.keyword === "additionalProperties" || error.keyword === "unevaluatedProperties"
      ? ` (${JSON.stringify(error.params["additionalProperty"] ?? error.params["unevaluatedProperty"])})`
      : error.keyword === "enum"
        ? ` (${JSON.stringify(error.params["allowedValues"])})`
        : "";
  return `${where}: ${error.message ?? error.keyword}${extra}`;
}
