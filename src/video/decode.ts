import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";
import { VideoDecodeError } from "./errors.js";
import { LogLines, errorMessages, ffmpegReason } from "./ffmpeg-log.js";
import { frameConversionFor } from "./frame-conversion.js";
import { DecoderTimes } from "./frame-times.js";
import { assertVideoFileExists, ffmpegInput, probeVideo } from "./probe.js";
import { PullReader } from "./pull-reader.js";
import type { CropRegion, Frame, PixelFormat, VideoInfo } from "./types.js";
import { YuvConverter } from "./yuv-convert.js";
import { planeSizes } from "./yuv-layout.js";

export interface DecodeOptions {
  format: PixelFormat;
  /** The file's probe; probed here when absent. */
  info?: VideoInfo;
  /** Aborting stops ffmpeg; the generator then throws the signal's reason. */
  signal?: AbortSignal;
  /** Give each frame its own presentation time (`timeS`, from ffmpeg's -debug_ts lines; right for variable frame rates). */
  timestamps?: boolean;
  /**
   * Decode only this rectangle (even corners and size; ffmpeg crops before converting the pixel format, so
   * the bytes equal that part of the whole frame). Frames then carry `region` and are its size.
   */
  crop?: CropRegion;
  /**
   * Gives back a buffer of exactly `bytes` bytes that a frame handed out earlier no longer uses, or undefined:
   * the next frame is decoded into it instead of a new allocation (fresh megabytes a frame cost page faults and
   * zeroing, then garbage collection).
   */
  reuse?: (bytes: number) => Uint8Array | undefined;
  /** ffmpeg's decoder threads (`-threads`); default: ffmpeg's own choice (frame threads on every core). */
  threads?: number;
  /**
   * When the stream's frames are converted here (frame-conversion.ts), hand over ffmpeg's planar YUV bytes
   * instead (Frame.format is then the YUV layout) for the consumer to convert with a YuvConverter: it can then
   * convert straight into the memory it reads from, and cut only the parts it needs.
   */
  planar?: boolean;
}

export function frameChannels(format: PixelFormat): 3 | 4 {
  return format === "rgba" ? 4 : 3;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error: Error | null;
}

/**
 * Marked (performance.mark) when the process's first decoded frame is handed out: the start-up cost of a run
 * is this mark's time since process start (`npm run bench -- lrnet` reports it). Marked once per process.
 */
export const FIRST_FRAME_MARK = "lrnet-data:first-frame";
let firstFrameMarked = false;

/** Sets FIRST_FRAME_MARK on this thread's timeline the first time it is called. */
export function markFirstFrame(): void {
  if (firstFrameMarked) return;
  firstFrameMarked = true;
  performance.mark(FIRST_FRAME_MARK);
}

/** This thread's YUV converter (synchronous, so every decoder of the thread can share it). */
let converter: YuvConverter | null = null;

/** How long ffmpeg gets to exit after SIGTERM before SIGKILL, when the consumer stops early. */
const KILL_GRACE_MS = 2000;

/**
 * Streams every decoded frame of the first video stream, in order, as OpenCV's VideoCapture delivers them
 * (`-vsync passthrough`: no frame duplicated or dropped to fit a frame rate). ffmpeg is only read while the
 * consumer pulls, so memory stays at about one frame whatever the clip's length. Breaking out of the loop
 * (or calling `return()`) kills ffmpeg and waits until it has exited.
 *
 * Throws VideoInputError (missing / unreadable file, via the probe) before the first frame, and
 * VideoDecodeError after the last good frame when the file is damaged: ffmpeg failed or reported an error,
 * fewer frames came out than probed, or the output ended inside a frame.
 */
