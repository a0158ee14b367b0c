/** Piscina worker of validate: decodes and checks one data file per task (see file-checker.ts). */
import { checkDataFileBytes, type FileCheckResult } from "./data-checks.js";
import type { CheckRequest } from "./file-checker.js";

export default function checkFile(request: CheckRequest): Promise<FileCheckResult> {
  return checkDataFileBytes(request.file, request.videos, request.bytes);
}
