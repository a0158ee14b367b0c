import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { FfmpegNotFoundError, VideoDecodeError, VideoInputError } from "../src/video/errors.js";
import { pickFfmpeg, resolveFfmpeg } from "../src/video/ffmpeg.js";
import { parseInputHeader } from "../src/video/input-header.js";
import { probeVideo } from "../src/video/probe.js";
import { runFfmpeg } from "../src/video/run-ffmpeg.js";
import { decodeFrames, frameChannels } from "../src/video/decode.js";
import type { Frame, PixelFormat, VideoInfo } from "../src/video/types.js";
import { NO_FIXTURES, lrnetFixtures } from "./helpers/paths.js";
import {
  concatClip,
  makeAudioOnlyFile,
  makeMovingTextureClip,
  makeNoiseClip,
  makeNonVideoFile,
  truncatedCopy,
  type SyntheticClip,
} from "./helpers/synthetic-video.js";

const LINUX_PROC = process.platform === "linux" && existsSync("/proc/self/stat");
const NO_PROC = "needs Linux /proc to inspect child processes";

async function collect(path: string, format: PixelFormat, info?: VideoInfo): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const frame of decodeFrames(path, info ? { format, info } : { format })) frames.push(frame);
  return frames;
}

/** Frames decoded before the generator threw, and what it threw. */
async function collectUntilError(path: string, format: PixelFormat, info?: VideoInfo): Promise<{ frames: Frame[]; error: unknown }> {
  const frames: Frame[] = [];
  try {
    for await (const frame of decodeFrames(path, info ? { format, info } : { format })) frames.push(frame);
  } catch (error) {
    return { frames, error };
  }
  return { frames, error: null };
}

/** This process's children (running or zombie), from /proc. */
async function childProcesses(): Promise<Array<{ pid: number; name: string; state: string }>> {
  const children: Array<{ pid: number; name: string; state: string }> = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = await readFile(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    const close = stat.lastIndexOf(")");
    const [state, ppid] = stat.slice(close + 2).split(" ");
    if (Number(ppid) === process.pid) children.push({ pid: Number(entry), name: stat.slice(stat.indexOf("(") + 1, close), state: state! });
  }
  return children;
}

async function ffmpegChildren(): Promise<Array<{ pid: number; name: string; state: string }>> {
  return (await childProcesses()).filter((child) => child.name.startsWith("ffmpeg"));
}

function assertOneLine(message: string): void {
  assert.ok(!message.includes("\n"), `expected one line, got: ${message}`);
}

