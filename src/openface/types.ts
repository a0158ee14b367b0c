import type { Shape } from "../shape/shape.js";

/** One data row of an OpenFace CSV, with only the columns this project uses. */
export interface OpenFaceRow {
  /** 1-based line of the row in the file (the header is line 1). */
  line: number;
  /** OpenFace's frame number, as written in the file: counts from 1. */
  frame: number;
  /** `face_id`; 0 when the CSV has no face_id column (FeatureExtraction tracks one face). */
  faceId: number;
  /** `timestamp` in seconds; null when the CSV has no timestamp column. */
  timestamp: number | null;
  confidence: number;
  success: boolean;
  /** The 2D landmarks `x_0..x_67`, `y_0..y_67`, in frame pixels. OpenFace writes zeros when success is false. */
  shape: Shape;
}

export interface OpenFaceTable {
  /** Every data row, in file order. (frame, faceId) pairs are unique. */
  rows: OpenFaceRow[];
  /** The distinct face_ids that occur, ascending. */
  faceIds: number[];
}

/** What the landmark source says about one video frame. */
export interface FrameObservation {
  /** null when the CSV has no row for the frame. */
  shape: Shape | null;
  /** 0 when the CSV has no row for the frame. */
  confidence: number;
  success: boolean;
}
