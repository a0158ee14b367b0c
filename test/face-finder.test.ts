import { test } from "node:test";
import assert from "node:assert/strict";
import { FACE_FINDER, FaceFinder, type RegionDetector, tileSides } from "../src/extract/finder/face-finder.js";
import { copyRegion, squareAround, tilesOf } from "../src/extract/finder/frame-region.js";
import type { FaceResult } from "../src/mediapipe-runtime/landmarker.js";

test("squareAround stays inside the frame: shifted where it fits, clipped where it does not", () => {
  assert.deepEqual(squareAround(50, 50, 100, 1280, 720), { x: 0, y: 0, width: 100, height: 100 });
  assert.deepEqual(squareAround(1270, 700, 100, 1280, 720), { x: 1180, y: 620, width: 100, height: 100 });
  assert.deepEqual(squareAround(640, 360, 900, 1280, 720), { x: 190, y: 0, width: 900, height: 720 });
});

test("copyRegion copies the region's rows as they are", () => {
  const width = 5;
  const rgba = Uint8Array.from({ length: width * 4 * 4 }, (_, i) => i % 251);
  const crop = copyRegion(rgba, width, { x: 1, y: 2, width: 3, height: 2 });
  assert.equal(crop.length, 3 * 2 * 4);
  assert.deepEqual([...crop.subarray(0, 4)], [...rgba.subarray((2 * width + 1) * 4, (2 * width + 1) * 4 + 4)]);
  assert.deepEqual([...crop.subarray(12, 16)], [...rgba.subarray((3 * width + 1) * 4, (3 * width + 1) * 4 + 4)]);
});

test("tiles cover the frame, end at its edges, and any square half a tile wide lies wholly inside one", () => {
  for (const [w, h, side] of [[1920, 1080, 270], [1280, 720, 180], [1280, 360, 360]] as const) {
    const tiles = tilesOf(w, h, side, side * FACE_FINDER.tileStride);
    assert.ok(tiles.every((t) => t.x >= 0 && t.y >= 0 && t.x + t.width <= w && t.y + t.height <= h));
    assert.ok(tiles.some((t) => t.x + t.width === w) && tiles.some((t) => t.y + t.height === h));
    for (let y = 0; y + side / 3 <= h; y += 17) {
      for (let x = 0; x + side / 3 <= w; x += 17) {
        const inside = tiles.some((t) => x >= t.x && y >= t.y && x + side / 3 <= t.x + t.width && y + side / 3 <= t.y + t.height);
        assert.ok(inside, `${w}×${h}: a face of ${side / 3} at ${x},${y} is in no tile of ${side}`);
      }
    }
  }
  // Halved down to within 1.5× of the side in which a face of 4 % of the frame height is 20 % of it: 5 % faces are 20 % of the finest.
  assert.deepEqual(tileSides(1920, 1080, FACE_FINDER), [1080, 540, 270]);
  assert.deepEqual(tileSides(1280, 720, FACE_FINDER), [720, 360, 180]);
  // Never tiles in which a face would be under 32 px; a frame smaller than such a tile gets none.
  assert.deepEqual(tileSides(640, 480, FACE_FINDER), [480, 240]);
  assert.deepEqual(tileSides(160, 120, FACE_FINDER), []);
});

/**
 * A stand-in for the landmarker: one square "face" in frame coordinates that it sees only in an image (the
 * whole frame or a crop) in which the face is at least `minShare` of the image's longer side, as the
 * short-range detector; its 478 points are the face's corners and centre, repeated.
 */
class SmallFaceBlindDetector implements RegionDetector {
  calls = 0;
  frameWidth = 0;
  /** Set per frame: the face's centre and size in frame pixels (null: no face). */
  face: { cx: number; cy: number; size: number } | null = null;
  /** Crop origins are recovered from a marker pixel the test paints at every frame pixel (see frameWithCoordinates). */
  constructor(private readonly minShare: number) {}

  detect(rgba: Uint8Array, width: number, height: number): FaceResult[] {
    this.calls++;
    const face = this.face;
    if (!face) return [];
    const x0 = rgba[0]! | (rgba[1]! << 8);
    const y0 = rgba[2]! | ((rgba[3]! & 0x0f) << 8);
    const { cx, cy, size } = { cx: face.cx - x0, cy: face.cy - y0, size: face.size };
    const inside = cx - size / 2 >= 0 && cy - size / 2 >= 0 && cx + size / 2 <= width && cy + size / 2 <= height;
    if (!inside || size < this.minShare * Math.max(width, height)) return [];
    const points = new Float32Array(478 * 3);
    const corners = [[-1, -1], [1, -1], [1, 1], [-1, 1], [0, 0]] as const;
    for (let i = 0; i < 478; i++) {
      const [dx, dy] = corners[i % corners.length]!;
      points[3 * i] = cx + (dx * size) / 2;
      points[3 * i + 1] = cy + (dy * size) / 2;
    }
    return [{ points, score: 0.9 }];
  }
}

