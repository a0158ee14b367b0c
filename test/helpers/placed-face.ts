/**
 * Clips made from the fixtures with ffmpeg at test time: a fixture's face scaled to a share of a larger frame's
 * height and padded into it (centre or corner), two clips side by side, or a window sliding off the face.
 * Lossless (FFV1), so the only change to the face is the scaling.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { readOpenFaceCsv } from "../../src/openface/parse-csv.js";
import { faceSize } from "../../src/shape/shape.js";
import { resolveFfmpeg } from "../../src/video/ffmpeg.js";
import { lrnetFixtures } from "./paths.js";

const run = promisify(execFile);

/** A fixture clip and its face size (median over an OpenFace-format CSV of it, pixels). */
export interface FaceClip {
  name: string;
  path: string;
  width: number;
  height: number;
  faceSize: number;
}

/** The two clips of the issue: 000_003 (640×480, OpenFace landmarks) and ff_real (1280×720, MediaPipe landmarks). */
export async function fixtureFaceClips(): Promise<FaceClip[]> {
  if (!lrnetFixtures) throw new Error("fixtures absent");
  const clips = [
    { name: "000_003", csv: "000_003.csv", width: 640, height: 480 },
    { name: "ff_real", csv: "ff_real_mp.csv", width: 1280, height: 720 },
  ];
  const out: FaceClip[] = [];
  for (const clip of clips) {
    const table = await readOpenFaceCsv(join(lrnetFixtures, clip.csv));
    const sizes = table.rows.filter((r) => r.success).map((r) => faceSize(r.shape)).sort((a, b) => a - b);
    out.push({ name: clip.name, path: join(lrnetFixtures, `${clip.name}.mp4`), width: clip.width, height: clip.height, faceSize: sizes[sizes.length >> 1]! });
  }
  return out;
}

export type Placement = "centre" | "corner";

export interface PlacedFace {
  clip: FaceClip;
  frameWidth: number;
  frameHeight: number;
  /** The face's size as a share of the frame height. */
  share: number;
  placement: Placement;
}

async function ffmpeg(args: string[]): Promise<void> {
  const binary = await resolveFfmpeg();
  await run(binary.path, ["-loglevel", "error", "-y", ...args], { maxBuffer: 16 << 20 });
}

const even = (x: number) => Math.max(2, 2 * Math.round(x / 2));

/** The first `frames` frames of the clip unchanged (re-encoded losslessly): the reference of a placed face. */
export async function headOf(clip: FaceClip, frames: number, dir: string): Promise<string> {
  const out = join(dir, `${clip.name}.head${frames}.mkv`);
  await ffmpeg(["-i", clip.path, "-frames:v", String(frames), "-c:v", "ffv1", out]);
  return out;
}

/** Where a placed clip lies in the frame: frame pixel = offset + clip pixel × scale. */
export interface Placement2D {
  x: number;
  y: number;
  scale: number;
}

/** Where `placeFace` puts the clip. */
export function placementOf(p: PlacedFace): Placement2D & { w: number; h: number } {
  const scale = (p.share * p.frameHeight) / p.clip.faceSize;
  const w = Math.min(even(p.clip.width * scale), p.frameWidth);
  const h = Math.min(even(p.clip.height * scale), p.frameHeight);
  const x = p.placement === "centre" ? Math.round((p.frameWidth - w) / 2) : p.frameWidth - w;
  const y = p.placement === "centre" ? Math.round((p.frameHeight - h) / 2) : p.frameHeight - h;
  return { x, y, w, h, scale: w / p.clip.width };
}

/** The clip scaled so that its face is `share` of the frame height, padded into the frame at the centre or the bottom-right corner. */
export async function placeFace(p: PlacedFace, frames: number, dir: string): Promise<string> {
  const { x, y, w, h } = placementOf(p);
  const out = join(dir, `${p.clip.name}-${p.frameHeight}p-${Math.round(p.share * 100)}pc-${p.placement}-${frames}f.mkv`);
  const filter = `scale=${w}:${h}:flags=bicubic,pad=${p.frameWidth}:${p.frameHeight}:${x}:${y}:black`;
  await ffmpeg(["-i", p.clip.path, "-frames:v", String(frames), "-vf", filter, "-c:v", "ffv1", out]);
  return out;
}

/** Width of each half of `sideBySide`'s frame: 16:9 at `height` (640 at 360, so the frame is 1280×360). */
export function sideBySideHalfWidth(height: number): number {
  return even((height * 16) / 9);
}

/**
 * Two clips side by side, each scaled to `height` and padded (black, centred) to a 16:9 half: a 1280×360 or
 * 2560×720 frame with a face in each half.
 */
export async function sideBySide(left: FaceClip, right: FaceClip, height: number, frames: number, dir: string): Promise<string> {
  const half = sideBySideHalfWidth(height);
  const out = join(dir, `${left.name}+${right.name}-${half * 2}x${height}-${frames}f.mkv`);
  const fit = (c: FaceClip) => `scale=${Math.min(half, even((c.width * height) / c.height))}:${height},pad=${half}:${height}:(ow-iw)/2:0:black`;
  const filter = `[0:v]${fit(left)}[a];[1:v]${fit(right)}[b];[a][b]hstack=inputs=2`;
  await ffmpeg(["-i", left.path, "-i", right.path, "-frames:v", String(frames), "-filter_complex", filter, "-c:v", "ffv1", out]);
  return out;
}

/**
 * The clip on a black frame of its own size: still for `holdFrames` frames, then sliding left by `speed`
 * pixels per frame until it (and its face) has left the frame.
 */
export async function faceLeaves(clip: FaceClip, frames: number, holdFrames: number, speed: number, dir: string): Promise<string> {
  const out = join(dir, `${clip.name}-leaves-${frames}f.mkv`);
  const x = `-max(0\\,(n-${holdFrames})*${speed})`;
  const filter = `color=black:size=${clip.width}x${clip.height}:rate=25[bg];[bg][0:v]overlay=x='${x}':y=0:shortest=1`;
  await ffmpeg(["-i", clip.path, "-frames:v", String(frames), "-filter_complex", filter, "-c:v", "ffv1", out]);
  return out;
}