describe("resolveFfmpeg", () => {
  const savedPath = process.env.FFMPEG_PATH;
  let scratch = "";
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), "lrnet-ffmpeg-"));
  });
  after(async () => {
    if (savedPath === undefined) delete process.env.FFMPEG_PATH;
    else process.env.FFMPEG_PATH = savedPath;
    await rm(scratch, { recursive: true, force: true });
  });

  test("finds a working ffmpeg, reports its version and caches it", async () => {
    delete process.env.FFMPEG_PATH;
    const ffmpeg = await resolveFfmpeg();
    assert.match(ffmpeg.version, /^ffmpeg version \S+/);
    assert.ok(isAbsolute(ffmpeg.path) && existsSync(ffmpeg.path), ffmpeg.path);
    assert.ok(["ffmpeg-static", "PATH", "@ffmpeg-installer/ffmpeg"].includes(ffmpeg.source), ffmpeg.source);
    assert.equal(await resolveFfmpeg(), ffmpeg);
  });

  test("FFMPEG_PATH naming a working binary wins", async () => {
    delete process.env.FFMPEG_PATH;
    const found = await resolveFfmpeg();
    process.env.FFMPEG_PATH = found.path;
    const explicit = await resolveFfmpeg();
    assert.equal(explicit.source, "FFMPEG_PATH");
    assert.equal(explicit.path, found.path);
    assert.equal(explicit.version, found.version);
  });

  test("FFMPEG_PATH naming a non-executable file fails, naming FFMPEG_PATH, without falling back", async () => {
    const file = join(scratch, "ffmpeg-not-executable");
    await writeFile(file, "not a program");
    await chmod(file, 0o644);
    process.env.FFMPEG_PATH = file;
    await assert.rejects(resolveFfmpeg(), (error: unknown) => {
      assert.ok(error instanceof FfmpegNotFoundError);
      assert.ok(error.message.startsWith(`FFMPEG_PATH=${file} is not a working ffmpeg`), error.message);
      assert.match(error.message, /not executable|does not exist/);
      assertOneLine(error.message);
      return true;
    });
  });

  test("FFMPEG_PATH naming a missing file fails the same way", async () => {
    const file = join(scratch, "no-such-ffmpeg");
    process.env.FFMPEG_PATH = file;
    await assert.rejects(resolveFfmpeg(), new RegExp(`^FfmpegNotFoundError: FFMPEG_PATH=${file} is not a working ffmpeg \\(does not exist\\)`));
  });

  test("FFMPEG_PATH naming a program that is not ffmpeg fails", { skip: process.platform === "win32" ? "uses a shell script" : false }, async () => {
    const script = join(scratch, "fake-ffmpeg");
    await writeFile(script, "#!/bin/sh\necho hello\n");
    await chmod(script, 0o755);
    process.env.FFMPEG_PATH = script;
    await assert.rejects(resolveFfmpeg(), /FFMPEG_PATH=.*fake-ffmpeg is not a working ffmpeg \(`-version` did not print an ffmpeg version\)/);
  });

  test("no usable candidate: one line naming the three fixes", async () => {
    await assert.rejects(
      pickFfmpeg([
        { source: "ffmpeg-static", path: null, missing: "package not installed" },
        { source: "PATH", path: null, missing: "no ffmpeg on PATH" },
        { source: "@ffmpeg-installer/ffmpeg", path: join(scratch, "gone"), missing: "" },
      ]),
      (error: unknown) => {
        assert.ok(error instanceof FfmpegNotFoundError);
        assert.match(error.message, /set FFMPEG_PATH/);
        assert.match(error.message, /install ffmpeg on PATH/);
        assert.match(error.message, /npm install @ffmpeg-installer\/ffmpeg/);
        assert.match(error.message, /ffmpeg-static: package not installed; PATH: no ffmpeg on PATH; @ffmpeg-installer\/ffmpeg: .*gone does not exist/);
        assertOneLine(error.message);
        return true;
      },
    );
  });
});

