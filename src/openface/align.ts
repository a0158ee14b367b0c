import { DEFAULT_FACE_CHOICE, type FaceChoice, pickFirstFace } from "../shape/face-follower.js";
import { meanPointDistance, type Shape } from "../shape/shape.js";
import { OpenFaceCsvError } from "./errors.js";
import type { FrameObservation, OpenFaceRow, OpenFaceTable } from "./types.js";

export interface AlignOptions {
  /** Follow exactly this face_id instead of tracking the largest face. */
  faceId?: number;
  /** Which face to follow when there are several face_ids (default: the largest); see FaceChoice. */
  choice?: FaceChoice;
  /** The video's frame size, for `choice` center. */
  frame?: { width: number; height: number };
  /** Name of the CSV in error messages. */
  file: string;
}

/**
 * One observation per video frame: entry i is OpenFace frame i + 1.
 *
 * Frames without a row are failed detections (`shape: null, confidence: 0, success: false`). Rows with
 * success 0 keep their shape (OpenFace writes zeros) and confidence, with `success: false`.
 *
 * With several face_ids (FaceLandmarkVidMulti) one face is followed: the successful face `choice` picks (by
 * default the largest) at the first frame that has a successful row, then in each frame the successful row nearest to the previously chosen
 * shape. Nearness is the mean point-to-point distance rather than the centroid distance: two faces whose
 * centroids pass close by (crossing paths, one behind the other) still differ in scale and pose, which all 68
 * points capture. face_ids are not trusted across frames, because OpenFace may hand a lost track's id to
 * another face; an id only breaks exact ties. A frame with only failed rows takes the failed row nearest to
 * the last successful choice (frames before the first success use that first choice).
 *
 * @throws OpenFaceCsvError when a row lies beyond the video's last frame, or `faceId` never occurs
 */
export function alignToFrames(table: OpenFaceTable, frameCount: number, options: AlignOptions): FrameObservation[] {
  if (!Number.isInteger(frameCount) || frameCount < 0) {
    throw new RangeError(`frameCount must be a whole number >= 0, got ${frameCount}`);
  }
  for (const row of table.rows) {
    if (row.frame > frameCount) {
      throw new OpenFaceCsvError(
        options.file,
        row.line,
        `frame ${row.frame} is beyond the video's ${frameCount} frame${frameCount === 1 ? "" : "s"}`,
      );
    }
  }

  const { faceId } = options;
  if (faceId !== undefined) {
    if (!table.faceIds.includes(faceId)) {
      const present = table.faceIds.length > 0 ? table.faceIds.join(", ") : "none, the CSV has no rows";
      throw new OpenFaceCsvError(options.file, null, `face_id ${faceId} does not occur (face_ids present: ${present})`);
    }
    return alignOneFace(
      table.faceIds.length === 1 ? table.rows : table.rows.filter((row) => row.faceId === faceId),
      frameCount,
    );
  }
  if (table.faceIds.length <= 1) return alignOneFace(table.rows, frameCount);
  return followChosenFace(table.rows, frameCount, options.choice ?? DEFAULT_FACE_CHOICE, options.frame);
}

/**
 * LRNet's reference input: one shape per CSV row, every row (failed rows with their zeros too), in file order.
 * The reference calibrator reads the CSV this way, so it assumes one face and one row per frame; with several
 * face_ids or missing frames the result no longer lines up with the video's frames (use `alignToFrames`).
 */
export function shapesInFileOrder(table: OpenFaceTable): Shape[] {
  return table.rows.map((row) => row.shape);
}

/** Rows of a single face: at most one per frame (the parser rejects duplicates). */
function alignOneFace(rows: readonly OpenFaceRow[], frameCount: number): FrameObservation[] {
  const frames: FrameObservation[] = new Array(frameCount);
  for (const row of rows) frames[row.frame - 1] = observe(row);
  for (let i = 0; i < frameCount; i++) frames[i] ??= noRow();
  return frames;
}

function followChosenFace(
  rows: readonly OpenFaceRow[],
  frameCount: number,
  choice: FaceChoice,
  frame: { width: number; height: number } | undefined,
): FrameObservation[] {
  const rowsByFrame: OpenFaceRow[][] = Array.from({ length: frameCount }, () => []);
  for (const row of rows) rowsByFrame[row.frame - 1]!.push(row);

  let reference: Shape | null = null;
  let lastFaceId: number | null = null;
  for (const frameRows of rowsByFrame) {
    const successful = frameRows.filter((row) => row.success);
    const picked = pickFirstFace(successful.map((row) => row.shape), choice, frame);
    if (picked < 0) continue;
    reference = successful[picked]!.shape;
    lastFaceId = successful[picked]!.faceId;
    break;
  }

  return rowsByFrame.map((frameRows) => {
    if (frameRows.length === 0) return noRow();
    const successful = frameRows.filter((row) => row.success);
    const chosen = nearestRow(successful.length > 0 ? successful : frameRows, reference, lastFaceId);
    lastFaceId = chosen.faceId;
    if (chosen.success) reference = chosen.shape;
    return observe(chosen);
  });
}

/** The candidate nearest to `reference`; exact ties go to `preferredFaceId`, then to file order. */
function nearestRow(candidates: OpenFaceRow[], reference: Shape | null, preferredFaceId: number | null): OpenFaceRow {
  let best = candidates[0]!;
  let bestDistance = reference === null ? 0 : meanPointDistance(best.shape, reference);
  for (let c = 1; c < candidates.length; c++) {
    const row = candidates[c]!;
    const distance = reference === null ? 0 : meanPointDistance(row.shape, reference);
    if (distance < bestDistance || (distance === bestDistance && row.faceId === preferredFaceId)) {
      best = row;
      bestDistance = distance;
    }
  }
  return best;
}

function observe(row: OpenFaceRow): FrameObservation {
  return { shape: row.shape, confidence: row.confidence, success: row.success };
}

function noRow(): FrameObservation {
  return { shape: null, confidence: 0, success: false };
}
