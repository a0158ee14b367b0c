/**
 * Finds faces wherever they are in the frame, for a landmarker whose own face detector only sees large faces
 * (MediaPipe's short-range BlazeFace gets the whole frame resized to 128×128: a face under about 15 % of the
 * frame's longer side is lost, see ../shared/docs/small-faces.md).
 *
 * - Following: once a face is chosen, the next frame's landmarker runs on a square crop of the frame around
 *   it (`cropScale` × its size, pixels copied as they are), so the detector sees the face at a third of its
 *   input whatever the face's size in the frame; points are mapped back to frame pixels. A followed face of at
 *   least `wholeFrameShare` of the frame's longer side is looked for in the whole frame first, as without a
 *   finder (MediaPipe's detector sees it there; the landmarks then equal a plain landmarker's, and a whole
 *   frame costs less than a copied crop); the crop is tried only when the whole frame misses it.
 * - Searching, when nothing is followed or the followed face is not in its crop: the whole frame first (large
 *   faces, as before), then square tiles from coarse to fine, down to tiles in which a face of `minFaceShare`
 *   of the frame height is `tileFaceShare` of the tile. The first scale that finds a face ends the search. The
 *   first search of a video scans every tile; later ones scan at most `tilesPerFrame` tiles per frame and go
 *   on where they stopped on the next frame, so that a clip without a face does not cost a full scan per frame.
 *
 * The caller chooses which face to follow (`follow`), so the rule "largest first, then nearest" stays in one place.
 */
import type { FaceResult } from "../../mediapipe-runtime/landmarker.js";
import { copyRegion, type Region, squareAround, tilesOf } from "./frame-region.js";

/** Detects faces in an RGBA image (the landmarker). */
export interface RegionDetector {
  detect(rgba: Uint8Array, width: number, height: number, timestampMs?: number): FaceResult[];
}

export interface FaceFinderSettings {
  /** Names this algorithm and its constants in manifests. */
  version: string;
  /** Side of the crop around a followed face, in face sizes (the larger side of its landmarks' box). */
  cropScale: number;
  /** A followed face at least this share of the frame's longer side is looked for in the whole frame first. */
  wholeFrameShare: number;
  /** Smallest face searched for, as a share of the frame height. */
  minFaceShare: number;
  /** …and in pixels: tiles of a small frame would otherwise be a few pixels wide, where noise passes for a face. */
  minFacePixels: number;
  /** Share of a tile's side that a face must have for the landmarker's detector to find it. */
  tileFaceShare: number;
  /** Tiles overlap: each starts this share of its side after the previous one. */
  tileStride: number;
  /** After the first search of a video, tiles scanned per frame at most. */
  tilesPerFrame: number;
}

/**
 * Chosen by measurement (`npm run bench -- small-faces`): faces of 5 % of the frame height found in every
 * padded clip at 720p and 1080p. Whole frames first from 15 % of the longer side, where the short-range
 * detector starts to find faces: FaceForensics++'s faces (17–18 % in the fixtures) keep the landmarks a plain
 * landmarker gives them. Below, a whole frame finds a face only now and then, and its landmarks are then
 * coarser than the crop's (000_003 at 13 %: NME 0.049 against the full-size clip, 0.015 from crops). A crop of 3 face sizes keeps a face moving half its size per frame (the
 * guard's jump limit) inside it; the short-range detector finds faces from about 15 % of its input's side,
 * so tiles are sized for 20 %; tiles overlap by a third, and the next scale (half the side) finds the faces
 * that a tile boundary cuts.
 */
export const FACE_FINDER: FaceFinderSettings = {
  version: "crop-follow-tiles-v2",
  cropScale: 3,
  wholeFrameShare: 0.15,
  minFaceShare: 0.04,
  minFacePixels: 32,
  tileFaceShare: 0.2,
  tileStride: 2 / 3,
  tilesPerFrame: 24,
};

interface Followed {
  cx: number;
  cy: number;
  size: number;
}

/**
 * Square tile sides from coarse to fine for a frame: the frame's shorter side halved down to within 1.5× of
 * the side in which the smallest face searched for is `tileFaceShare` of the tile (that side itself ends the
 * list when halving stops above it). None when the frame is smaller than that side: the whole frame suffices.
 */
export function tileSides(width: number, height: number, settings: FaceFinderSettings): number[] {
  const smallest = Math.max(settings.minFacePixels, settings.minFaceShare * height) / settings.tileFaceShare;
  const sides: number[] = [];
  for (let side = Math.min(width, height); side >= smallest * 0.999; side /= 2) sides.push(Math.round(side));
  const last = sides[sides.length - 1];
  if (last !== undefined && last > smallest * 1.5) sides.push(Math.round(smallest));
  return sides;
}

interface Scan {
  width: number;
  height: number;
  /** Tiles of each scale, coarse first. */
  scales: Region[][];
  scale: number;
  tile: number;
}

export class FaceFinder {
  private followed: Followed | null = null;
  private scan: Scan | null = null;
  private searchedOnce = false;
  private buffer: Uint8Array | undefined;
  /** Landmarker calls made so far (for measurement). */
  calls = 0;

  /**
   * `everyFaceFirst`: the first search of a video scans the whole frame and every tile and returns every face
   * found, so that a rule other than "largest" (which the coarsest finds satisfy) chooses among all of them.
   */
  constructor(
    private readonly detector: RegionDetector,
    private readonly settings: FaceFinderSettings = FACE_FINDER,
    private readonly everyFaceFirst = false,
  ) {}

