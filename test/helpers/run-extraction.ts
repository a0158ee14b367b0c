import { loadOpenCv } from "../../src/calibrate/opencv.js";
import type { FaceDetector } from "../../src/extract/detect-sequence.js";
import { type ExtractSettings, extractVideo } from "../../src/extract/extract-video.js";
import type { FrameStatus } from "../../src/guard/guard.js";
import type { Shape } from "../../src/shape/shape.js";
import { probeVideo } from "../../src/video/probe.js";

/** One frame of an in-process extraction, kept for comparisons. */
export interface ExtractedRow {
  status: FrameStatus;
  raw: Shape | null;
  calibrated: Float64Array | null;
}

/** Every frame of `video` through detection, guard and calibration (in this process, with `detector`). */
export async function extractRows(video: string, detector: FaceDetector, settings: ExtractSettings): Promise<ExtractedRow[]> {
  const info = await probeVideo(video);
  const outcome = await extractVideo(info, detector, await loadOpenCv(), settings);
  if (outcome.kind === "no-face") return outcome.detections.map(() => ({ status: "skipped", raw: null, calibrated: null }));
  const rows: ExtractedRow[] = [];
  for await (const f of outcome.frames) rows.push({ status: f.status, raw: f.raw, calibrated: f.calibrated });
  return rows;
}

/** Share of frames whose face was detected (not held, rejected, skipped or lost). */
export function detectedShare(rows: readonly ExtractedRow[]): number {
  return rows.filter((r) => r.status === "detected").length / rows.length;
}

/** The calibrated rows of frames where both extractions have one, paired. */
export function pairedCalibrated(ours: readonly ExtractedRow[], reference: readonly ExtractedRow[]): [Float64Array[], Float64Array[]] {
  const a: Float64Array[] = [];
  const b: Float64Array[] = [];
  for (let i = 0; i < Math.min(ours.length, reference.length); i++) {
    const x = ours[i]!.calibrated;
    const y = reference[i]!.calibrated;
    if (x && y) {
      a.push(x);
      b.push(y);
    }
  }
  return [a, b];
}
