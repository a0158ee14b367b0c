import { closeSync, mkdtempSync, openSync, readSync, rmSync, rmdirSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CropRegion, Frame } from "./types.js";
import { YuvConverter } from "./yuv-convert.js";
import { type YuvLayout, yuvLayoutOf } from "./yuv-layout.js";

export interface RegionSpoolOptions {
  /** Folder the spool's own temporary folder is made in (default: the system's, os.tmpdir()). */
  dir?: string;
  /** Most bytes the spool writes; beyond them it gives up (default 2 GiB, LRNET_SPOOL_MAX_MB overrides). */
  maxBytes?: number;
}

interface Entry {
  region: CropRegion | null;
  offset: number;
  timeS?: number;
}

const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;

/** Spools that are open now, removed at exit even if their owner never got to close them. */
const open = new Set<RegionSpool>();
let exitHookInstalled = false;

/**
 * One rectangle of every frame of a video, kept as BGR24 in a temporary file while the video is decoded once,
 * and read back later as frames carrying `region` (what the calibrator takes): calibration then needs no
 * second decode. The file is made in a folder of its own (mkdtemp) and, where the system allows (Linux,
 * macOS), unlinked with its folder as soon as it is open: it is then reached only through its descriptor, and
 * its space goes back when close() closes it or the process ends, however it ends (a kill included). Where an
 * open file cannot be unlinked, close() and the exit hook remove it: the spool deletes only its own file, and
 * that folder when nothing else is in it. A spool that cannot write (disk full, over maxBytes) stops keeping
 * frames and says so through `failure`; the caller decodes again instead.
 */
export class RegionSpool {
  private readonly folder: string;
  private readonly file: string;
  /** The file still has a name (it could not be unlinked while open): close() must remove it. */
  private named = true;
  /** Its folder still exists: close() removes it if it is empty. */
  private folderKept = true;
  private fd: number | null;
  private readonly entries: Entry[] = [];
  private bytes = 0;
  private failed: string | null = null;
  private readonly maxBytes: number;
  private scratch = new Uint8Array(0);
  private converter: YuvConverter | null = null;

  constructor(
    private readonly picture: { width: number; height: number },
    options: RegionSpoolOptions = {},
  ) {
    const envMb = Number(process.env.LRNET_SPOOL_MAX_MB);
    this.maxBytes = options.maxBytes ?? (Number.isFinite(envMb) && envMb >= 0 ? envMb * 1024 ** 2 : DEFAULT_MAX_BYTES);
    this.folder = mkdtempSync(join(options.dir ?? tmpdir(), "lrnet-data-spool-"));
    this.file = join(this.folder, "regions.bgr");
    this.fd = openSync(this.file, "wx+");
    try {
      unlinkSync(this.file);
      this.named = false;
      rmdirSync(this.folder);
      this.folderKept = false;
    } catch {
      // Windows keeps an open file's name: close() removes it then.
    }
    if (!this.named) return;
    open.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once("exit", () => {
        for (const spool of open) spool.close();
      });
    }
  }

  /** Null while every frame so far was kept; else why the spool stopped keeping them. */
  get failure(): string | null {
    return this.failed;
  }

  get frameCount(): number {
    return this.entries.length;
  }

  /** The region kept of each frame so far (null: none), in frame order. */
  regions(): (CropRegion | null)[] {
    return this.entries.map((e) => e.region);
  }

  /**
   * Keeps `region` of the next frame (frames must come in order) as BGR24: cut from an RGBA frame (swscale's
   * rgba and bgr24 outputs hold the same values) or converted from a planar YUV one (the converter's BGR is its
   * RGBA reordered), so the bytes equal decoding the region to BGR24. `timeS` is the frame's own when it has one.
   */
  add(frame: Frame, region: CropRegion | null): void {
    const entry: Entry = { region, offset: this.bytes, ...(frame.timeS === undefined ? {} : { timeS: frame.timeS }) };
    this.entries.push(entry);
    if (region === null || this.failed !== null || this.fd === null) return;
    const size = region.width * region.height * 3;
    if (this.bytes + size > this.maxBytes) {
      this.fail(`the kept regions would pass ${Math.round(this.maxBytes / 1024 ** 2)} MB`);
      return;
    }
    if (this.scratch.length < size) this.scratch = new Uint8Array(size);
    const out = this.scratch.subarray(0, size);
    const layout = yuvLayoutOf(frame.format);
    if (layout !== undefined) this.fromYuv(frame, layout, region, out);
    else if (frame.format === "rgba") this.fromRgba(frame.data, region, out);
    else throw new Error(`the region spool takes RGBA or planar YUV frames, got ${frame.format}`);
    try {
      writeSync(this.fd, out, 0, size, this.bytes);
      this.bytes += size;
    } catch (error) {
      this.fail(`writing ${this.folder} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private fromRgba(rgba: Uint8Array, region: CropRegion, out: Uint8Array): void {
    const { width } = this.picture;
    let o = 0;
    for (let y = region.y; y < region.y + region.height; y++) {
      let i = (y * width + region.x) * 4;
      for (let x = 0; x < region.width; x++, i += 4) {
        out[o++] = rgba[i + 2]!;
        out[o++] = rgba[i + 1]!;
        out[o++] = rgba[i]!;
      }
    }
  }

  private fromYuv(frame: Frame, layout: YuvLayout, region: CropRegion, out: Uint8Array): void {
    this.converter ??= new YuvConverter();
    this.converter.toBgrRegion(frame.data, frame.width, frame.height, layout, region, out, frame.matrix);
  }

  /**
   * Every kept frame in order, as BGR24 frames of their region (a frame without one is 0×0). A frame's bytes
   * are valid until the next frame is pulled (one buffer serves them all).
   */
  *frames(): Generator<Frame> {
    if (this.failed !== null || this.fd === null) throw new Error(`the region spool cannot be read: ${this.failed ?? "it is closed"}`);
    const pictureWidth = this.picture.width;
    const pictureHeight = this.picture.height;
    let buffer = new Uint8Array(0);
    for (const [index, entry] of this.entries.entries()) {
      const region = entry.region ?? { x: 0, y: 0, width: 0, height: 0 };
      const size = region.width * region.height * 3;
      if (buffer.length < size) buffer = new Uint8Array(size);
      const data = buffer.subarray(0, size);
      if (size > 0) {
        const got = readSync(this.fd, data, 0, size, entry.offset);
        if (got !== size) throw new Error(`the region spool ${this.folder} ended early at frame ${index}`);
      }
      yield {
        index, width: region.width, height: region.height, format: "bgr24", data,
        region: { ...region, pictureWidth, pictureHeight },
        ...(entry.timeS === undefined ? {} : { timeS: entry.timeS }),
      };
    }
  }

  /** Closes the spool (its space goes back), removing its file and folder if they still have names (idempotent). */
  close(): void {
    open.delete(this);
    this.closeFile();
    if (!this.folderKept) return;
    this.folderKept = false;
    try {
      rmdirSync(this.folder);
    } catch {
      // Someone else's file is in it: that is theirs to remove.
    }
  }

  private fail(reason: string): void {
    this.failed = reason;
    this.closeFile();
  }

  private closeFile(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
    if (this.named) {
      rmSync(this.file, { force: true });
      this.named = false;
    }
  }
}
