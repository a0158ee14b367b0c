import { readFileSync } from "node:fs";
import { DatasetError } from "../store/errors.js";

/** A layout declaration is malformed, or a dataset tree does not fit its layout. */
export class LayoutError extends DatasetError {}

/** A list file's text (split lists, meta lists); a missing file says `whenMissing`, other failures name the reason. */
export function readListFile(file: string, whenMissing: string, kind: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LayoutError(code === "ENOENT" ? `${file}: ${whenMissing}` : `${file}: cannot read ${kind}(${(error as Error).message})`, file);
  }
}
