/**
 * The node options a worker thread is started with. A Worker inherits `process.execArgv` by default, and
 * rejects V8 and per-process options in it (`node --max-old-space-size=8192 lrnet-data …` would fail with
 * ERR_WORKER_INVALID_EXEC_ARGV). V8 options apply to every thread of the process anyway, so only the options
 * that shape how a thread loads modules are passed on (not --input-type, which is about the main script), and
 * node's profilers, so that `node --cpu-prof lrnet-data build` writes a profile for every worker too.
 */
const KEPT_WITH_VALUE = new Set([
  "--import", "--require", "-r", "--loader", "--experimental-loader", "--conditions", "-C",
  "--cpu-prof-dir", "--cpu-prof-interval", "--heap-prof-dir", "--heap-prof-interval",
]);
const KEPT = new Set([
  "--enable-source-maps", "--no-warnings", "--no-deprecation", "--trace-warnings", "--trace-deprecation", "--trace-uncaught",
  "--preserve-symlinks", "--preserve-symlinks-main", "--cpu-prof", "--heap-prof",
]);

function kept(flag: string): boolean {
  return KEPT.has(flag) || KEPT_WITH_VALUE.has(flag) || flag.startsWith("--experimental-") || flag.startsWith("--no-experimental-");
}

export function workerExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const eq = arg.indexOf("=");
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const value = eq < 0 && KEPT_WITH_VALUE.has(flag) && i + 1 < execArgv.length ? execArgv[++i]! : null;
    if (kept(flag)) out.push(...(value === null ? [arg] : [arg, value]));
  }
  return out;
}
