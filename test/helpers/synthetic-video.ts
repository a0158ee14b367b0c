/**
 * Test clips generated at test time with the project's ffmpeg: textured frames with known motion (for decode
 * and tracking tests), plain noise, and broken inputs (truncated, not a video, audio only).
 *
 * Files go to one temp directory per test process (removed at exit) unless `dir` is given.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { open, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, extname, join } from "node:path";
import { once } from "node:events";
import { resolveFfmpeg } from "../../src/video/ffmpeg.js";
import type { PixelFormat } from "../../src/video/types.js";

/**
 * - ffv1: FFV1 in .mkv, lossless (bgr0).
 * - h264-lossless: libx264rgb -qp 0 in .mp4, lossless RGB.
 * - h264: libx264 yuv420p crf 18 in .mp4 (like real-world clips; lossy, needs even width and height).
 * - mjpeg: MJPEG in .avi, lossy.
 */
export type SyntheticCodec = "ffv1" | "h264-lossless" | "h264" | "mjpeg";

export interface SyntheticClip {
  path: string;
  width: number;
  height: number;
  frameCount: number;
  fps: number;
  codec: SyntheticCodec;
  /** Whether decoding returns exactly `frame(i)`. */
  lossless: boolean;
  /** The pixels written as frame i (before encoding), row-major, no padding. */
  frame(index: number, format?: PixelFormat): Uint8Array;
}

export interface MovingTextureClipOptions {
  width: number;
  height: number;
  frames: number;
  fps: number;
  /** Integer shift of the texture in frame i: content at texture point p shows at p + offsets(i). */
  offsets: (index: number) => readonly [number, number];
  codec?: SyntheticCodec;
  /** Texture seed (default 1). */
  seed?: number;
  /**
   * Written as the stream's "rotate" tag (mp4 codecs only), so ffmpeg rotates the frames on decode. ffmpeg 4.1's
   * mp4 muxer stores it so that 90 reads back as 270 and vice versa: ask the file for the rotation it reports.
   */
  rotate?: 90 | 180 | 270;
  dir?: string;
  /** File name without extension. */
  name?: string;
}

export interface NoiseClipOptions {
  width: number;
  height: number;
  frames: number;
  fps: number;
  codec?: SyntheticCodec;
  seed?: number;
  dir?: string;
  name?: string;
}

const CODECS: Record<SyntheticCodec, { extension: string; lossless: boolean; args: string[] }> = {
  ffv1: { extension: ".mkv", lossless: true, args: ["-c:v", "ffv1", "-pix_fmt", "bgr0"] },
  "h264-lossless": {
    extension: ".mp4",
    lossless: true,
    args: ["-c:v", "libx264rgb", "-qp", "0", "-preset", "ultrafast", "-pix_fmt", "bgr24", "-movflags", "+faststart"],
  },
  h264: {
    extension: ".mp4",
    lossless: false,
    args: ["-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", "-movflags", "+faststart"],
  },
  mjpeg: { extension: ".avi", lossless: false, args: ["-c:v", "mjpeg", "-q:v", "2"] },
};

/**
 * A clip whose frame i is one fixed texture translated by offsets(i). The texture is aperiodic value noise
 * (several incommensurate cell sizes, smoothly interpolated) plus per-pixel grain: strong gradients in any
 * 15×15 window at every pyramid level, and no repetition a Lucas–Kanade window could lock onto wrongly.
 */
