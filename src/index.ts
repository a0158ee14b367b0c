/**
 * lrnet-data as a library: calibrated LRNet landmarks from any landmark source, and datasets built, checked,
 * exported and read programmatically. Everything here is stable; anything imported from deeper paths is not.
 */
import { readFile } from "node:fs/promises";
import { StoreError } from "./store/errors.js";
import { resolveManifestPath } from "./store/confine.js";
import { type DataColumnName, type DecodedDataFile, decodeDataFile } from "./store/data-file.js";
import type { Manifest } from "./store/manifest.js";
import { readManifest } from "./store/store.js";
import type { LandmarkSource } from "./sources/landmark-source.js";
import { type PipelineOptions, type PipelineOutcome, runVideoPipeline } from "./sources/video-pipeline.js";
import { probeVideo } from "./video/probe.js";

export { LrnetDataError, UsageError } from "./errors.js";
export { WriteError } from "./io/write-error.js";
export { ConfinementError, resolveManifestPath } from "./store/confine.js";
export type { DetectorPluginFactory, FaceObservation, LandmarkSource, RgbaFrame, SourceVideo, VideoLandmarks } from "./sources/landmark-source.js";
export { openLandmarkSource, prepareSourceSpec, sourceConfiguration, type SourceSpec } from "./sources/registry.js";
export { ibugMapper, toIbug68 } from "./sources/to-ibug68.js";
export { builtInPointMaps, choosePointMap, mapToIbug, parsePointMap, type PointMap } from "./sources/point-maps/point-map.js";
export { parseNpy, type NpyArray } from "./sources/import/npy.js";
export { compareSides, type Comparison } from "./compare/compare-sides.js";
export { openSide } from "./compare/sides.js";
export { runVideoPipeline, type PipelineFrame, type PipelineOptions, type PipelineOutcome, type PipelineProgress } from "./sources/video-pipeline.js";
export { guardSequence, type Detection, type FrameStatus, type GuardedFrame, type GuardSettings } from "./guard/guard.js";
export { calibrateFrames, stableSizeOf, type CalibratedFrame } from "./calibrate/calibrate-frames.js";
export { normaliseTrack, trackToFrame } from "./calibrate/calibrator.js";
export { exactFaceBox, normaliseTrackIn, OUTPUT_BOXES, type OutputBox } from "./calibrate/output-box.js";
export { CALIBRATION } from "./calibrate/constants.js";
export { probeVideo } from "./video/probe.js";
export { decodeFrames } from "./video/decode.js";
export type { Frame, VideoInfo } from "./video/types.js";
export type { Shape } from "./shape/shape.js";
export { formatLrnetLine, parseLrnetText } from "./export/lrnet-txt.js";
export { runBuild, type BuildOptions } from "./batch/run-build.js";
export { mergeShards, type MergeOptions } from "./batch/merge.js";
export { validateDataset } from "./validate/validate-dataset.js";
export type { ValidationOptions, ValidationReport } from "./validate/types.js";
export { exportDataset, type ExportOptions } from "./export/export-dataset.js";
export { exportHf, type HfExportOptions, type HfExportReport } from "./export/hf/index.js";
export { exportNpy, type NpyExportOptions, type NpyExportReport } from "./export/npy/index.js";
export { buildReport, writeReport } from "./report/build-report.js";
export { readManifest } from "./store/store.js";
export type { Manifest, ManifestVideo } from "./store/manifest.js";
export type { DataColumnName, DecodedDataFile } from "./store/data-file.js";

/**
 * Runs a landmark source over one video and calibrates it as LRNet does: the frames stream out one at a time
 * (`calibrated` holds the 68 points in LRNet's normalised units), or `no-face` when no frame had a usable face.
 */
export async function calibrateVideo(videoPath: string, source: LandmarkSource, options: PipelineOptions = {}): Promise<PipelineOutcome> {
  return runVideoPipeline(await probeVideo(videoPath), source, options);
}

/** A built dataset: its manifest, then each data file's decoded columns, one file at a time. */
export async function readDataset(
  outDir: string,
  options: { columns?: readonly DataColumnName[] } = {},
): Promise<{ manifest: Manifest; files: AsyncGenerator<{ path: string } & DecodedDataFile> }> {
  const manifest = await readManifest(outDir);
  if (manifest === null) throw new StoreError(`${outDir}: no manifest.json (not the output of lrnet-data build)`, outDir);
  async function* files(): AsyncGenerator<{ path: string } & DecodedDataFile> {
    for (const [i, file] of manifest!.data_files.entries()) {
      const path = await resolveManifestPath(outDir, file.path, `data_files[${i}].path`);
      const decoded = await decodeDataFile(new Uint8Array(await readFile(path)), options);
      yield { path: file.path, ...decoded };
    }
  }
  return { manifest, files: files() };
}
