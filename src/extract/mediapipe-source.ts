/** MediaPipe Face Landmarker as a landmark source: 478-point meshes from decoded RGBA frames. */
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createFaceLandmarker, type FaceResult, type NodeFaceLandmarker } from "../mediapipe-runtime/landmarker.js";
import { tasksVisionDirectory } from "../mediapipe-runtime/wasm-loader.js";
import { type ResolveModelOptions, resolveModel, sha256Hex } from "../model-bundle/resolve-model.js";
import type { FaceObservation, LandmarkSource, SourceVideo, VideoLandmarks } from "../sources/landmark-source.js";
import { DEFAULT_MAPPING, MESH_POINT_COUNT } from "../sources/mesh-to-ibug.js";
import { FaceFinder, type FaceFinderSettings } from "./finder/face-finder.js";
import { DarkFrameDetector, type DarkFrameSettings } from "./dark-frames.js";
import { DEFAULT_ENHANCE, DEFAULT_MODE, MEDIAPIPE_GUARD, darkFramesFor, faceFinderFor, facesPerImage } from "./settings.js";

/** Anything that finds faces in an RGBA frame: the MediaPipe landmarker, or a stand-in in tests. */
export interface FaceDetector {
  detect(rgba: Uint8Array, width: number, height: number, timestampMs?: number): FaceResult[];
}

export interface MediaPipeSpec {
  name: "mediapipe";
  /** image (default): every frame on its own; video: MediaPipe tracks and smooths between frames. */
  mode?: "image" | "video";
  /** `--model PATH`; resolved by prepareMediaPipeSpec (see resolve-model.ts for the order). */
  modelPath?: string;
  /** The resolved model's sha256: a source that then finds other bytes at modelPath refuses to start. */
  modelSha256?: string;
  /** Allow downloading Google's official bundle (checksum-verified). */
  download?: boolean;
  /** auto (default): dark images are brightened for the detector only (see dark-frames.ts); off: never. */
  enhance?: "auto" | "off";
}

/** Resolves the model once, so every worker of a build loads the same file (and the manifest names its sha256). */
export async function prepareMediaPipeSpec(spec: MediaPipeSpec): Promise<MediaPipeSpec> {
  if (spec.modelSha256 !== undefined) return spec;
  const model = await resolveModel(resolveOptions(spec));
  return { ...spec, modelPath: model.path, modelSha256: model.sha256 };
}

function resolveOptions(spec: MediaPipeSpec): ResolveModelOptions {
  return {
    ...(spec.modelPath === undefined ? {} : { modelPath: spec.modelPath }),
    ...(spec.download === undefined ? {} : { download: spec.download }),
  };
}

/** The manifest configuration of a prepared spec: detector, model, mapping, guard, running mode, runtime. */
export function mediaPipeConfiguration(spec: MediaPipeSpec): Record<string, unknown> {
  return {
    detector: "mediapipe-face-landmarker",
    model_sha256: spec.modelSha256 ?? null,
    mapping_version: DEFAULT_MAPPING.version,
    guard: { ...MEDIAPIPE_GUARD },
    running_mode: spec.mode ?? DEFAULT_MODE,
    face_finder: faceFinderFor(spec.mode ?? DEFAULT_MODE),
    faces_per_image: facesPerImage(spec.mode ?? DEFAULT_MODE),
    dark_frames: darkFramesFor(spec.enhance ?? DEFAULT_ENHANCE),
    detector_runtime: `@mediapipe/tasks-vision@${tasksVisionVersion()}`,
  };
}

/**
 * Opens the landmarker. A prepared spec (model path and sha256) loads exactly those bytes; otherwise the model
 * is resolved now. Image mode keeps one landmarker for every video; video mode tracks the face from frame to
 * frame, so each video gets a fresh one (about 0.5 s) and results do not depend on what it saw before.
 */