export async function makeMovingTextureClip(options: MovingTextureClipOptions): Promise<SyntheticClip> {
  const { width, height, frames } = options;
  const shifts = Array.from({ length: frames }, (_, i) => {
    const [dx, dy] = options.offsets(i);
    if (!Number.isInteger(dx) || !Number.isInteger(dy)) throw new Error(`offsets(${i}) must be integers, got ${dx}, ${dy}`);
    return [dx, dy] as const;
  });
  const minDx = Math.min(0, ...shifts.map((s) => s[0]));
  const maxDx = Math.max(0, ...shifts.map((s) => s[0]));
  const minDy = Math.min(0, ...shifts.map((s) => s[1]));
  const maxDy = Math.max(0, ...shifts.map((s) => s[1]));
  // The canvas covers every frame's view: canvas (u, v) is texture (u - maxDx, v - maxDy).
  const canvasWidth = width + maxDx - minDx;
  const canvas = renderTexture(canvasWidth, height + maxDy - minDy, -maxDx, -maxDy, options.seed ?? 1);

  const frame = (index: number, format: PixelFormat = "bgr24"): Uint8Array => {
    const [dx, dy] = shifts[checkIndex(index, frames)]!;
    const channels = format === "rgba" ? 4 : 3;
    const out = new Uint8Array(width * height * channels);
    for (let y = 0; y < height; y++) {
      let source = ((y - dy + maxDy) * canvasWidth + (maxDx - dx)) * 3;
      let target = y * width * channels;
      for (let x = 0; x < width; x++, source += 3, target += channels) writePixel(out, target, canvas, source, format);
    }
    return out;
  };
  return encodeClip({ ...options, kind: "texture" }, frame);
}

/** A face-free clip of independent per-pixel noise in every frame. */
export async function makeNoiseClip(options: NoiseClipOptions): Promise<SyntheticClip> {
  const { width, height, frames } = options;
  const seed = options.seed ?? 7;
  const frame = (index: number, format: PixelFormat = "bgr24"): Uint8Array => {
    checkIndex(index, frames);
    const channels = format === "rgba" ? 4 : 3;
    const out = new Uint8Array(width * height * channels);
    const bgr = new Uint8Array(3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < 3; c++) bgr[c] = Math.floor(hash(x, y, index * 3 + c, seed) * 256);
        writePixel(out, (y * width + x) * channels, bgr, 0, format);
      }
    }
    return out;
  };
  return encodeClip({ ...options, kind: "noise" }, frame);
}

/** A copy of `path` cut to `fraction` of its bytes (default 0.6), named "<name>.truncated<ext>". */
export async function truncatedCopy(path: string, fraction = 0.6, dir?: string): Promise<string> {
  const size = (await stat(path)).size;
  const keep = Math.floor(size * fraction);
  const extension = extname(path);
  const target = join(dir ?? clipDir(), `${basename(path, extension)}.truncated${extension}`);
  const handle = await open(path, "r");
  try {
    const bytes = Buffer.alloc(keep);
    await handle.read(bytes, 0, keep, 0);
    await writeFile(target, bytes);
  } finally {
    await handle.close();
  }
  return target;
}

/** A file with a video extension that holds text, which ffmpeg cannot open. */
export async function makeNonVideoFile(name = "not-a-video.mp4", dir?: string): Promise<string> {
  const path = join(dir ?? clipDir(), name);
  await writeFile(path, "this is not a video\n".repeat(100));
  return path;
}

/** A valid media file without a video stream: 0.2 s of a 440 Hz tone as 16-bit mono WAV, written in JS. */
export async function makeAudioOnlyFile(name = "tone.wav", dir?: string): Promise<string> {
  const rate = 8000;
  const samples = rate / 5;
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write("RIFF", 0, "ascii");
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write("WAVEfmt ", 8, "ascii");
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write("data", 36, "ascii");
  wav.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) wav.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + 2 * i);
  const path = join(dir ?? clipDir(), name);
  await writeFile(path, wav);
  return path;
}

/** `path` played `times` times in a row (stream copy, same container): a long clip for memory tests. */
export async function concatClip(path: string, times: number, dir?: string): Promise<string> {
  const extension = extname(path);
  const directory = dir ?? clipDir();
  const target = join(directory, `${basename(path, extension)}.x${times}${extension}`);
  const list = join(directory, `${basename(path, extension)}.x${times}.txt`);
  const line = `file '${path.replace(/'/g, "'\\''")}'\n`;
  await writeFile(list, line.repeat(times));
  const ffmpeg = await resolveFfmpeg();
  await runEncoder(ffmpeg.path, ["-f", "concat", "-safe", "0", "-i", list, "-map", "0:v", "-c", "copy", target], null);
  return target;
}

