/** Colours in BGR byte order. */
export type Bgr = readonly [number, number, number];

export const RAW_COLOUR: Bgr = [40, 40, 230]; // red: what the detector saw
export const CALIBRATED_COLOUR: Bgr = [60, 220, 60]; // green: what calibration made of it

/**
 * Draws each point (x0 y0 x1 y1 …, frame pixels) as a filled square of side 2·radius+1 into a BGR24 frame,
 * in place. Points outside the frame are clipped.
 */
export function drawPoints(frame: Uint8Array, width: number, height: number, points: ArrayLike<number>, colour: Bgr, radius: number): void {
  for (let i = 0; i + 1 < points.length; i += 2) {
    const cx = Math.round(points[i]!);
    const cy = Math.round(points[i + 1]!);
    if (!Number.isFinite(cx) || !Number.isFinite(cy)) continue;
    const x0 = Math.max(0, cx - radius);
    const x1 = Math.min(width - 1, cx + radius);
    const y0 = Math.max(0, cy - radius);
    const y1 = Math.min(height - 1, cy + radius);
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const o = (y * width + x) * 3;
        frame[o] = colour[0];
        frame[o + 1] = colour[1];
        frame[o + 2] = colour[2];
      }
    }
  }
}

/** A dot radius that stays visible from 480p to 4K. */
export function dotRadius(width: number): number {
  return Math.max(1, Math.round(width / 640));
}