describe("parseInputHeader", () => {
  const header = (...streamLines: string[]): string[] => [
    "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'clip.mp4':",
    "  Metadata:",
    "    major_brand     : isom",
    "  Duration: 00:01:02.50, start: 0.000000, bitrate: 450 kb/s",
    ...streamLines,
    "Output #0, null, to 'pipe:':",
    "    Stream #0:0: Video: wrapped_avframe, 9x9, 99 fps",
  ];

  test("reads codec, size, fps and duration, not taking the codec tag for a size", () => {
    const parsed = parseInputHeader(
      header(
        "    Stream #0:0(und): Video: h264 (High 4:4:4 Predictive) (avc1 / 0x31637661), yuv444p, 640x480, 447 kb/s, 25 fps, 25 tbr, 12800 tbn, 50 tbc (default)",
      ),
    );
    assert.equal(parsed?.format, "mov,mp4,m4a,3gp,3g2,mj2");
    assert.equal(parsed?.durationSeconds, 62.5);
    assert.deepEqual(parsed?.video, { index: 0, codec: "h264", codedWidth: 640, codedHeight: 480, width: 640, height: 480, fps: 25, rotation: 0, pixelFormat: "yuv444p", colorRange: null, colorSpace: null });
  });

  test("reads the pixel format with or without its colour details", () => {
    const video = (details: string) => {
      const v = parseInputHeader(header(`    Stream #0:0: Video: ${details}`))?.video;
      return v && [v.pixelFormat, v.colorRange, v.colorSpace];
    };
    assert.deepEqual(video("h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709), 1280x720 [SAR 1:1 DAR 16:9], 30 fps"), ["yuv420p", "tv", "bt709"]);
    assert.deepEqual(video("mjpeg, yuvj422p(pc, bt470bg/unknown/unknown), 80x60, 30 fps"), ["yuvj422p", "pc", "bt470bg"]);
    assert.deepEqual(video("h264, yuv420p(tv, unknown/bt709/bt709, progressive), 80x60, 30 fps"), ["yuv420p", "tv", null]);
    assert.deepEqual(video("h264, yuvj420p(pc), 80x60, 30 fps"), ["yuvj420p", "pc", null]);
    assert.deepEqual(video("ffv1 (FFV1 / 0x31564646), bgr0, 64x48, 25 fps"), ["bgr0", null, null]);
    assert.deepEqual(video("h264 (High 10), yuv420p10le(progressive), 96x64, 25 fps"), ["yuv420p10le", null, null]);
    assert.deepEqual(video("rawvideo, 8x8, 1k fps"), [null, null, null]);
  });

  test("29.97 fps is NTSC 30000/1001; without fps, tbr is used; k suffixes are thousands", () => {
    const ntsc = parseInputHeader(header("    Stream #0:0: Video: h264, yuv420p, 96x64, 29.97 fps, 29.97 tbr, 30k tbn, 59.94 tbc"));
    assert.equal(ntsc?.video?.fps, 30000 / 1001);
    const tbrOnly = parseInputHeader(header("    Stream #0:0: Video: mpeg4, yuv420p, 320x240, 30 tbr, 1k tbn, 30 tbc"));
    assert.equal(tbrOnly?.video?.fps, 30);
    const thousand = parseInputHeader(header("    Stream #0:0: Video: rawvideo, gray, 8x8, 1k fps, 1k tbr, 1k tbn"));
    assert.equal(thousand?.video?.fps, 1000);
    const pal = parseInputHeader(header("    Stream #0:0: Video: h264, yuv420p, 96x64, 12.50 fps, 12.50 tbr, 1k tbn"));
    assert.equal(pal?.video?.fps, 12.5);
  });

  test("skips cover art, swaps size for a 90° rotation, lists non-video streams", () => {
    const parsed = parseInputHeader(
      header(
        "    Stream #0:0(und): Audio: aac (LC), 44100 Hz, stereo, fltp, 128 kb/s (default)",
        "    Stream #0:1: Video: png, rgba(pc), 300x300, 90k tbr, 90k tbn, 90k tbc (attached pic)",
        "    Stream #0:2(und): Video: h264 (High), yuv420p, 1920x1080, 30 fps, 30 tbr, 15360 tbn, 60 tbc",
        "    Metadata:",
        "      rotate          : 90",
        "    Side data:",
        "      displaymatrix: rotation of -90.00 degrees",
      ),
    );
    assert.deepEqual(parsed?.streamKinds, ["Audio", "Video", "Video"]);
    assert.equal(parsed?.video?.index, 2);
    assert.equal(parsed?.video?.rotation, 90);
    assert.deepEqual([parsed?.video?.width, parsed?.video?.height], [1080, 1920]);
    const upsideDown = parseInputHeader(
      header("    Stream #0:0: Video: h264, yuv420p, 64x48, 25 fps", "    Side data:", "      displaymatrix: rotation of -180.00 degrees"),
    );
    assert.deepEqual([upsideDown?.video?.width, upsideDown?.video?.height, upsideDown?.video?.rotation], [64, 48, 180]);
  });

  test("no video stream, and no input description at all", () => {
    const audio = parseInputHeader(header("    Stream #0:0: Audio: pcm_s16le, 8000 Hz, mono, s16, 128 kb/s"));
    assert.equal(audio?.video, null);
    assert.deepEqual(audio?.streamKinds, ["Audio"]);
    assert.equal(parseInputHeader(["clip.mp4: Invalid data found when processing input"]), null);
  });
});