export async function openMediaPipeSource(spec: MediaPipeSpec, hooks: { onLog?: (line: string) => void } = {}): Promise<LandmarkSource> {
  const mode = spec.mode ?? DEFAULT_MODE;
  let bytes: Uint8Array;
  let model: { sha256: string; source: string; path: string };
  if (spec.modelSha256 !== undefined && spec.modelPath !== undefined) {
    bytes = new Uint8Array(await readFile(spec.modelPath));
    const sha256 = sha256Hex(bytes);
    if (sha256 !== spec.modelSha256) {
      throw new Error(`${spec.modelPath} changed during the build (sha256 ${sha256.slice(0, 12)}…, expected ${spec.modelSha256.slice(0, 12)}…)`);
    }
    model = { sha256, source: "explicit", path: spec.modelPath };
  } else {
    const resolved = await resolveModel(resolveOptions(spec));
    bytes = resolved.bytes ?? new Uint8Array(await readFile(resolved.path));
    model = { sha256: resolved.sha256, source: resolved.source, path: resolved.path };
  }
  const newLandmarker = (): Promise<NodeFaceLandmarker> =>
    createFaceLandmarker({ modelBytes: bytes, mode, numFaces: facesPerImage(mode), ...(hooks.onLog === undefined ? {} : { onLog: hooks.onLog }) });
  const shared = mode === "image" ? await newLandmarker() : null;
  const configuration = mediaPipeConfiguration({ ...spec, modelSha256: model.sha256 });
  return detectorSource(
    {
      detector: shared,
      fresh: shared === null ? newLandmarker : null,
    },
    configuration,
    { model, mode },
    faceFinderFor(mode),
    darkFramesFor(spec.enhance ?? DEFAULT_ENHANCE),
  );
}

/** Any FaceDetector (a landmarker, or a scripted stand-in in tests) as a 478-point source with MediaPipe's guard. */
export function faceDetectorSource(
  detector: FaceDetector,
  configuration: Record<string, unknown> = {},
  finder: FaceFinderSettings | null = null,
  darkFrames: DarkFrameSettings | null = null,
): LandmarkSource {
  return detectorSource({ detector, fresh: null }, configuration, undefined, finder, darkFrames);
}

function detectorSource(
  detectors: { detector: (FaceDetector & { close?(): void }) | null; fresh: (() => Promise<NodeFaceLandmarker>) | null },
  configuration: Record<string, unknown>,
  provenance: Record<string, unknown> | undefined,
  finderSettings: FaceFinderSettings | null,
  darkFrames: DarkFrameSettings | null,
): LandmarkSource {
  return {
    name: "mediapipe",
    configuration,
    ...(provenance === undefined ? {} : { provenance }),
    points: MESH_POINT_COUNT,
    input: "rgba",
    guard: MEDIAPIPE_GUARD,
    async open(video: SourceVideo): Promise<VideoLandmarks> {
      const fresh = detectors.fresh ? await detectors.fresh() : null;
      const landmarker = fresh ?? detectors.detector!;
      // Every image the landmarker gets (whole frame, tile or crop) passes the dark-frame gain first.
      const detector: FaceDetector = darkFrames ? new DarkFrameDetector(landmarker, darkFrames) : landmarker;
      const finder = finderSettings ? new FaceFinder(detector, finderSettings, (video.choice?.rule ?? "largest") !== "largest") : null;
      let found: FaceResult[] = [];
      let observed: FaceObservation[] = [];
      return {
        detect(index, frame) {
          if (frame === undefined) throw new Error("MediaPipe needs the decoded RGBA frame");
          const timestampMs = (index * 1000) / video.fps;
          found = finder ? finder.find(frame.data, frame.width, frame.height, timestampMs) : detector.detect(frame.data, frame.width, frame.height, timestampMs);
          observed = found.map(toObservation);
          return observed;
        },
        follow(face) {
          const i = face === null ? -1 : observed.indexOf(face);
          finder?.follow(i < 0 ? null : found[i]!);
        },
        close: () => fresh?.close(),
      };
    },
    async close() {
      detectors.detector?.close?.();
    },
  };
}

/** A mesh's x and y (frame pixels); z is dropped. Float32 → Float64 is exact. */
function toObservation(face: FaceResult): FaceObservation {
  const points = new Float64Array(MESH_POINT_COUNT * 2);
  for (let i = 0; i < MESH_POINT_COUNT; i++) {
    points[2 * i] = face.points[3 * i]!;
    points[2 * i + 1] = face.points[3 * i + 1]!;
  }
  return { points, score: face.score };
}

function tasksVisionVersion(): string {
  const pkg = JSON.parse(readFileSync(join(tasksVisionDirectory(), "package.json"), "utf8")) as { version?: unknown };
  return String(pkg.version ?? "unknown");
}
