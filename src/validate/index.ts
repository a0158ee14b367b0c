/** `lrnet-data validate`: the checks a dataset must pass before training (also run by `build` at its end). */
export { validateDataset, blocksOf, VALIDATION_DEFAULTS } from "./validate-dataset.js";
export { formatValidationSummary } from "./format-summary.js";
export { ValidationInputError } from "./errors.js";
export { CHECKS, type CheckName, type CheckResult, type Finding, type Severity, type ValidationOptions, type ValidationReport, type ResolvedValidationOptions } from "./types.js";
