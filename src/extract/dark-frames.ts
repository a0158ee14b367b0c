/**
 * Detection-only preprocessing for very dark video (`--enhance auto`). MediaPipe still finds a face in frames
 * darkened to a mean luma of 10–20, but its points drift (NME 0.015–0.036 against the same frames normally lit,
 * up to 0.36 with noise and H.264); multiplying R, G and B back up, as a longer exposure would, takes a quarter
 * to a half of that drift away, more where the points had failed (`npm run bench -- dark`; table in the README).
 *
 * It applies to each image the landmarker is given (the whole frame, a search tile, or the crop around the
 * followed face, so a face in the dark part of a frame counts), on a copy: the decoded frame and the
 * calibration pass, which decodes its own frames, are untouched. An image whose mean luma is at or above the
 * threshold is passed on as it is (the same bytes), so the landmarks of normally lit video cannot change.
 */
import type { FaceResult } from "../mediapipe-runtime/landmarker.js";

export interface DarkFrameSettings {
  /** Names this preprocessing and its constants in manifests. */
  version: string;
  /** Pixels at or below this luma are left out of the statistics: black bars and padding are not darkness. */
  blackLevel: number;
  /** An image is dark when its mean luma (0–255, over the pixels above the black level) is below this. */
  maxMeanLuma: number;
  /** At full strength the gain brings the 99th luma percentile to this level… */
  targetHigh: number;
  /** …but at most this gain: beyond it the stretch amplifies mostly noise and compression blocks. */
  maxGain: number;
}

/**
 * Chosen by measurement (`npm run bench -- dark`): every image the landmarker gets from the fixture clips has a
 * mean luma of 61 or more (ff_real, an indoor FaceForensics++ clip, is the darkest), so they are never touched;
 * the darkened clips (mean luma 10–35) are.
 */
export const DARK_FRAMES: DarkFrameSettings = {
  version: "dark-gain-v1",
  blackLevel: 4,
  maxMeanLuma: 40,
  targetHigh: 235,
  maxGain: 8,
};

export interface LumaStats {
  /** Pixels sampled above the black level (the other statistics are over them); 0: an all-black image. */
  count: number;
  mean: number;
  p1: number;
  p99: number;
}

/** BT.601 luma of an RGB pixel, 0–255 (integer weights 77/150/29 of 256). */
function luma(r: number, g: number, b: number): number {
  return (77 * r + 150 * g + 29 * b + 128) >> 8;
}

/**
 * Luma statistics of an RGBA image over a regular grid of at most about 64k pixels (every pixel of a small
 * image), leaving out pixels at or below `blackLevel`.
 */
export function lumaStats(rgba: Uint8Array, width: number, height: number, blackLevel = DARK_FRAMES.blackLevel): LumaStats {
  const step = gridStep(width, height);
  const histogram = new Uint32Array(256);
  let sum = 0;
  let count = 0;
  for (let y = step >> 1; y < height; y += step) {
    let i = 4 * (y * width + (step >> 1));
    for (let x = step >> 1; x < width; x += step, i += 4 * step) {
      const l = luma(rgba[i]!, rgba[i + 1]!, rgba[i + 2]!);
      if (l <= blackLevel) continue;
      histogram[l]!++;
      sum += l;
      count++;
    }
  }
  const percentile = (share: number): number => {
    const rank = share * (count - 1);
    let seen = 0;
    for (let level = 0; level < 256; level++) {
      seen += histogram[level]!;
      if (seen > rank) return level;
    }
    return 255;
  };
  return { count, mean: count ? sum / count : 0, p1: percentile(0.01), p99: percentile(0.99) };
}

/** The sampling grid's step: at most about 64k pixels of an image are looked at. */
function gridStep(width: number, height: number): number {
  return Math.max(1, Math.ceil(Math.sqrt((width * height) / 65536)));
}

/**
 * True when lumaStats' mean is sure to reach `level` before every sample is seen: the luma summed so far over
 * the grid's whole sample count is a lower bound of the mean (the rest add nothing below zero, and the mean
 * divides by fewer samples: those above the black level). Most frames of normally lit video stop after half
 * their rows, without the histogram; false means "not sure", never "dark".
 */