describe("probeVideo", () => {
  test("generated clips: exact size, rate, codec and frame count", async () => {
    const ffv1 = await makeMovingTextureClip({ width: 64, height: 48, frames: 12, fps: 25, offsets: (i) => [i, 0] });
    const info = await probeVideo(ffv1.path);
    assert.deepEqual(
      { width: info.width, height: info.height, fps: info.fps, frameCount: info.frameCount, codec: info.codec, path: info.path },
      { width: 64, height: 48, fps: 25, frameCount: 12, codec: "ffv1", path: ffv1.path },
    );
    assert.deepEqual(info.decoder, await resolveFfmpeg());

    const h264 = await makeMovingTextureClip({ width: 96, height: 64, frames: 20, fps: 30000 / 1001, offsets: (i) => [0, i], codec: "h264" });
    const ntsc = await probeVideo(h264.path);
    assert.deepEqual([ntsc.width, ntsc.height, ntsc.fps, ntsc.frameCount, ntsc.codec], [96, 64, 30000 / 1001, 20, "h264"]);

    const mjpeg = await makeMovingTextureClip({ width: 80, height: 60, frames: 15, fps: 30, offsets: () => [0, 0], codec: "mjpeg" });
    const motion = await probeVideo(mjpeg.path);
    assert.deepEqual([motion.width, motion.height, motion.fps, motion.frameCount, motion.codec], [80, 60, 30, 15, "mjpeg"]);
  });

  test("a clip concatenated 3 times has 3 times the frames", async () => {
    const clip = await makeNoiseClip({ width: 32, height: 24, frames: 7, fps: 25 });
    const long = await concatClip(clip.path, 3);
    const info = await probeVideo(long);
    assert.equal(info.frameCount, 21);
    assert.equal((await collect(long, "bgr24")).length, 21);
  });

  test("a quarter-turned clip reports the size ffmpeg outputs (rotated)", async () => {
    const clip = await makeMovingTextureClip({ width: 64, height: 32, frames: 3, fps: 25, offsets: () => [0, 0], codec: "h264-lossless", rotate: 270 });
    const info = await probeVideo(clip.path);
    assert.deepEqual([info.width, info.height, info.frameCount], [32, 64, 3]);
  });

  test("missing file, non-video file, audio-only file: one-line errors naming the file", async () => {
    const missing = join(tmpdir(), "lrnet-no-such-dir", "clip.mp4");
    await assert.rejects(probeVideo(missing), (error: unknown) => {
      assert.ok(error instanceof VideoInputError);
      assert.equal(error.message, `video not found: ${missing}`);
      return true;
    });

    const text = await makeNonVideoFile();
    await assert.rejects(probeVideo(text), (error: unknown) => {
      assert.ok(error instanceof VideoInputError);
      assert.equal(error.message, `${text}: cannot read video: moov atom not found; Invalid data found when processing input`);
      return true;
    });

    const audio = await makeAudioOnlyFile();
    await assert.rejects(probeVideo(audio), (error: unknown) => {
      assert.ok(error instanceof VideoInputError);
      assert.equal(error.message, `${audio}: no video stream (streams: audio)`);
      return true;
    });

    const notes = await makeNonVideoFile("notes.txt");
    await assert.rejects(probeVideo(notes), { message: `${notes}: not a video (ffmpeg reads it as a text file)` });
  });

  test("LRNet fixture clips", { skip: lrnetFixtures ? false : NO_FIXTURES }, async () => {
    const small = await probeVideo(join(lrnetFixtures!, "000_003.mp4"));
    assert.deepEqual([small.width, small.height, small.fps, small.frameCount, small.codec], [640, 480, 25, 396, "h264"]);
    const large = await probeVideo(join(lrnetFixtures!, "ff_real.mp4"));
    assert.deepEqual([large.width, large.height, large.fps, large.frameCount, large.codec], [1280, 720, 30, 757, "h264"]);
  });
});

