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

/** The YUV layout of a frame format, or undefined for packed RGBA / BGR24 and anything else. */
export function yuvLayoutOf(format: string): YuvLayout | undefined {
  return YUV_LAYOUTS.find((l) => l === format);
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
 * The conversion coefficients for one layout and matrix, each as swscale stores it (sws_setColorspaceDetails / ff_yuv2rgb_c_init_tables
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
 * The YUV → RGB matrices swscale distinguishes. ffmpeg's scale filter picks one from the frame's colour-space
 * tag (in_color_matrix "auto"; ffmpegMatrixOf says which); raw frames without a tag get "bt601".
 */
export type YuvMatrix = "bt601" | "bt709" | "fcc" | "smpte240m" | "bt2020";

export const YUV_MATRICES: readonly YuvMatrix[] = ["bt601", "bt709", "fcc", "smpte240m", "bt2020"];

/**
 * ff_yuv2rgb_coeffs of ffmpeg 4.1's libswscale/yuv2rgb.c, by matrix: {crv, cbu, cgu, cgv} in 1/65536, already
 * scaled for 224-step chroma. "bt601" is its default (SWS_CS_DEFAULT, also the ITU-R 624 and SMPTE 170M
 * rows); "bt2020" is the row shared by BT.2020 non-constant and constant luminance.
 */
const SWS_MATRICES: Readonly<Record<YuvMatrix, { crv: number; cbu: number; cgu: number; cgv: number }>> = {
  bt601: { crv: 104597, cbu: 132201, cgu: 25675, cgv: 53279 },
  bt709: { crv: 117489, cbu: 138438, cgu: 13975, cgv: 34925 },
  fcc: { crv: 104448, cbu: 132798, cgu: 24759, cgv: 53109 },
  smpte240m: { crv: 117579, cbu: 136230, cgu: 16907, cgv: 35559 },
  bt2020: { crv: 110013, cbu: 140363, cgu: 12277, cgv: 42626 },
};

/**
 * The matrix ffmpeg 4.1's auto-inserted scaler converts a stream with, from the colour-space tag ffmpeg prints
 * in its stream line: "bt709" in `yuv420p(tv, bt709)`, or the first item of `smpte170m/unknown/unknown`;
 * null for an untagged stream. vf_scale's parse_yuv_type takes the frame's colour space as it is for BT.709,
 * FCC, SMPTE 240M and BT.2020 (both), and BT.601 for every other value, YCgCo and those above BT.2020
 * included. Returns null for a tag it does not know (the caller should let ffmpeg convert then). ("gbr" on
 * 4:4:4 H.264 is decoded as gbrp, which is no YUV layout; the "bt601" here is for YUV frames carrying that tag.)
 */
export function ffmpegMatrixOf(colorspaceTag: string | null): YuvMatrix | null {
  if (colorspaceTag === null) return "bt601";
  const tag = colorspaceTag.split("/")[0]!.trim().toLowerCase();
  return Object.hasOwn(FFMPEG_TAG_MATRIX, tag) ? FFMPEG_TAG_MATRIX[tag]! : null;
}

/** av_color_space_name() of every AVColorSpace ffmpeg 4.1 has → the matrix its scale filter uses. */
export const FFMPEG_TAG_MATRIX: Readonly<Record<string, YuvMatrix>> = {
  gbr: "bt601",
  bt709: "bt709",
  unknown: "bt601",
  reserved: "bt601",
  fcc: "fcc",
  bt470bg: "bt601",
  smpte170m: "bt601",
  smpte240m: "smpte240m",
  ycgco: "bt601",
  bt2020nc: "bt2020",
  bt2020c: "bt2020",
  smpte2085: "bt601",
  "chroma-derived-nc": "bt601",
  "chroma-derived-c": "bt601",
  ictcp: "bt601",
};

/** roundToInt16() of libswscale/utils.c: (f + 2^15) >> 16, clipped to ±0x7fff. */
function roundToInt16(f: number): number {
  const r = Math.floor((f + 32768) / 65536);
  return r < -0x7fff ? -0x8000 : r > 0x7fff ? 0x7fff : r;
}

/** Throws unless `matrix` is one of YUV_MATRICES. */
export function checkMatrix(matrix: YuvMatrix): void {
  if (!YUV_MATRICES.includes(matrix)) throw new RangeError(`unknown YUV matrix "${String(matrix)}": expected one of ${YUV_MATRICES.join(", ")}`);
}

export function yuvCoefficients(layout: YuvLayout, matrix: YuvMatrix = "bt601"): YuvCoefficients {
  checkMatrix(matrix);
  const m = SWS_MATRICES[matrix];
  let crv: number = m.crv;
  let cbu: number = m.cbu;
  let cgu: number = -m.cgu;
  let cgv: number = -m.cgv;
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
