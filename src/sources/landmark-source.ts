/**
 * The one seam between "where landmarks come from" and the pipeline (choose face → guard → calibrate → rows).
 * A source declares its name, its configuration and its point layout, and yields per-frame detections in frame
 * pixels. MediaPipe (src/extract) and OpenFace CSVs (src/openface) are two implementations; nothing outside a
 * source's folder knows its types.
 */
import type { OutputBox } from "../calibrate/output-box.js";
import type { GuardSettings } from "../guard/guard.js";
import type { FaceChoice } from "../shape/face-follower.js";

/** One face a source found in a frame. */
export interface FaceObservation {
  /** x0 y0 x1 y1 … in frame pixels, in the source's own point layout (`LandmarkSource.points` points). */
  points: Float64Array;
  /** The source's confidence in this face (its scale is the source's; its guard's `minScore` matches it). */
  score: number;
  faceId?: number;
  box?: { x: number; y: number; width: number; height: number };
}

/** The video a source is opened for. */
export interface SourceVideo {
  path: string;
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  /** A precomputed landmark file matched to this video (build matches them to videos, e.g. `--openface DIR`). */
  landmarkFile?: string | null;
  /** Which face the pipeline will follow (a source that searches the frame looks for every face when it is not the largest). */
  choice?: FaceChoice;
}

/** A decoded RGBA frame (width × height × 4 bytes, row-major), valid until the next one is pulled. */
export interface RgbaFrame {
  index: number;
  width: number;
  height: number;
  data: Uint8Array;
}

export interface LandmarkSource {
  /** "mediapipe", "openface", an importer or plugin name. */
  readonly name: string;
  /** JSON; recorded in the manifest (and fingerprinted) and in `<out>.json`. */
  readonly configuration: Readonly<Record<string, unknown>>;
  /** Facts recorded in `<out>.json` of a single-video run but not fingerprinted (e.g. which model file). */
  readonly provenance?: Readonly<Record<string, unknown>>;
  /** Point count of its layout: 68, 478, … */
  readonly points: number;
  /**
   * How its points become LRNet's 68 (`--points`): a point count, a map name of point-maps/ or a map file;
   * absent: the built-in map for `points` (see src/sources/point-maps/point-map.ts).
   */
  readonly pointMap?: string;
  /** Needs decoded RGBA frames, or reads precomputed files. */
  readonly input: "rgba" | "none";
  /**
   * The guard for this source's scores; null: every observation is used as it is, no guard (OpenFace
   * `--parity`, LRNet's own calibrator input).
   */
  readonly guard: GuardSettings | null;
  /**
   * The box its calibrated points are written relative to (src/calibrate/output-box.ts); absent: "exact".
   * OpenFace CSVs, LRNet's own calibrator input, keep LRNet's box so that their output equals LRNet's.
   */
  readonly outputBox?: OutputBox;
  open(video: SourceVideo): Promise<VideoLandmarks>;
  close(): Promise<void>;
}

/**
 * What a detector plugin module exports (as its default export, or as `createSource`): called once per worker
 * thread; `guard` may be left out (every face counts, LRNet's jump limits).
 */
export type DetectorPluginFactory = () =>
  | Promise<Omit<LandmarkSource, "guard"> & { readonly guard?: GuardSettings | null }>
  | (Omit<LandmarkSource, "guard"> & { readonly guard?: GuardSettings | null });

/** A source opened for one video: detections one frame at a time, in frame order. */
export interface VideoLandmarks {
  /** Faces in frame `index`; `frame` is given when the source's input is "rgba". */
  detect(index: number, frame?: RgbaFrame): Promise<FaceObservation[]> | FaceObservation[];
  /** The face the pipeline chose among the last frame's observations (null: none); a source may look for it there next. */
  follow?(face: FaceObservation | null): void;
  close?(): void;
}
