/** OpenFace CSVs as a landmark source: 68 points per frame, read from a file (no frames decoded). */
import type { LandmarkSource, SourceVideo, VideoLandmarks } from "../sources/landmark-source.js";
import { alignToFrames, shapesInFileOrder } from "./align.js";
import { OpenFaceCsvError } from "./errors.js";
import { OPENFACE_GUARD, OPENFACE_MIN_CONFIDENCE } from "./guard-settings.js";
import { readOpenFaceCsv } from "./parse-csv.js";

export interface OpenFaceSpec {
  name: "openface";
  /** The CSV (calibrate `--openface`); absent in a build, where each video's matched CSV comes with it. */
  csvPath?: string;
  /** Follow this face_id instead of the largest face. */
  faceId?: number;
  /**
   * LRNet's calibrator input, quirks included: every CSV row in file order (failed rows with their zeros too),
   * one row per video frame, no guard.
   */
  parity?: boolean;
}

/** The manifest configuration of an OpenFace source. */
export function openFaceConfiguration(spec: OpenFaceSpec): Record<string, unknown> {
  return { detector: "openface", model_sha256: null, mapping_version: "none", guard: spec.parity ? null : { ...OPENFACE_GUARD } };
}

export function openOpenFaceSource(spec: OpenFaceSpec): LandmarkSource {
  return {
    name: "openface",
    configuration: openFaceConfiguration(spec),
    provenance: {
      landmarks: { source: "openface", csv: spec.csvPath ?? null, ...(spec.faceId === undefined ? {} : { face_id: spec.faceId }) },
    },
    points: 68,
    input: "none",
    guard: spec.parity ? null : OPENFACE_GUARD,
    outputBox: "lrnet", // as registry.ts outputBoxOf says for OpenFace
    open: (video) => openCsv(spec, video),
    close: async () => {},
  };
}

async function openCsv(spec: OpenFaceSpec, video: SourceVideo): Promise<VideoLandmarks> {
  const csvPath = spec.csvPath ?? video.landmarkFile ?? null;
  if (csvPath === null) throw new OpenFaceCsvError(video.path, null, "no OpenFace CSV matches this video");
  const table = await readOpenFaceCsv(csvPath);
  if (spec.parity) {
    if (table.rows.length !== video.frameCount) {
      throw new OpenFaceCsvError(
        csvPath,
        null,
        `${table.rows.length} rows but ${video.path} has ${video.frameCount} frames; --parity needs one row per frame, as LRNet's calibrator asserts (drop --parity to align rows by their frame column)`,
      );
    }
    const shapes = shapesInFileOrder(table);
    return { detect: (index) => [{ points: shapes[index]!, score: table.rows[index]!.confidence }] };
  }
  const observations = alignToFrames(table, video.frameCount, {
    file: csvPath,
    ...(spec.faceId === undefined ? {} : { faceId: spec.faceId }),
    ...(video.choice === undefined ? {} : { choice: video.choice, frame: video }),
  });
  if (!observations.some((o) => o.success && o.shape !== null && o.confidence >= OPENFACE_MIN_CONFIDENCE)) {
    throw new OpenFaceCsvError(
      csvPath,
      null,
      `no frame has a successful detection (success = 1 and confidence >= ${OPENFACE_MIN_CONFIDENCE}): nothing to calibrate`,
    );
  }
  return {
    detect(index) {
      const o = observations[index]!;
      return o.success && o.shape !== null ? [{ points: o.shape, score: o.confidence }] : [];
    },
  };
}