export function meanLumaReaches(rgba: Uint8Array, width: number, height: number, level: number, blackLevel = DARK_FRAMES.blackLevel): boolean {
  const step = gridStep(width, height);
  const start = step >> 1;
  const samples = Math.ceil((height - start) / step) * Math.ceil((width - start) / step);
  const needed = level * samples;
  let sum = 0;
  for (let y = start; y < height; y += step) {
    let i = 4 * (y * width + start);
    for (let x = start; x < width; x += step, i += 4 * step) {
      const l = luma(rgba[i]!, rgba[i + 1]!, rgba[i + 2]!);
      if (l > blackLevel) sum += l;
    }
    if (sum >= needed) return true;
  }
  return false;
}

/**
 * How strongly an image is brightened: 0 (not at all: it is passed on as it is) at a mean luma at or above
 * `maxMeanLuma`, rising to 1 at half of it, so that frames on either side of the threshold get nearly the same
 * image and the points do not jump between them. An all-black image has nothing to brighten.
 */
export function darkWeight(stats: LumaStats, settings: DarkFrameSettings = DARK_FRAMES): number {
  if (stats.count === 0) return 0;
  return Math.min(1, Math.max(0, (settings.maxMeanLuma - stats.mean) / (settings.maxMeanLuma / 2)));
}

/**
 * The look-up table applied to R, G and B of a dark image (the same for all three, so hues stay), or null when
 * the image is not dark. At full weight it maps the 1st luma percentile to 0 and the 99th to `targetHigh`, the
 * gain at most `maxGain`; at weight w the gain and the offset are w of the way from none to that.
 */
export function gainTable(stats: LumaStats, settings: DarkFrameSettings = DARK_FRAMES): Uint8Array | null {
  const weight = darkWeight(stats, settings);
  if (weight === 0) return null;
  const full = Math.max(1, Math.min(settings.maxGain, settings.targetHigh / Math.max(1, stats.p99 - stats.p1)));
  const gain = 1 + (full - 1) * weight;
  const low = stats.p1 * weight;
  const table = new Uint8Array(256);
  for (let v = 0; v < 256; v++) table[v] = Math.max(0, Math.min(255, Math.round((v - low) * gain)));
  return table;
}

/**
 * The image the detector should see: `rgba` itself when it is not dark, else a brightened copy (written into
 * `into` when that is large enough). `rgba` is never modified.
 */
export function frameForDetection(
  rgba: Uint8Array,
  width: number,
  height: number,
  settings: DarkFrameSettings = DARK_FRAMES,
  into?: Uint8Array,
): Uint8Array {
  // A mean luma at or above maxMeanLuma gives no gain (darkWeight 0): most frames are settled cheaply.
  if (meanLumaReaches(rgba, width, height, settings.maxMeanLuma, settings.blackLevel)) return rgba;
  const table = gainTable(lumaStats(rgba, width, height, settings.blackLevel), settings);
  if (table === null) return rgba;
  const out = into && into.length >= rgba.length ? into.subarray(0, rgba.length) : new Uint8Array(rgba.length);
  for (let i = 0; i < rgba.length; i += 4) {
    out[i] = table[rgba[i]!]!;
    out[i + 1] = table[rgba[i + 1]!]!;
    out[i + 2] = table[rgba[i + 2]!]!;
    out[i + 3] = rgba[i + 3]!;
  }
  return out;
}

/** Anything that finds faces in an RGBA image (the landmarker). */
export interface ImageDetector {
  detect(rgba: Uint8Array, width: number, height: number, timestampMs?: number): FaceResult[];
}

/** A detector that sees dark images brightened (see frameForDetection); `brightened` counts them. */
export class DarkFrameDetector implements ImageDetector {
  private buffer: Uint8Array | undefined;
  /** Images given to the detector so far, and how many of them were brightened. */
  images = 0;
  brightened = 0;

  constructor(
    private readonly detector: ImageDetector,
    private readonly settings: DarkFrameSettings = DARK_FRAMES,
  ) {}

  detect(rgba: Uint8Array, width: number, height: number, timestampMs?: number): FaceResult[] {
    this.images++;
    const image = frameForDetection(rgba, width, height, this.settings, this.buffer);
    if (image !== rgba) {
      this.brightened++;
      if (!this.buffer || image.buffer !== this.buffer.buffer) this.buffer = image;
    }
    return this.detector.detect(image, width, height, timestampMs);
  }
}
