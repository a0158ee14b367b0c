import {
  type PixelRegion,
  type YuvCoefficients,
  type YuvLayout,
  type YuvMatrix,
  checkFrame,
  checkOutput,
  checkRegion,
  isSubsampled,
  yuvCoefficients,
} from "./yuv-layout.js";

/**
 * Planar YUV → RGB in plain TypeScript, byte for byte what ffmpeg 4.x (swscale, x86) writes for
 * `-pix_fmt rgba`; assembly/yuv.ts is the same arithmetic in SIMD lanes.
 *
 * swscale takes two different routes, with different rounding:
 * - 4:2:0 of even height goes through its unscaled special converter (x86 MMX yuv420_rgb32): 16-bit lanes,
 *   pmulhw (the high half of the product, i.e. floor(a·b / 2^16)) of ×8 values, saturating adds, each
 *   chroma sample of a 2×2 block used as is for the four pixels.
 * - 4:4:4 goes through the generic scaler, which for unsubsampled input forces full chroma interpolation
 *   and writes with yuv2rgb_write_full: 32-bit sums of 15-bit samples with a rounding constant, >> 22. All
 *   its terms are multiples of 2^9, so here they are divided by 2^9 (the same bits, >> 13). The sum can pass
 *   2^31 for very bright blue (luma ≈ 255, U ≈ 255 at limited range); swscale's 30-bit clip then turns it
 *   into 0, and so does this.
 * 4:2:0 of odd height takes the generic path with bicubic chroma upsampling instead; that one is not
 * reproduced (such streams hardly exist: H.264 4:2:0 needs even sizes), these frames get the 2×2 blocks.
 * Both routes take the matrix's coefficients from yuvCoefficients (yuv-layout.ts): BT.601 unless told.
 */

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** swscale's 4:2:0 converter for one pixel: writes R, G, B at out[at], out[at+1], out[at+2]. */
function rgb420(c: YuvCoefficients, y: number, u: number, v: number, out: Uint8Array, at: number, order: 1 | -1): void {
  const luma = ((y * 8 - c.black * 8) * c.yCoeff) >> 16;
  const u8 = (u - 128) * 8;
  const v8 = (v - 128) * 8;
  out[at + 1 - order] = clampByte(luma + ((v8 * c.vToR) >> 16));
  out[at + 1] = clampByte(luma + ((u8 * c.uToG) >> 16) + ((v8 * c.vToG) >> 16));
  out[at + 1 + order] = clampByte(luma + ((u8 * c.uToB) >> 16));
}

function fullByte(sum: number): number {
  const t = sum >> 13;
  return t >= 512 ? 0 : clampByte(t);
}

/** swscale's yuv2rgb_write_full for one pixel (see above), same output convention as rgb420. */
function rgb444(c: YuvCoefficients, y: number, u: number, v: number, out: Uint8Array, at: number, order: 1 | -1): void {
  const luma = (y - c.black) * c.yCoeff + 4096;
  const cu = u - 128;
  const cv = v - 128;
  out[at + 1 - order] = fullByte(luma + cv * c.vToR);
  out[at + 1] = fullByte(luma + cv * c.vToG + cu * c.uToG);
  out[at + 1 + order] = fullByte(luma + cu * c.uToB);
}

/**
 * Converts the pixels of `region` into `out`, packed, `bytesPerPixel` bytes each: `order` 1 writes R, G, B,
 * -1 writes B, G, R; a fourth byte (alpha) is 255.
 */
function convert(
  yuv: Uint8Array,
  width: number,
  height: number,
  layout: YuvLayout,
  region: PixelRegion,
  out: Uint8Array,
  bytesPerPixel: 3 | 4,
  order: 1 | -1,
  matrix: YuvMatrix,
): void {
  const c = yuvCoefficients(layout, matrix);
  const sub = isSubsampled(layout);
  const chromaWidth = sub ? (width + 1) >> 1 : width;
  const chromaPlane = sub ? chromaWidth * ((height + 1) >> 1) : width * height;
  const uAt = width * height;
  const vAt = uAt + chromaPlane;
  const pixel = sub ? rgb420 : rgb444;
  let at = 0;
  for (let y = region.y; y < region.y + region.height; y++) {
    const chromaRow = (sub ? y >> 1 : y) * chromaWidth;
    for (let x = region.x; x < region.x + region.width; x++) {
      const chroma = chromaRow + (sub ? x >> 1 : x);
      pixel(c, yuv[y * width + x]!, yuv[uAt + chroma]!, yuv[vAt + chroma]!, out, at, order);
      if (bytesPerPixel === 4) out[at + 3] = 255;
      at += bytesPerPixel;
    }
  }
}

/** The whole frame as RGBA (alpha 255) into `out` (width×height×4 bytes), converted with `matrix`. */
export function yuvToRgbaReference(
  yuv: Uint8Array,
  width: number,
  height: number,
  layout: YuvLayout,
  out: Uint8Array,
  matrix: YuvMatrix = "bt601",
): void {
  checkFrame(yuv, width, height, layout);
  checkOutput(out, width * height * 4, `RGBA of ${width}×${height}`);
  convert(yuv, width, height, layout, { x: 0, y: 0, width, height }, out, 4, 1, matrix);
}

/** The rectangle `region` as packed BGR24 into `out` (region.width×region.height×3 bytes), converted with `matrix`. */
export function yuvToBgrRegionReference(
  yuv: Uint8Array,
  width: number,
  height: number,
  layout: YuvLayout,
  region: PixelRegion,
  out: Uint8Array,
  matrix: YuvMatrix = "bt601",
): void {
  checkFrame(yuv, width, height, layout);
  checkRegion(region, width, height);
  checkOutput(out, region.width * region.height * 3, `BGR of a ${region.width}×${region.height} region`);
  convert(yuv, width, height, layout, region, out, 3, -1, matrix);
}
