/** A rectangle of frame pixels: x0, y0 inclusive, width × height, always inside the frame. */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The square of side `side` centred on (cx, cy), shifted (not shrunk) to stay inside the frame where it
 * fits, clipped where it does not; whole pixels.
 */
export function squareAround(cx: number, cy: number, side: number, frameWidth: number, frameHeight: number): Region {
  const clampStart = (centre: number, length: number, limit: number): [number, number] => {
    const size = Math.min(Math.max(1, Math.round(length)), limit);
    const start = Math.min(Math.max(0, Math.round(centre - size / 2)), limit - size);
    return [start, size];
  };
  const [x, width] = clampStart(cx, side, frameWidth);
  const [y, height] = clampStart(cy, side, frameHeight);
  return { x, y, width, height };
}

/**
 * Copies `region` of an RGBA frame into `target` (reused when it is large enough): rows copied as they
 * are, no resampling, so the landmarker sees the same pixels as in the whole frame.
 */
export function copyRegion(rgba: Uint8Array, frameWidth: number, region: Region, target?: Uint8Array): Uint8Array {
  const bytes = region.width * region.height * 4;
  const out = target && target.length >= bytes ? target.subarray(0, bytes) : new Uint8Array(bytes);
  const rowBytes = region.width * 4;
  for (let row = 0; row < region.height; row++) {
    const from = ((region.y + row) * frameWidth + region.x) * 4;
    out.set(rgba.subarray(from, from + rowBytes), row * rowBytes);
  }
  return out;
}

/**
 * Overlapping square tiles of side `side` covering the frame, `stride` apart (the last row and column end
 * at the frame's edge), in reading order.
 */
export function tilesOf(frameWidth: number, frameHeight: number, side: number, stride: number): Region[] {
  const starts = (limit: number): number[] => {
    const size = Math.min(side, limit);
    if (size >= limit) return [0];
    const out: number[] = [];
    for (let s = 0; s + size < limit; s += stride) out.push(Math.round(s));
    out.push(limit - size);
    return out;
  };
  const tiles: Region[] = [];
  for (const y of starts(frameHeight)) {
    for (const x of starts(frameWidth)) {
      tiles.push({ x, y, width: Math.min(side, frameWidth), height: Math.min(side, frameHeight) });
    }
  }
  return tiles;
}
