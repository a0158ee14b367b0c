import { LrnetDataError } from "../errors.js";
/** validate cannot start: the directory is not there or an option is out of range. Everything else is a finding. */
export class ValidationInputError extends LrnetDataError {}