/**
 * A variable-frame-rate copy of an h264-lossless clip, in place: same frames (lossless), frame i presented at
 * `ticks(i)` / `ticksPerSecond` seconds (integer ticks in a 1/ticksPerSecond time base, so no rounding), written
 * with `-vsync vfr` so no frame is duplicated or dropped to even the rate out. Returns the presentation times.
 */
export async function retimeClip(path: string, ticks: (index: number) => number, frames: number, ticksPerSecond: number): Promise<number[]> {
  const times = Array.from({ length: frames }, (_, i) => ticks(i));
  for (let i = 1; i < frames; i++) if (!(times[i]! > times[i - 1]!) || !Number.isInteger(times[i])) throw new Error("ticks must be increasing integers");
  // setpts as a piecewise expression over N: one if() per frame is too long, so pass the ticks as steps.
  const steps = times.map((t, i) => (i === 0 ? `${t}` : `${t - times[i - 1]!}*gte(N,${i})`)).join("+");
  const retimed = `${path}.vfr${extname(path)}`;
  const ffmpeg = await resolveFfmpeg();
  await runEncoder(ffmpeg.path, ["-i", path, "-vf", `settb=1/${ticksPerSecond},setpts='${steps}'`, "-vsync", "vfr", ...CODECS["h264-lossless"].args, retimed], null);
  await rm(path);
  await rename(retimed, path);
  return times.map((t) => t / ticksPerSecond);
}

let sharedDir: string | null = null;

