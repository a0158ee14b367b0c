import { DatasetError } from "../store/errors.js";

/** A layout declaration is malformed, or a dataset tree does not fit its layout. */
export class LayoutError extends DatasetError {}
