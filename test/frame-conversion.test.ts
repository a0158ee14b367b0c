import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { decodeFrames } from "../src/video/decode.js";
import { resolveFfmpeg } from "../src/video/ffmpeg.js";
import { frameConversionFor } from "../src/video/frame-conversion.js";
import { probeVideo } from "../src/video/probe.js";
import type { CropRegion, PixelFormat } from "../src/video/types.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "frame-conversion-"));

/** A short testsrc2 clip encoded with the given x264 options. */
async function clip(name: string, size: string, args: string[]): Promise<string> {
  const ffmpeg = await resolveFfmpeg();
  const path = join(dir, `${name}.mp4`);
  await run(ffmpeg.path, ["-loglevel", "error", "-f", "lavfi", "-i", `testsrc2=s=${size}:d=0.16:r=25`, "-c:v", "libx264", "-preset", "ultrafast", ...args, path]);
  return path;
}

/** ffmpeg's own conversion of the whole clip (-pix_fmt format, optionally cropped first), as one buffer. */
async function ffmpegBytes(path: string, format: PixelFormat, crop?: CropRegion): Promise<Buffer> {
  const ffmpeg = await resolveFfmpeg();
  const vf = crop ? ["-vf", `crop=${crop.width}:${crop.height}:${crop.x}:${crop.y}`] : [];
  const { stdout } = await run(ffmpeg.path, ["-loglevel", "error", "-i", path, ...vf, "-f", "rawvideo", "-pix_fmt", format, "-"], { encoding: "buffer", maxBuffer: 1 << 28 });
  return stdout;
}

async function decodedBytes(path: string, format: PixelFormat, crop?: CropRegion): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const frame of decodeFrames(path, crop ? { format, crop } : { format })) parts.push(Buffer.from(frame.data));
  return Buffer.concat(parts);
}

test("frames are ffmpeg's own bytes whoever converts them: tagged, untagged, full range, odd sizes, 10-bit", async () => {
  const cases = [
    { name: "untagged-444", size: "320x240", args: ["-pix_fmt", "yuv444p"], by: "yuv" },
    { name: "bt709-420", size: "320x240", args: ["-pix_fmt", "yuv420p", "-colorspace", "bt709"], by: "yuv" },
    { name: "smpte240m-444", size: "322x240", args: ["-pix_fmt", "yuv444p", "-colorspace", "smpte240m"], by: "yuv" },
    { name: "full-range-420", size: "320x240", args: ["-pix_fmt", "yuvj420p"], by: "yuv" },
    { name: "odd-width-420", size: "321x240", args: ["-pix_fmt", "yuv444p", "-vf", "format=yuv420p"], by: "yuv" },
    { name: "422", size: "320x240", args: ["-pix_fmt", "yuv422p"], by: "ffmpeg" },
    { name: "10-bit", size: "320x240", args: ["-pix_fmt", "yuv420p10le"], by: "ffmpeg" },
  ];
  for (const c of cases) {
    const path = await clip(c.name, c.size, c.args);
    const info = await probeVideo(path);
    assert.equal(frameConversionFor(info, info.width, info.height).by, c.by, `${c.name}: ${info.pixelFormat} (${info.colorRange}, ${info.colorSpace})`);
    for (const format of ["rgba", "bgr24"] as const) {
      assert.ok((await decodedBytes(path, format)).equals(await ffmpegBytes(path, format)), `${c.name} as ${format}`);
    }
    const crop = { x: 16, y: 32, width: 200, height: 150 };
    assert.ok((await decodedBytes(path, "bgr24", crop)).equals(await ffmpegBytes(path, "bgr24", crop)), `${c.name} cropped`);
  }
});

test("planar frames come with the layout and matrix to convert them with; ffmpeg converts what the converter cannot match", async () => {
  const path = await clip("planar", "64x48", ["-pix_fmt", "yuv420p", "-colorspace", "bt709"]);
  const frames = [];
  for await (const frame of decodeFrames(path, { format: "rgba", planar: true })) frames.push(frame);
  assert.deepEqual([frames[0]!.format, frames[0]!.matrix, frames[0]!.data.length], ["yuv420p", "bt709", 64 * 48 * 3 / 2]);
  const info = { pixelFormat: "yuv420p", colorRange: null, colorSpace: null };
  assert.deepEqual(frameConversionFor(info, 64, 48), { by: "yuv", layout: "yuv420p", matrix: "bt601" });
  assert.deepEqual(frameConversionFor(info, 64, 47), { by: "ffmpeg" }, "4:2:0 of odd height: swscale interpolates the chroma there");
  assert.deepEqual(frameConversionFor({ ...info, colorRange: "pc" }, 64, 48), { by: "ffmpeg" }, "limited-range layout tagged full range");
  assert.deepEqual(frameConversionFor({ ...info, colorSpace: "made-up" }, 64, 48), { by: "ffmpeg" });
  assert.deepEqual(frameConversionFor({ ...info, pixelFormat: "nv12" }, 64, 48), { by: "ffmpeg" });
  const saved = process.env.LRNET_FRAME_CONVERSION;
  process.env.LRNET_FRAME_CONVERSION = "ffmpeg";
  try {
    assert.deepEqual(frameConversionFor(info, 64, 48), { by: "ffmpeg" });
  } finally {
    if (saved === undefined) delete process.env.LRNET_FRAME_CONVERSION;
    else process.env.LRNET_FRAME_CONVERSION = saved;
  }
});
