/**
 * Test-only fault injection, loaded into a CLI child process with `--import` (see faultEnv): file-system writes
 * under a folder fail the way a full disk (ENOSPC), a read-only mount (EROFS) or missing permissions (EACCES)
 * make them fail. Tests run as root in CI, where chmod cannot make anything read-only, and a tiny tmpfs needs
 * privileges, so the failures are injected into node:fs itself (callback, promise and FileHandle APIs, then
 * synced into the ES module bindings). Nothing in src/ knows about it.
 *
 * LRNET_TEST_FAULT = JSON { code, under, match?, afterBytes? }: paths starting with `under` (and matching the
 * regular expression `match`, if given). ENOSPC lets files be created and fails their writes once `afterBytes`
 * (default 0) bytes were written under `under`; EROFS, EACCES and EPERM fail every creation, write, rename,
 * link, copy and removal there.
 */
import fs from "node:fs";
import fsp from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
import { resolve } from "node:path";

interface FaultRule {
  code: "ENOSPC" | "EROFS" | "EACCES" | "EPERM";
  under: string;
  match?: string;
  afterBytes?: number;
}

const raw = process.env.LRNET_TEST_FAULT;
if (raw) await install(JSON.parse(raw) as FaultRule);

async function install(rule: FaultRule): Promise<void> {
  const under = resolve(rule.under);
  const pattern = rule.match === undefined ? null : new RegExp(rule.match);
  let budget = rule.afterBytes ?? 0;
  const diskFull = rule.code === "ENOSPC";
  const hits = (path: unknown): boolean => {
    if (typeof path !== "string" && !(path instanceof URL) && !Buffer.isBuffer(path)) return false;
    const text = resolve(path instanceof URL ? path.pathname : path.toString());
    return (text === under || text.startsWith(`${under}/`)) && (pattern === null || pattern.test(text));
  };
  const fault = (syscall: string, path: unknown): NodeJS.ErrnoException => {
    const errno = { ENOSPC: -28, EROFS: -30, EACCES: -13, EPERM: -1 }[rule.code];
    return Object.assign(new Error(`${rule.code}: simulated by the test, ${syscall} '${String(path)}'`), { code: rule.code, errno, syscall, path: String(path) });
  };
  const writes = (flags: unknown): boolean =>
    typeof flags === "number" ? (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR)) !== 0 : typeof flags === "string" && /[wa+]/.test(flags);
  /** For a disk that fills up: true once the budget is spent (the write fails). */
  const spend = (bytes: number): boolean => {
    if (budget >= bytes) {
      budget -= bytes;
      return false;
    }
    budget = 0;
    return true;
  };
  const sizeOf = (data: unknown): number =>
    typeof data === "string" ? Buffer.byteLength(data) : ArrayBuffer.isView(data) ? data.byteLength : Array.isArray(data) ? data.reduce((s: number, d) => s + sizeOf(d), 0) : 0;

  // Promise API: open (FileHandles are tracked), whole-file writes, directory and name operations.
  const faultyHandles = new WeakMap<object, string>();
  const open = fsp.open;
  fsp.open = (async (path: fs.PathLike, flags?: string | number, mode?: fs.Mode) => {
    if (hits(path) && writes(flags ?? "r") && !diskFull) throw fault("open", path);
    const handle = await open(path, flags, mode);
    if (hits(path) && writes(flags ?? "r")) faultyHandles.set(handle, String(path));
    return handle;
  }) as typeof fsp.open;
  await patchHandlePrototype(faultyHandles, spend, sizeOf, fault);

  const wrapPath = <K extends keyof typeof fsp>(name: K, pathArg: number, always: boolean): void => {
    const original = fsp[name] as unknown as (...args: unknown[]) => Promise<unknown>;
    (fsp as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      const path = args[pathArg];
      if (hits(path) && (!diskFull || always)) throw fault(String(name), path);
      if (hits(path) && diskFull && (name === "writeFile" || name === "appendFile") && spend(sizeOf(args[1]))) throw fault(String(name), path);
      return original(...args);
    };
  };
  wrapPath("writeFile", 0, false);
  wrapPath("appendFile", 0, false);
  wrapPath("copyFile", 1, true);
  wrapPath("mkdir", 0, false);
  wrapPath("rename", 1, false);
  wrapPath("link", 1, false);
  wrapPath("rm", 0, false);
  wrapPath("rmdir", 0, false);
  wrapPath("unlink", 0, false);

  // Callback API, as fs.createWriteStream uses it: open records the descriptor, write/writev fail on it.
  const faultyFds = new Set<number>();
  const openCb = fs.open;
  (fs as unknown as Record<string, unknown>).open = (path: fs.PathLike, flags: unknown, ...rest: unknown[]) => {
    const callback = rest.pop() as (error: NodeJS.ErrnoException | null, fd?: number) => void;
    if (hits(path) && writes(flags) && !diskFull) {
      process.nextTick(callback, fault("open", path));
      return;
    }
    (openCb as unknown as (...a: unknown[]) => void)(path, flags, ...rest, (error: NodeJS.ErrnoException | null, fd?: number) => {
      if (!error && fd !== undefined && hits(path) && writes(flags)) faultyFds.add(fd);
      callback(error, fd);
    });
  };
  for (const name of ["write", "writev"] as const) {
    const original = fs[name] as unknown as (...a: unknown[]) => void;
    (fs as unknown as Record<string, unknown>)[name] = (fd: number, data: unknown, ...rest: unknown[]) => {
      if (faultyFds.has(fd) && spend(sizeOf(data))) {
        const callback = rest.pop() as (error: NodeJS.ErrnoException) => void;
        process.nextTick(callback, fault(name, `fd ${fd}`));
        return;
      }
      original(fd, data, ...rest);
    };
  }
  syncBuiltinESMExports();
}

/** FileHandle methods live on its prototype: patch them once, failing only on tracked handles. */
async function patchHandlePrototype(
  faulty: WeakMap<object, string>,
  spend: (bytes: number) => boolean,
  sizeOf: (data: unknown) => number,
  fault: (syscall: string, path: unknown) => NodeJS.ErrnoException,
): Promise<void> {
  const handle = await fsp.open(process.execPath, "r");
  const proto = Object.getPrototypeOf(handle) as Record<string, (...args: unknown[]) => Promise<unknown>>;
  await handle.close();
  for (const name of ["writeFile", "write", "writev", "appendFile"]) {
    const original = proto[name]!;
    proto[name] = async function (this: object, ...args: unknown[]) {
      const path = faulty.get(this);
      if (path !== undefined && spend(sizeOf(args[0]))) throw fault(name, path);
      return original.apply(this, args);
    };
  }
}
