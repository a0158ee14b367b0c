import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFile, readdir } from "node:fs/promises";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { promisify } from "node:util";
import { Worker } from "node:worker_threads";
import { setTimeout as sleep } from "node:timers/promises";
import { decodeFrames } from "../src/video/decode.js";
import { VideoDecodeError } from "../src/video/errors.js";
import { decodeFramesAhead, decoderThreadStats } from "../src/video/read-ahead.js";
import { workerExecArgv } from "../src/threads/exec-argv.js";
import type { Frame, PixelFormat } from "../src/video/types.js";
import { makeMovingTextureClip, truncatedCopy } from "./helpers/synthetic-video.js";

const run = promisify(execFile);
const LINUX_PROC = process.platform === "linux" && existsSync("/proc/self/stat");
const NO_PROC = "needs Linux /proc to inspect child processes";

/** ffmpeg processes started by this process (the decoder thread's too: threads share the pid). */
async function ffmpegChildren(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const ppid = Number(stat.slice(close + 2).split(" ")[1]);
      if (ppid === process.pid && stat.slice(stat.indexOf("(") + 1, close).startsWith("ffmpeg")) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

async function collect(frames: AsyncIterable<Frame>): Promise<{ frames: Frame[]; error: unknown }> {
  const out: Frame[] = [];
  try {
    for await (const frame of frames) out.push(frame);
  } catch (error) {
    return { frames: out, error };
  }
  return { frames: out, error: null };
}

test("decodeFramesAhead delivers exactly decodeFrames' frames, in both formats, each valid until the next is pulled", async () => {
  const clip = await makeMovingTextureClip({ width: 96, height: 64, frames: 25, fps: 25, offsets: (i) => [i % 7, i % 3], codec: "h264" });
  for (const format of ["bgr24", "rgba"] as PixelFormat[]) {
    const direct = await collect(decodeFrames(clip.path, { format }));
    assert.equal(direct.error, null);
    const seen: Frame[] = [];
    let previous: Frame | null = null;
    for await (const frame of decodeFramesAhead(clip.path, { format })) {
      const i = seen.length;
      const expected = direct.frames[i]!;
      assert.deepEqual([frame.index, frame.width, frame.height, frame.format], [expected.index, expected.width, expected.height, expected.format]);
      assert.ok(Buffer.from(frame.data).equals(expected.data), `${format} frame ${i}`);
      // The previous frame's buffer went back to the decoder thread, to be decoded into again.
      if (previous) assert.equal(previous.data.byteLength, 0, `${format} frame ${i - 1} handed back`);
      previous = frame;
      seen.push(frame);
    }
    assert.equal(seen.length, 25);
  }
});

test("a truncated clip throws the same VideoDecodeError after the same frames", async () => {
  const clip = await makeMovingTextureClip({ width: 64, height: 48, frames: 20, fps: 25, offsets: (i) => [i % 3, 0] });
  const truncated = await truncatedCopy(clip.path, 0.6);
  const direct = await collect(decodeFrames(truncated, { format: "bgr24" }));
  const ahead = await collect(decodeFramesAhead(truncated, { format: "bgr24" }));
  assert.ok(ahead.error instanceof VideoDecodeError, String(ahead.error));
  assert.ok(direct.error instanceof VideoDecodeError);
  assert.equal(ahead.error.message, direct.error.message);
  assert.equal(ahead.error.lastGoodFrame, direct.error.lastGoodFrame);
  assert.equal(ahead.frames.length, direct.frames.length);
});

test("ffmpeg runs ahead of a slow consumer, but only a few frames; breaking out stops it", { skip: LINUX_PROC ? false : NO_PROC }, async () => {
  const clip = await makeMovingTextureClip({ width: 320, height: 240, frames: 40, fps: 25, offsets: (i) => [i, 0] });
  const frameBytes = 320 * 240 * 3;
  const frames = decodeFramesAhead(clip.path, { format: "bgr24" });
  try {
    assert.equal((await frames.next()).done, false);
    const [pid] = await ffmpegChildren();
    assert.ok(pid, "ffmpeg is running");
    let written = -1;
    for (let polls = 0; polls < 60; polls++) {
      await sleep(50);
      const now = Number(/^wchar: (\d+)$/m.exec(await readFile(`/proc/${pid}/io`, "utf8"))?.[1]);
      if (now === written) break;
      written = now;
    }
    // Read-ahead: more than the ~2 frames a full pipe holds, bounded by the decoder thread's credit (8 here).
    assert.ok(written >= 4 * frameBytes, `ffmpeg wrote ${(written / frameBytes).toFixed(2)} frames while 1 was consumed`);
    assert.ok(written <= 12 * frameBytes, `ffmpeg wrote ${(written / frameBytes).toFixed(2)} frames while 1 was consumed`);
    assert.equal((await ffmpegChildren()).length, 1, "ffmpeg waits instead of finishing");
  } finally {
    await frames.return(undefined);
  }
  assert.deepEqual(await ffmpegChildren(), []);
});

test("aborting stops the decoder and rejects with the abort reason", { skip: LINUX_PROC ? false : NO_PROC }, async () => {
  const clip = await makeMovingTextureClip({ width: 160, height: 120, frames: 20, fps: 25, offsets: () => [0, 0] });
  const controller = new AbortController();
  let seen = 0;
  await assert.rejects(
    (async () => {
      for await (const frame of decodeFramesAhead(clip.path, { format: "rgba", signal: controller.signal })) {
        seen = frame.index + 1;
        if (seen === 3) controller.abort();
      }
    })(),
    { name: "AbortError" },
  );
  assert.equal(seen, 3);
  assert.deepEqual(await ffmpegChildren(), []);
});

test("worker threads get only the node options a Worker accepts: V8 options on node's command line do not break them", () => {
  const given = ["--max-old-space-size=4096", "--import", "./hooks.mjs", "--stack-trace-limit=5", "--enable-source-maps", "--conditions=dev", "-r", "./setup.cjs", "--title", "x", "--experimental-vm-modules"];
  assert.deepEqual(workerExecArgv(given), ["--import", "./hooks.mjs", "--enable-source-maps", "--conditions=dev", "-r", "./setup.cjs", "--experimental-vm-modules"]);
  // What node rejects in a Worker's execArgv is dropped, so every kept option starts a thread.
  assert.throws(() => new Worker("0", { eval: true, execArgv: ["--max-old-space-size=4096"] }), { code: "ERR_WORKER_INVALID_EXEC_ARGV" });
  new Worker("0", { eval: true, execArgv: workerExecArgv(["--max-old-space-size=4096", "--stack-trace-limit=5", "--enable-source-maps"]) }).unref();
});

test("node's profilers reach worker threads (one profile per thread; a fixed --cpu-prof-name is the main thread's alone)", async () => {
  const given = ["--cpu-prof", "--cpu-prof-dir", "/tmp/profiles", "--cpu-prof-name", "main.cpuprofile", "--heap-prof", "--heap-prof-interval=1024"];
  assert.deepEqual(workerExecArgv(given), ["--cpu-prof", "--cpu-prof-dir", "/tmp/profiles", "--heap-prof", "--heap-prof-interval=1024"]);
  const dir = mkdtempSync(join(tmpdir(), "lrnet-prof-"));
  try {
    const worker = new Worker("let s = 0; for (let i = 0; i < 1e6; i++) s += i;", { eval: true, execArgv: workerExecArgv(["--cpu-prof", "--cpu-prof-dir", dir]) });
    await once(worker, "exit");
    assert.equal(readdirSync(dir).filter((f) => f.endsWith(".cpuprofile")).length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("decodeFramesAhead runs in a node started with V8 options (--max-old-space-size, --stack-trace-limit)", async () => {
  const clip = await makeMovingTextureClip({ width: 64, height: 48, frames: 6, fps: 25, offsets: (i) => [i, 0] });
  const script = `const { decodeFramesAhead } = await import(${JSON.stringify(new URL("../src/video/read-ahead.js", import.meta.url).href)});
let n = 0; for await (const f of decodeFramesAhead(${JSON.stringify(clip.path)}, { format: "rgba" })) n++; console.log(n);`;
  const { stdout } = await run(process.execPath, ["--max-old-space-size=4096", "--stack-trace-limit=30", "--input-type=module", "-e", script]);
  assert.equal(stdout.trim(), "6");
});

test("one decoder thread serves video after video: after a finished, a failed and a stopped decode it decodes the next", async () => {
  const clip = await makeMovingTextureClip({ width: 64, height: 48, frames: 12, fps: 25, offsets: (i) => [i % 5, 0] });
  const broken = await truncatedCopy(clip.path);
  const expected = (await collect(decodeFrames(clip.path, { format: "rgba" }))).frames.length;
  const before = decoderThreadStats();
  assert.equal((await collect(decodeFramesAhead(clip.path, { format: "rgba" }))).frames.length, expected);
  const failed = await collect(decodeFramesAhead(broken, { format: "rgba" }));
  assert.ok(failed.error instanceof VideoDecodeError, `the truncated copy fails as decodeFrames does, got ${String(failed.error)}`);
  for await (const frame of decodeFramesAhead(clip.path, { format: "rgba" })) if (frame.index === 2) break;
  assert.equal((await collect(decodeFramesAhead(clip.path, { format: "rgba" }))).frames.length, expected);
  const after = decoderThreadStats();
  assert.equal(after.started - before.started, before.idle > 0 ? 0 : 1, "four decodes, one thread");
  assert.equal(after.idle, Math.max(1, before.idle));
});

test("an idle decoder thread does not keep the process alive", async () => {
  const clip = await makeMovingTextureClip({ width: 64, height: 48, frames: 4, fps: 25, offsets: () => [0, 0] });
  const script = `const { decodeFramesAhead, decoderThreadStats } = await import(${JSON.stringify(new URL("../src/video/read-ahead.js", import.meta.url).href)});
let n = 0; for await (const f of decodeFramesAhead(${JSON.stringify(clip.path)}, { format: "rgba" })) n++; console.log(n, decoderThreadStats().idle);`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { timeout: 20_000 });
  assert.equal(stdout.trim(), "4 1");
});