describe("decodeFrames", () => {
  let ffv1: SyntheticClip;
  before(async () => {
    ffv1 = await makeMovingTextureClip({ width: 64, height: 48, frames: 10, fps: 25, offsets: (i) => [i % 4, -Math.floor(i / 3)] });
  });

  test("frameChannels", () => {
    assert.equal(frameChannels("bgr24"), 3);
    assert.equal(frameChannels("rgba"), 4);
  });

  for (const format of ["bgr24", "rgba"] as const) {
    test(`a lossless clip decodes to the generated pixels byte for byte (${format})`, async () => {
      const frames = await collect(ffv1.path, format);
      assert.deepEqual(
        frames.map((frame) => frame.index),
        Array.from({ length: 10 }, (_, i) => i),
      );
      for (const frame of frames) {
        assert.deepEqual([frame.width, frame.height, frame.format], [64, 48, format]);
        assert.equal(frame.data.byteLength, 64 * 48 * frameChannels(format));
        assert.equal(frame.data.buffer.byteLength, frame.data.byteLength, "each frame owns its buffer");
        assert.ok(Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength).equals(ffv1.frame(frame.index, format)), `frame ${frame.index}`);
      }
    });
  }

  test("lossless H.264 (libx264rgb) and a noise clip also round-trip exactly; a given probe is used as is", async () => {
    const h264 = await makeMovingTextureClip({ width: 48, height: 40, frames: 6, fps: 30, offsets: (i) => [2 * i, i], codec: "h264-lossless" });
    const noise = await makeNoiseClip({ width: 40, height: 30, frames: 5, fps: 25 });
    for (const clip of [h264, noise]) {
      const frames = await collect(clip.path, "bgr24", await probeVideo(clip.path));
      assert.equal(frames.length, clip.frameCount);
      for (const frame of frames) assert.ok(Buffer.from(frame.data).equals(clip.frame(frame.index)), `${clip.codec} frame ${frame.index}`);
    }
  });

  test("lossy H.264: every frame in order, none duplicated or dropped", async () => {
    const clip = await makeMovingTextureClip({ width: 96, height: 64, frames: 16, fps: 25, offsets: (i) => [3 * i, 0], codec: "h264" });
    const frames = await collect(clip.path, "bgr24");
    assert.equal(frames.length, 16);
    const meanAbsDiff = (a: Uint8Array, b: Uint8Array): number => {
      let sum = 0;
      for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
      return sum / a.length;
    };
    for (const frame of frames) {
      const own = meanAbsDiff(frame.data, clip.frame(frame.index));
      assert.ok(own < 8, `frame ${frame.index} differs by ${own} on average`);
      for (const other of [frame.index - 1, frame.index + 1].filter((i) => i >= 0 && i < 16)) {
        assert.ok(meanAbsDiff(frame.data, clip.frame(other)) > 2 * own, `frame ${frame.index} looks like frame ${other}`);
      }
    }
  });

  for (const rotate of [90, 270] as const) {
    test(`a clip tagged rotate=${rotate} decodes turned by the rotation the file reports, at the probed size`, async () => {
      const clip = await makeMovingTextureClip({ width: 24, height: 16, frames: 2, fps: 25, offsets: (i) => [i, 0], codec: "h264-lossless", rotate });
      // ffmpeg 4.1's mp4 muxer stores "rotate=90" so that it reads back as 270 (and vice versa): ask the file.
      const header = parseInputHeader((await runFfmpeg((await resolveFfmpeg()).path, ["-hide_banner", "-i", clip.path])).stderr);
      const clockwise = header?.video?.rotation;
      assert.ok(clockwise === 90 || clockwise === 270, `rotation ${clockwise}`);
      const info = await probeVideo(clip.path);
      assert.deepEqual([info.width, info.height], [16, 24]);
      const frames = await collect(clip.path, "bgr24", info);
      assert.equal(frames.length, 2);
      for (const frame of frames) {
        assert.deepEqual([frame.width, frame.height], [16, 24]);
        const source = clip.frame(frame.index);
        const expected = new Uint8Array(source.length);
        for (let y = 0; y < 24; y++) {
          for (let x = 0; x < 16; x++) {
            // A clockwise quarter turn shows source (y, H-1-x) at (x, y); a counter-clockwise one source (W-1-y, x).
            const [sx, sy] = clockwise === 90 ? [y, 16 - 1 - x] : [24 - 1 - y, x];
            expected.set(source.subarray((sy * 24 + sx) * 3, (sy * 24 + sx) * 3 + 3), (y * 16 + x) * 3);
          }
        }
        assert.ok(Buffer.from(frame.data).equals(expected), `frame ${frame.index}`);
      }
    });
  }

  test("breaking out early kills ffmpeg and leaves no zombie", { skip: LINUX_PROC ? false : NO_PROC }, async () => {
    const clip = await makeMovingTextureClip({ width: 320, height: 240, frames: 30, fps: 25, offsets: (i) => [i, i] });
    let seen = 0;
    let ffmpegWhileDecoding = 0;
    for await (const frame of decodeFrames(clip.path, { format: "bgr24" })) {
      seen = frame.index + 1;
      ffmpegWhileDecoding = (await ffmpegChildren()).length;
      if (seen === 2) break;
    }
    assert.equal(seen, 2);
    assert.equal(ffmpegWhileDecoding, 1, "ffmpeg runs while frames are pulled");
    assert.deepEqual(await ffmpegChildren(), []);
  });

  test("ffmpeg is held back while the consumer does not pull (at most ~2 frames in flight)", { skip: LINUX_PROC ? false : NO_PROC }, async () => {
    const clip = await makeMovingTextureClip({ width: 320, height: 240, frames: 30, fps: 25, offsets: (i) => [i, 0] });
    const frameBytes = 320 * 240 * 3;
    const frames = decodeFrames(clip.path, { format: "bgr24" });
    try {
      const first = await frames.next();
      assert.equal(first.done, false);
      const [child] = await ffmpegChildren();
      assert.ok(child, "ffmpeg is running");
      // Let ffmpeg run until it blocks on the full pipe.
      let written = -1;
      for (let polls = 0; polls < 40; polls++) {
        await sleep(50);
        const io = await readFile(`/proc/${child.pid}/io`, "utf8");
        const now = Number(/^wchar: (\d+)$/m.exec(io)?.[1]);
        if (now === written) break;
        written = now;
      }
      assert.ok(written >= frameBytes, `ffmpeg wrote ${written} bytes`);
      assert.ok(written <= 3 * frameBytes, `ffmpeg wrote ${(written / frameBytes).toFixed(2)} frames while 1 was consumed`);
      assert.equal((await ffmpegChildren()).length, 1, "ffmpeg waits instead of finishing");
    } finally {
      await frames.return(undefined);
    }
    assert.deepEqual(await ffmpegChildren(), []);
  });

  test("aborting stops ffmpeg and rejects with the abort reason", { skip: LINUX_PROC ? false : NO_PROC }, async () => {
    const clip = await makeMovingTextureClip({ width: 160, height: 120, frames: 20, fps: 25, offsets: () => [0, 0] });
    const controller = new AbortController();
    let seen = 0;
    await assert.rejects(
      (async () => {
        for await (const frame of decodeFrames(clip.path, { format: "rgba", signal: controller.signal })) {
          seen = frame.index + 1;
          if (seen === 3) controller.abort();
        }
      })(),
      { name: "AbortError" },
    );
    assert.equal(seen, 3);
    assert.deepEqual(await ffmpegChildren(), []);
  });

  test("a truncated FFV1 clip ends with a VideoDecodeError naming the file and the last good frame", async () => {
    const clip = await makeMovingTextureClip({ width: 64, height: 48, frames: 20, fps: 25, offsets: (i) => [i % 3, 0] });
    const truncated = await truncatedCopy(clip.path, 0.6);
    const info = await probeVideo(truncated);
    const { frames, error } = await collectUntilError(truncated, "bgr24");
    assert.ok(error instanceof VideoDecodeError, String(error));
    assert.ok(frames.length > 0 && frames.length < 20, `${frames.length} frames`);
    assert.equal(error.file, truncated);
    assert.equal(error.lastGoodFrame, frames.length - 1);
    assert.ok(error.message.startsWith(`${truncated}: decoding stopped after frame ${frames.length - 1} of ${info.frameCount}: `), error.message);
    assertOneLine(error.message);
    for (const frame of frames) assert.ok(Buffer.from(frame.data).equals(clip.frame(frame.index)), `frame ${frame.index}`);
  });

  test("a truncated MP4 ends with a VideoDecodeError too", async () => {
    // The first (key) frame holds most of the bytes: cut near the end so that the file still opens.
    const clip = await makeMovingTextureClip({ width: 64, height: 48, frames: 30, fps: 25, offsets: (i) => [i, 0], codec: "h264" });
    const truncated = await truncatedCopy(clip.path, 0.9);
    const { frames, error } = await collectUntilError(truncated, "rgba");
    assert.ok(error instanceof VideoDecodeError, String(error));
    assert.ok(frames.length < 30);
    assert.match(error.message, new RegExp(`^${truncated.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: decoding stopped (after frame ${frames.length - 1}|before the first frame) of \\d+: \\S`));
  });

  test("fewer frames than probed, or output ending inside a frame, is an error", async () => {
    const info = await probeVideo(ffv1.path);
    const short = await collectUntilError(ffv1.path, "bgr24", { ...info, frameCount: 15 });
    assert.equal(short.frames.length, 10);
    assert.ok(short.error instanceof VideoDecodeError);
    assert.equal(short.error.message, `${ffv1.path}: decoding stopped after frame 9 of 15: ffmpeg delivered only 10 frames`);

    // 10 frames of 64×48 read as 65×48 frames: 9 whole ones and a remainder.
    const misfit = await collectUntilError(ffv1.path, "bgr24", { ...info, width: 65 });
    assert.equal(misfit.frames.length, 9);
    assert.ok(misfit.error instanceof VideoDecodeError);
    assert.equal(misfit.error.message, `${ffv1.path}: decoding stopped after frame 8 of 10: output ended inside a frame (7920 of 9360 bytes)`);
  });

  test("missing and non-video files: the probe's one-line errors", async () => {
    const missing = join(tmpdir(), "lrnet-no-such-dir", "clip.mkv");
    await assert.rejects(collect(missing, "bgr24"), { name: "VideoInputError", message: `video not found: ${missing}` });
    const text = await makeNonVideoFile("garbage.mkv");
    await assert.rejects(collect(text, "rgba"), (error: unknown) => {
      assert.ok(error instanceof VideoInputError);
      assert.ok(error.message.startsWith(`${text}: cannot read video: `), error.message);
      assertOneLine(error.message);
      return true;
    });
    // A probe given for a file that has gone since.
    const info = await probeVideo(ffv1.path);
    await assert.rejects(collect(missing, "bgr24", { ...info, path: missing }), { message: `video not found: ${missing}` });
  });

  test("LRNet fixture 000_003.mp4 decodes to its 396 frames", { skip: lrnetFixtures ? false : NO_FIXTURES }, async () => {
    let count = 0;
    for await (const frame of decodeFrames(join(lrnetFixtures!, "000_003.mp4"), { format: "bgr24" })) {
      assert.equal(frame.index, count);
      assert.equal(frame.data.length, 640 * 480 * 3);
      count++;
    }
    assert.equal(count, 396);
  });
});
