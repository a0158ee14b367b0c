/**
 * Planar YUV frames as ffmpeg's `-f rawvideo` writes them (Y plane, then U, then V, no padding), their sizes,
 * and the integer coefficients swscale (ffmpeg 4.x) converts them to RGB with.
 */

/** The pixel formats converted here; the yuvj ones are full range (JPEG levels). */
export type YuvLayout = "yuv420p" | "yuv444p" | "yuvj420p" | "yuvj444p";

export const YUV_LAYOUTS: readonly YuvLayout[] = ["yuv420p", "yuv444p", "yuvj420p", "yuvj444p"];

/** A rectangle of the picture in pixels. */
export interface PixelRegion {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlaneSizes {
  chromaWidth: number;
  chromaHeight: number;
  /** Bytes of one whole frame: width×height + 2 × chromaWidth×chromaHeight. */
  frameBytes: number;
}

export function isSubsampled(layout: YuvLayout): boolean {
  return layout === "yuv420p" || layout === "yuvj420p";
}

export function isFullRange(layout: YuvLayout): boolean {
  return layout === "yuvj420p" || layout === "yuvj444p";
}

/**
 * Whether the converters here write exactly ffmpeg 4.x's `-pix_fmt rgba` bytes for such frames: always,
 * except 4:2:0 of odd height, where swscale leaves its unscaled converter for the generic scaler and
 * interpolates the chroma (bicubic) instead of replicating it (see yuv-reference.ts).
 */
export function bitExactWithFfmpeg(width: number, height: number, layout: YuvLayout): boolean {
  return !isSubsampled(layout) || height % 2 === 0;
}

export function planeSizes(width: number, height: number, layout: YuvLayout): PlaneSizes {
  const chromaWidth = isSubsampled(layout) ? (width + 1) >> 1 : width;
  const chromaHeight = isSubsampled(layout) ? (height + 1) >> 1 : height;
  return { chromaWidth, chromaHeight, frameBytes: width * height + 2 * chromaWidth * chromaHeight };
}

/**
 * The conversion coefficients, each as swscale stores it (sws_setColorspaceDetails / ff_yuv2rgb_c_init_tables
 * with the default contrast, saturation and brightness): 16-bit, scaled by 2^13 (vToG and uToG negative).
 */
export interface YuvCoefficients {
  yCoeff: number;
  /** The luma of black: 16, or 0 for full range. */
  black: number;
  vToR: number;
  vToG: number;
  uToG: number;
  uToB: number;
}

/**
 * swscale's default matrix, ff_yuv2rgb_coeffs[SWS_CS_DEFAULT] (BT.601, in 1/65536, already scaled for
 * 224-step chroma): used for any stream, whatever its colour tags say, unless a filter asks otherwise.
 */
const BT601 = { crv: 104597, cbu: 132201, cgu: 25675, cgv: 53279 } as const;

/** roundToInt16() of libswscale/utils.c: (f + 2^15) >> 16, clipped to ±0x7fff. */
function roundToInt16(f: number): number {
  const r = Math.floor((f + 32768) / 65536);
  return r < -0x7fff ? -0x8000 : r > 0x7fff ? 0x7fff : r;
}

export function yuvCoefficients(layout: YuvLayout): YuvCoefficients {
  let crv: number = BT601.crv;
  let cbu: number = BT601.cbu;
  let cgu: number = -BT601.cgu;
  let cgv: number = -BT601.cgv;
  let cy = 1 << 16;
  let oy = 0;
  if (!isFullRange(layout)) {
    cy = Math.trunc((cy * 255) / 219);
    oy = 16 << 16;
  } else {
    // C integer division: truncation towards zero.
    [crv, cbu, cgu, cgv] = [crv, cbu, cgu, cgv].map((c) => Math.trunc((c * 224) / 255)) as [number, number, number, number];
  }
  return {
    yCoeff: roundToInt16(cy * 8192),
    black: roundToInt16(oy * 8) / 8,
    vToR: roundToInt16(crv * 8192),
    vToG: roundToInt16(cgv * 8192),
    uToG: roundToInt16(cgu * 8192),
    uToB: roundToInt16(cbu * 8192),
  };
}

/** Throws unless `yuv` is exactly one width×height frame in `layout`. */
export function checkFrame(yuv: Uint8Array, width: number, height: number, layout: YuvLayout): PlaneSizes {
  if (!YUV_LAYOUTS.includes(layout)) throw new RangeError(`unknown YUV layout "${String(layout)}": expected one of ${YUV_LAYOUTS.join(", ")}`);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`frame size ${width}×${height}: expected positive integers`);
  }
  const sizes = planeSizes(width, height, layout);
  if (yuv.length !== sizes.frameBytes) {
    throw new RangeError(
      `${layout} frame of ${width}×${height}: expected ${sizes.frameBytes} bytes (Y ${width}×${height}, U and V ` +
        `${sizes.chromaWidth}×${sizes.chromaHeight} each), got ${yuv.length}`,
    );
  }
  return sizes;
}

/** Throws unless `region` is a non-empty rectangle of integers inside the width×height picture. */
export function checkRegion(region: PixelRegion, width: number, height: number): void {
  const { x, y, width: w, height: h } = region;
  const whole = [x, y, w, h].every(Number.isInteger);
  if (!whole || w < 1 || h < 1 || x < 0 || y < 0 || x + w > width || y + h > height) {
    throw new RangeError(
      `region x=${x} y=${y} ${w}×${h}: expected integers with width, height ≥ 1 inside the ${width}×${height} frame`,
    );
  }
}

/** Throws unless `out` has exactly `bytes` bytes. */
export function checkOutput(out: Uint8Array, bytes: number, what: string): void {
  if (out.length !== bytes) throw new RangeError(`${what}: expected an output of ${bytes} bytes, got ${out.length}`);
}