/** This process's temp directory for generated clips (created on first use, removed at exit). */
export function clipDir(): string {
  if (sharedDir === null) {
    const dir = mkdtempSync(join(tmpdir(), "lrnet-clips-"));
    sharedDir = dir;
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return sharedDir;
}

let clipCounter = 0;

async function encodeClip(
  options: (MovingTextureClipOptions | NoiseClipOptions) & { kind: string },
  frame: SyntheticClip["frame"],
): Promise<SyntheticClip> {
  const { width, height, frames, fps } = options;
  const codec = options.codec ?? "ffv1";
  const spec = CODECS[codec];
  if (!(width > 0 && height > 0 && frames > 0 && fps > 0)) throw new Error("width, height, frames and fps must be positive");
  if (codec === "h264" && (width % 2 !== 0 || height % 2 !== 0)) throw new Error("h264 (yuv420p) needs even width and height");
  const rotate = "rotate" in options ? options.rotate : undefined;
  if (rotate !== undefined && spec.extension !== ".mp4") throw new Error("rotate needs an mp4 codec (h264, h264-lossless)");

  const name = options.name ?? `${options.kind}-${width}x${height}-${frames}f-${codec}-${++clipCounter}`;
  const path = join(options.dir ?? clipDir(), name + spec.extension);
  const ffmpeg = await resolveFfmpeg();
  // ffmpeg drops a "rotate" tag on streams it encodes, so rotation is added by a stream-copy remux.
  const encoded = rotate === undefined ? path : `${path}.unrotated${spec.extension}`;
  const args = [
    "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", `${width}x${height}`, "-framerate", fpsArgument(fps), "-i", "-",
    ...spec.args,
    encoded,
  ];
  await runEncoder(ffmpeg.path, args, async (stdin) => {
    for (let i = 0; i < frames; i++) {
      if (!stdin.write(frame(i, "bgr24"))) await once(stdin, "drain");
    }
  });
  if (rotate !== undefined) {
    await runEncoder(ffmpeg.path, ["-i", encoded, "-c", "copy", "-metadata:s:v:0", `rotate=${rotate}`, path], null);
    await rm(encoded);
  }
  return { path, width, height, frameCount: frames, fps, codec, lossless: spec.lossless, frame };
}

async function runEncoder(
  executable: string,
  args: string[],
  feed: ((stdin: NodeJS.WritableStream) => Promise<void>) | null,
): Promise<void> {
  const child = spawn(executable, ["-hide_banner", "-loglevel", "error", "-y", ...(feed ? [] : ["-nostdin"]), ...args], {
    stdio: [feed ? "pipe" : "ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const closed = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve(code));
  });
  if (feed && child.stdin) {
    try {
      await feed(child.stdin);
    } finally {
      child.stdin.end();
    }
  }
  const code = await closed;
  if (code !== 0) throw new Error(`ffmpeg ${args.join(" ")} failed (exit ${code}): ${stderr.trim()}`);
}

function fpsArgument(fps: number): string {
  if (Number.isInteger(fps)) return String(fps);
  const nominal = Math.round(fps * 1.001);
  if (Math.abs((nominal * 1000) / 1001 - fps) < 1e-9) return `${nominal * 1000}/1001`;
  return `${Math.round(fps * 1000)}/1000`;
}

function checkIndex(index: number, frames: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= frames) throw new RangeError(`frame ${index} is not in 0..${frames - 1}`);
  return index;
}

function writePixel(out: Uint8Array, target: number, bgr: Uint8Array, source: number, format: PixelFormat): void {
  if (format === "rgba") {
    out[target] = bgr[source + 2]!;
    out[target + 1] = bgr[source + 1]!;
    out[target + 2] = bgr[source]!;
    out[target + 3] = 255;
  } else {
    out[target] = bgr[source]!;
    out[target + 1] = bgr[source + 1]!;
    out[target + 2] = bgr[source + 2]!;
  }
}

/** BGR texture over [x0, x0 + width) × [y0, y0 + height). */
function renderTexture(width: number, height: number, x0: number, y0: number, seed: number): Uint8Array {
  // Incommensurate cell sizes so that no two octaves share a lattice (no periodic structure).
  const octaves: ReadonlyArray<readonly [cell: number, weight: number]> = [
    [3, 0.3],
    [7, 0.3],
    [13, 0.25],
    [29, 0.15],
  ];
  const out = new Uint8Array(width * height * 3);
  for (let v = 0; v < height; v++) {
    const y = v + y0;
    for (let u = 0; u < width; u++) {
      const x = u + x0;
      let luma = 0;
      for (const [cell, weight] of octaves) luma += weight * valueNoise(x, y, cell, seed + cell);
      const grain = hash(x, y, 1, seed) - 0.5;
      const level = 128 + (luma - 0.5) * 480 + grain * 24;
      const blueShift = (valueNoise(x, y, 23, seed + 101) - 0.5) * 80;
      const redShift = (valueNoise(x, y, 41, seed + 202) - 0.5) * 80;
      const at = (v * width + u) * 3;
      out[at] = clampByte(level + blueShift);
      out[at + 1] = clampByte(level);
      out[at + 2] = clampByte(level + redShift);
    }
  }
  return out;
}

/** Hash-based value noise with smoothstep interpolation between lattice points `cell` pixels apart; [0, 1). */
function valueNoise(x: number, y: number, cell: number, seed: number): number {
  const gx = x / cell;
  const gy = y / cell;
  const ix = Math.floor(gx);
  const iy = Math.floor(gy);
  const fx = gx - ix;
  const fy = gy - iy;
  const sx = fx * fx * (3 - 2 * fx);
  const sy = fy * fy * (3 - 2 * fy);
  const top = hash(ix, iy, 0, seed) * (1 - sx) + hash(ix + 1, iy, 0, seed) * sx;
  const bottom = hash(ix, iy + 1, 0, seed) * (1 - sx) + hash(ix + 1, iy + 1, 0, seed) * sx;
  return top * (1 - sy) + bottom * sy;
}

/** Integer hash of (x, y, z, seed) to [0, 1). */
function hash(x: number, y: number, z: number, seed: number): number {
  let h = Math.imul(x | 0, 0x27d4eb2d) ^ Math.imul(y | 0, 0x165667b1) ^ Math.imul(z | 0, 0x1b873593) ^ Math.imul(seed | 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

function clampByte(value: number): number {
  return value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
}

