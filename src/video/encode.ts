import { spawn } from "node:child_process";
import { once } from "node:events";
import { rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { resolveFfmpeg } from "./ffmpeg.js";
import { LogLines, errorMessages, ffmpegReason } from "./ffmpeg-log.js";

export interface EncoderOptions {
  width: number;
  height: number;
  fps: number;
}

/**
 * Encodes BGR24 frames into an H.264 MP4 (yuv420p, widely playable). Frames are piped to ffmpeg with
 * backpressure; the file appears under its name only when `close()` succeeds.
 */
export class VideoEncoder {
  private constructor(
    readonly path: string,
    private readonly tempPath: string,
    private readonly child: ReturnType<typeof spawn>,
    private readonly log: LogLines,
    private readonly frameBytes: number,
  ) {}

  static async open(path: string, options: EncoderOptions): Promise<VideoEncoder> {
    const ffmpeg = await resolveFfmpeg();
    const tempPath = join(dirname(path), `.${basename(path)}.${process.pid}.tmp.mp4`);
    // yuv420p needs even sizes: pad by one pixel where a side is odd.
    const args = [
      "-hide_banner", "-loglevel", "error", "-y",
      "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", `${options.width}x${options.height}`, "-r", String(options.fps), "-i", "-",
      "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2",
      "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", "-movflags", "+faststart",
      tempPath,
    ];
    const child = spawn(ffmpeg.path, args, { stdio: ["pipe", "ignore", "pipe"] });
    const log = new LogLines();
    child.stderr!.on("data", (chunk: Buffer) => log.push(chunk));
    child.stdin!.on("error", () => {
      // A dead encoder is reported by close(); a write error here would only repeat it.
    });
    return new VideoEncoder(path, tempPath, child, log, options.width * options.height * 3);
  }

  async write(bgr: Uint8Array): Promise<void> {
    if (bgr.length !== this.frameBytes) throw new Error(`frame has ${bgr.length} bytes, the encoder expects ${this.frameBytes}`);
    // Resolves once the bytes have left this process, so the caller may reuse the buffer (decoded frames are
    // recycled). A dead encoder calls back with an error that close() reports.
    await new Promise<void>((resolve) => this.child.stdin!.write(bgr, () => resolve()));
  }

  async close(): Promise<void> {
    this.child.stdin!.end();
    const [code] = (await once(this.child, "close")) as [number | null];
    if (code !== 0) {
      await rm(this.tempPath, { force: true });
      throw new Error(`${this.path}: encoding failed: ${ffmpegReason(errorMessages(this.log.lines(), false), [this.tempPath]) ?? `ffmpeg exited with ${code}`}`);
    }
    await rename(this.tempPath, this.path);
  }

  async abort(): Promise<void> {
    this.child.kill("SIGKILL");
    await once(this.child, "close").catch(() => undefined);
    await rm(this.tempPath, { force: true });
  }
}