export async function* decodeFrames(path: string, options: DecodeOptions): AsyncGenerator<Frame> {
  const { format, signal, crop } = options;
  signal?.throwIfAborted();
  await assertVideoFileExists(path);
  const info = options.info ?? (await probeVideo(path));
  signal?.throwIfAborted();

  if (crop) checkCrop(crop, info);
  const { width, height } = crop ?? info;
  const region = crop ? { ...crop, pictureWidth: info.width, pictureHeight: info.height } : null;
  const frameBytes = width * height * frameChannels(format);
  // ffmpeg's planar YUV converted here when that gives the same bytes (frame-conversion.ts), else its own RGBA / BGR24.
  const conversion = frameConversionFor(info, width, height);
  const outputFormat = conversion.by === "yuv" ? conversion.layout : format;
  const rawBytes = conversion.by === "yuv" ? planeSizes(width, height, conversion.layout).frameBytes : frameBytes;
  // Converted here (into a fresh or reused frame, from one buffer ffmpeg's bytes are gathered in), or handed
  // over as they are: planar YUV with its layout and matrix when asked for, else ffmpeg's own RGBA / BGR24.
  const convertHere =
    conversion.by === "yuv" && !options.planar
      ? { converter: (converter ??= new YuvConverter()), layout: conversion.layout, matrix: conversion.matrix, raw: new Uint8Array(rawBytes) }
      : null;
  const delivered = conversion.by === "yuv" && options.planar ? { format: conversion.layout, matrix: conversion.matrix } : { format };
  const input = ffmpegInput(path);
  // -debug_ts logs each frame's pts at level info; then only lines tagged error and above count as errors.
  const times = options.timestamps ? new DecoderTimes() : null;
  // -xerror: stop at the first decode error rather than conceal it and carry on with damaged frames.
  const child = spawn(
    info.decoder.path,
    [
      "-nostdin", "-hide_banner", "-loglevel", times ? "level+info" : "error", "-xerror",
      ...(times ? ["-debug_ts"] : []),
      ...(options.threads === undefined ? [] : ["-threads", String(options.threads)]),
      "-i", input, "-map", "0:V:0", "-vsync", "passthrough",
      ...videoFilter(crop),
      "-f", "rawvideo", "-pix_fmt", outputFormat, "-",
    ],
    { stdio: ["ignore", "pipe", "pipe"], windowsHide: true },
  );
  const exited = waitForExit(child);
  const log = new LogLines();
  if (times) {
    const lines = new LineSplitter((line) => {
      if (!times.push(line)) log.push(`${line}\n`);
    });
    child.stderr.on("data", (chunk: Buffer) => lines.push(chunk));
    child.stderr.on("close", () => {
      lines.flush();
      times.end();
    });
  } else {
    child.stderr.on("data", (chunk: Buffer) => log.push(chunk));
  }
  const onAbort = (): void => void child.kill("SIGKILL");
  signal?.addEventListener("abort", onAbort, { once: true });

  let index = 0;
  // The frame being filled from the pipe: ffmpeg's bytes.
  let frame: Uint8Array | null = null;
  let filled = 0;
  let done = false;
  try {
    const reader = new PullReader(child.stdout);
    for (let chunk = await reader.next(); chunk !== null; chunk = await reader.next()) {
      let offset = 0;
      while (offset < chunk.length) {
        frame ??= convertHere?.raw ?? options.reuse?.(rawBytes) ?? new Uint8Array(rawBytes);
        const take = Math.min(rawBytes - filled, chunk.length - offset);
        frame.set(take === chunk.length ? chunk : chunk.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === rawBytes) {
          signal?.throwIfAborted();
          markFirstFrame();
          const timeS = times ? await times.timeOf(index) : null;
          let data = frame;
          if (convertHere) {
            const { converter: yuv, layout, matrix } = convertHere;
            data = options.reuse?.(frameBytes) ?? new Uint8Array(frameBytes);
            if (format === "rgba") yuv.toRgba(frame, width, height, layout, data, matrix);
            else yuv.toBgrRegion(frame, width, height, layout, { x: 0, y: 0, width, height }, data, matrix);
          }
          yield {
            index, width, height, data, ...delivered,
            ...(region ? { region } : {}),
            ...(timeS === null ? {} : { timeS }),
          };
          index++;
          frame = null;
          filled = 0;
        }
      }
    }
    const exit = await exited;
    done = true;
    signal?.throwIfAborted();
    const failure = decodeFailure(exit, log, times !== null, [input, path], { decoded: index, expected: info.frameCount, partialBytes: filled, frameBytes: rawBytes });
    if (failure) throw new VideoDecodeError(path, index - 1, info.frameCount, failure);
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (!done) await stop(child, exited);
  }
}

/** ffmpeg's -vf: crop before the pixel-format conversion. */
function videoFilter(crop: CropRegion | undefined): string[] {
  return crop ? ["-vf", `crop=${crop.width}:${crop.height}:${crop.x}:${crop.y}`] : [];
}

function checkCrop(crop: CropRegion, info: VideoInfo): void {
  const { x, y, width, height } = crop;
  const even = [x, y, width, height].every((v) => Number.isInteger(v) && v % 2 === 0);
  if (!even || width <= 0 || height <= 0 || x + width > info.width || y + height > info.height) {
    throw new Error(`crop ${width}×${height} at (${x}, ${y}) must have even corners and size and lie inside the ${info.width}×${info.height} frame`);
  }
}

function decodeFailure(
  exit: Exit,
  log: LogLines,
  levelPrefixed: boolean,
  inputNames: readonly string[],
  output: { decoded: number; expected: number; partialBytes: number; frameBytes: number },
): string | null {
  const reported = ffmpegReason(errorMessages(log.lines(), levelPrefixed), inputNames);
  if (exit.error) return `ffmpeg could not run: ${exit.error.message}`;
  if (exit.code !== 0) return reported ?? `ffmpeg failed (${exit.signal ?? `exit code ${exit.code}`})`;
  if (reported) return reported;
  if (output.partialBytes > 0) return `output ended inside a frame (${output.partialBytes} of ${output.frameBytes} bytes)`;
  if (output.decoded < output.expected) return `ffmpeg delivered only ${output.decoded} frames`;
  return null;
}

function waitForExit(child: ChildProcessByStdio<null, Readable, Readable>): Promise<Exit> {
  return new Promise((resolve) => {
    child.on("error", (error) => resolve({ code: null, signal: null, error }));
    child.on("close", (code, signal) => resolve({ code, signal, error: null }));
  });
}

/** Ends an ffmpeg the consumer no longer reads from, and waits until it is gone (no zombie left behind). */
async function stop(child: ChildProcessByStdio<null, Readable, Readable>, exited: Promise<Exit>): Promise<void> {
  child.stdout.destroy();
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Splits a byte stream into lines (any of \n, \r\n, \r) and hands each to `onLine`. */
class LineSplitter {
  private partial = "";

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    const parts = (this.partial + chunk.toString()).split(/\r\n|\r|\n/);
    this.partial = parts.pop() ?? "";
    for (const line of parts) if (line !== "") this.onLine(line);
  }

  flush(): void {
    if (this.partial !== "") this.onLine(this.partial);
    this.partial = "";
  }
}