  /** Faces in the frame, points in frame pixels. */
  find(rgba: Uint8Array, width: number, height: number, timestampMs?: number): FaceResult[] {
    const followed = this.followed;
    if (followed) {
      const { cx, cy, size } = followed;
      let whole: FaceResult[] = [];
      if (size >= this.settings.wholeFrameShare * Math.max(width, height)) {
        this.calls++;
        whole = this.detector.detect(rgba, width, height, timestampMs);
        if (whole.some((face) => isSameFace(boxOf(face), followed))) return whole;
      }
      const faces = this.detectIn(rgba, width, squareAround(cx, cy, size * this.settings.cropScale, width, height), timestampMs);
      for (const face of whole) addDistinct(faces, face);
      if (faces.length > 0) return faces;
      this.followed = null;
    }
    return this.search(rgba, width, height, timestampMs);
  }

  /** The face the caller chose in the frame just found (null: none), followed in the next frame. */
  follow(face: FaceResult | null): void {
    if (face === null) {
      this.followed = null;
      return;
    }
    const box = boxOf(face);
    this.followed = { ...box, size: Math.max(box.size, 1) };
    this.scan = null;
  }

  private search(rgba: Uint8Array, width: number, height: number, timestampMs?: number): FaceResult[] {
    if (this.everyFaceFirst && !this.searchedOnce) return this.searchEverywhere(rgba, width, height, timestampMs);
    this.calls++;
    const whole = this.detector.detect(rgba, width, height, timestampMs);
    if (whole.length > 0) {
      this.scan = null;
      this.searchedOnce = true;
      return whole;
    }
    let scan = this.scan;
    if (!scan || scan.width !== width || scan.height !== height) {
      const scales = tileSides(width, height, this.settings).map((side) =>
        tilesOf(width, height, side, Math.max(1, side * this.settings.tileStride)),
      );
      scan = this.scan = { width, height, scales, scale: 0, tile: 0 };
    }
    let budget = this.searchedOnce ? this.settings.tilesPerFrame : Infinity;
    this.searchedOnce = true;
    const found: FaceResult[] = [];
    while (budget > 0 && scan.scale < scan.scales.length) {
      const tiles = scan.scales[scan.scale]!;
      budget--;
      for (const face of this.detectIn(rgba, width, tiles[scan.tile]!, timestampMs)) addDistinct(found, face);
      scan.tile++;
      if (scan.tile < tiles.length) continue;
      scan.scale++;
      scan.tile = 0;
      if (found.length > 0) break;
    }
    // Faces are this frame's only: a scan spread over frames restarts once it finds one or has seen every tile.
    if (found.length > 0 || scan.scale >= scan.scales.length) this.scan = null;
    return found;
  }

  private searchEverywhere(rgba: Uint8Array, width: number, height: number, timestampMs?: number): FaceResult[] {
    this.calls++;
    const found: FaceResult[] = [];
    for (const face of this.detector.detect(rgba, width, height, timestampMs)) addDistinct(found, face);
    for (const side of tileSides(width, height, this.settings)) {
      for (const tile of tilesOf(width, height, side, Math.max(1, side * this.settings.tileStride))) {
        for (const face of this.detectIn(rgba, width, tile, timestampMs)) addDistinct(found, face);
      }
    }
    if (found.length > 0) this.searchedOnce = true;
    return found;
  }

  private detectIn(rgba: Uint8Array, frameWidth: number, region: Region, timestampMs?: number): FaceResult[] {
    this.calls++;
    const crop = copyRegion(rgba, frameWidth, region, this.buffer);
    if (!this.buffer || crop.buffer !== this.buffer.buffer) this.buffer = crop;
    const faces = this.detector.detect(crop, region.width, region.height, timestampMs);
    for (const face of faces) {
      const p = face.points;
      for (let i = 0; i < p.length; i += 3) {
        p[i] = p[i]! + region.x;
        p[i + 1] = p[i + 1]! + region.y;
      }
    }
    return faces;
  }
}

/** Adds `face` unless a face already in `faces` is the same one (centres within half a face size); keeps the higher score. */
function addDistinct(faces: FaceResult[], face: FaceResult): void {
  const box = boxOf(face);
  for (let i = 0; i < faces.length; i++) {
    if (isSameFace(box, boxOf(faces[i]!))) {
      if (face.score > faces[i]!.score) faces[i] = face;
      return;
    }
  }
  faces.push(face);
}

/** Two boxes are one face when their centres lie within half the larger face size. */
function isSameFace(a: Followed, b: Followed): boolean {
  return Math.hypot(a.cx - b.cx, a.cy - b.cy) < 0.5 * Math.max(a.size, b.size);
}

function boxOf(face: FaceResult): Followed {
  let xmin = Infinity;
  let ymin = Infinity;
  let xmax = -Infinity;
  let ymax = -Infinity;
  const p = face.points;
  for (let i = 0; i < p.length; i += 3) {
    xmin = Math.min(xmin, p[i]!);
    xmax = Math.max(xmax, p[i]!);
    ymin = Math.min(ymin, p[i + 1]!);
    ymax = Math.max(ymax, p[i + 1]!);
  }
  return { cx: (xmin + xmax) / 2, cy: (ymin + ymax) / 2, size: Math.max(xmax - xmin, ymax - ymin) };
}