/** An RGBA frame whose pixel (x, y) holds x in R,G and y in B,A's low bits: a crop's first pixel tells its origin. */
function frameWithCoordinates(width: number, height: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      rgba[o] = x & 0xff;
      rgba[o + 1] = x >> 8;
      rgba[o + 2] = y & 0xff;
      rgba[o + 3] = (y >> 8) & 0x0f;
    }
  }
  return rgba;
}

test("a face of 5 % of a 1080p frame's height, invisible to the whole-frame detector, is found by tiles, then followed in crops", () => {
  const [w, h] = [1920, 1080];
  const frame = frameWithCoordinates(w, h);
  const detector = new SmallFaceBlindDetector(0.15);
  const finder = new FaceFinder(detector);
  detector.face = { cx: 1800, cy: 1000, size: 54 };
  const first = finder.find(frame, w, h);
  assert.equal(first.length, 1, "found on the first frame by the full scan");
  assert.ok(Math.abs(first[0]!.points[12]! - 1800) < 1e-3 && Math.abs(first[0]!.points[13]! - 1000) < 1e-3, "points in frame pixels");
  finder.follow(first[0]!);

  // Following: one landmarker call per frame on the crop, while the face moves a third of its size per frame.
  for (let f = 1; f <= 10; f++) {
    detector.face = { cx: 1800 - 18 * f, cy: 1000, size: 54 };
    const calls = detector.calls;
    const faces = finder.find(frame, w, h);
    assert.equal(faces.length, 1, `frame ${f}`);
    assert.equal(detector.calls - calls, 1, `frame ${f}: one call on the crop`);
    assert.ok(Math.abs(faces[0]!.points[12]! - detector.face.cx) < 1e-3);
    finder.follow(faces[0]!);
  }

  // The face is gone: searching again costs the whole frame plus at most tilesPerFrame tiles per frame.
  detector.face = null;
  for (let f = 0; f < 3; f++) {
    const calls = detector.calls;
    assert.deepEqual(finder.find(frame, w, h), []);
    finder.follow(null);
    assert.ok(detector.calls - calls <= 2 + FACE_FINDER.tilesPerFrame, `${detector.calls - calls} calls`);
  }
  // It comes back elsewhere: found again within a scan of every tile.
  detector.face = { cx: 300, cy: 200, size: 60 };
  let frames = 0;
  let found: FaceResult[] = [];
  while (found.length === 0 && frames < 20) {
    found = finder.find(frame, w, h);
    frames++;
  }
  assert.equal(found.length, 1);
  assert.ok(frames <= 8, `found again after ${frames} frames`);
});

test("a large face is found on the whole frame, as before, with no tile searched", () => {
  const [w, h] = [1280, 720];
  const detector = new SmallFaceBlindDetector(0.15);
  const finder = new FaceFinder(detector);
  detector.face = { cx: 640, cy: 360, size: 300 };
  const faces = finder.find(frameWithCoordinates(w, h), w, h);
  assert.equal(faces.length, 1);
  assert.equal(detector.calls, 1);
});

test("a followed face of 15 % or more of the longer side is looked for in the whole frame first; the crop only when the whole frame misses it", () => {
  const [w, h] = [1280, 720];
  const frame = frameWithCoordinates(w, h);
  const detector = new SmallFaceBlindDetector(0.16);
  const sizes: number[] = [];
  const recording: RegionDetector = {
    detect(rgba, width, height) {
      sizes.push(width);
      return detector.detect(rgba, width, height);
    },
  };
  const finder = new FaceFinder(recording);
  detector.face = { cx: 640, cy: 360, size: 230 }; // 18 % of 1280, as FaceForensics++'s faces
  finder.follow(finder.find(frame, w, h)[0]!);
  sizes.length = 0;
  for (let f = 1; f <= 5; f++) {
    detector.face = { cx: 640 + 10 * f, cy: 360, size: 230 };
    const faces = finder.find(frame, w, h);
    assert.equal(faces.length, 1, `frame ${f}`);
    finder.follow(faces[0]!);
  }
  assert.deepEqual(sizes, [w, w, w, w, w], "one whole-frame call per frame, no crop");

  // 15.5 % of the longer side: the whole frame is tried, misses (this stand-in needs 16 %), and the crop finds it.
  detector.face = { cx: 640, cy: 360, size: 198 };
  const crop = FACE_FINDER.cropScale * 230;
  finder.follow(finder.find(frame, w, h)[0] ?? null);
  sizes.length = 0;
  const faces = finder.find(frame, w, h);
  assert.equal(faces.length, 1);
  assert.equal(sizes.length, 2, "the whole frame, then the crop");
  assert.equal(sizes[0], w);
  assert.ok(sizes[1]! < w && sizes[1]! <= crop, `crop of ${sizes[1]} px`);

  // Under 15 %: straight to the crop, one call.
  detector.face = { cx: 640, cy: 360, size: 120 };
  finder.follow(finder.find(frame, w, h)[0] ?? null);
  sizes.length = 0;
  assert.equal(finder.find(frame, w, h).length, 1);
  assert.equal(sizes.length, 1);
  assert.ok(sizes[0]! < w);
});
