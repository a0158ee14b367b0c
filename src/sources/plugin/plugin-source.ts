import { createRequire } from "node:module";
import { basename, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { LrnetDataError } from "../../errors.js";
import { type GuardSettings, LRNET_JUMP_LIMITS } from "../../guard/guard.js";
import { choosePointMap } from "../point-maps/point-map.js";
import type { FaceObservation, LandmarkSource, RgbaFrame, SourceVideo, VideoLandmarks } from "../landmark-source.js";

/** A detector plugin, as workers receive it: plain JSON. */
export interface PluginSpec {
  name: "plugin";
  /** What the user gave `--detector` (a path or a package name): names the plugin in messages and the manifest. */
  label: string;
  /** The module's resolved URL. */
  url: string;
  /** `--points`: the map for its layout (default: the map for its point count). */
  points?: string;
  /** What the plugin declared when it was first loaded, and the map chosen for its layout (preparePluginSpec). */
  declared?: { name: string; points: number; input: "rgba" | "none"; configuration: Record<string, unknown>; mapName: string; guard: GuardSettings | null };
}

/** A plugin that cannot be loaded, or that answered something lrnet-data cannot use: one line naming it. */
export class PluginError extends LrnetDataError {}

/** Guard of a plugin that does not bring its own: every face counts (scores are the plugin's), LRNet's jump limits. */
export const PLUGIN_GUARD: GuardSettings = { minScore: 0, ...LRNET_JUMP_LIMITS };

/** `--detector ./file.mjs` (a path: has a slash or ends in .js/.mjs) or `--detector package-name`, resolved from `cwd`. */
export function pluginSpecFor(detector: string, cwd = process.cwd()): PluginSpec {
  const isPath = detector.startsWith(".") || isAbsolute(detector) || /\.(m?js|cjs)$/.test(detector);
  if (isPath) return { name: "plugin", label: detector, url: pathToFileURL(resolve(cwd, detector)).href };
  try {
    const path = createRequire(join(cwd, "package.json")).resolve(detector);
    return { name: "plugin", label: detector, url: pathToFileURL(path).href };
  } catch {
    throw new PluginError(`--detector ${detector}: no such file, and no package of that name is installed here (${cwd})`);
  }
}

/** Loads the plugin once in the main thread to learn what it declares (name, layout, configuration), then closes it. */
export async function preparePluginSpec(spec: PluginSpec): Promise<PluginSpec> {
  if (spec.declared) return spec;
  const source = await openPluginSource(spec);
  try {
    const configuration = source.configuration as { plugin_configuration: Record<string, unknown>; mapping_version: string };
    return {
      ...spec,
      declared: { name: source.name, points: source.points, input: source.input, configuration: configuration.plugin_configuration, mapName: configuration.mapping_version, guard: source.guard },
    };
  } finally {
    await source.close();
  }
}

/** The plugin's part of a manifest's configuration (after preparePluginSpec). */
export function pluginConfiguration(spec: PluginSpec): Record<string, unknown> {
  const declared = spec.declared;
  if (!declared) throw new Error("pluginConfiguration needs a prepared spec");
  return {
    detector: `plugin:${declared.name}`,
    plugin: spec.label,
    plugin_configuration: declared.configuration,
    model_sha256: null,
    mapping_version: declared.mapName,
    guard: declared.guard === null ? null : { ...declared.guard },
  };
}

/** Imports the plugin module, calls its factory, and checks what it returns and every answer it gives. */
export async function openPluginSource(spec: PluginSpec): Promise<LandmarkSource> {
  const label = spec.label;
  let module: Record<string, unknown>;
  try {
    module = (await import(spec.url)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PluginError(
      code === "ERR_MODULE_NOT_FOUND" && (error as Error).message.includes(spec.url.replace("file://", ""))
        ? `${label}: no such file`
        : `${label}: cannot be loaded (${firstLine(error)})`,
    );
  }
  const factory = module.default ?? module.createSource;
  if (typeof factory !== "function") throw new PluginError(`${label}: exports no factory (a default export or createSource returning a landmark source)`);
  let raw: unknown;
  try {
    raw = await (factory as () => unknown)();
  } catch (error) {
    throw new PluginError(`${label}: its factory threw: ${firstLine(error)}`);
  }
  const source = checkedSource(raw, label, spec.points);
  const mapName = choosePointMap(source.points, spec.points, label).name;
  return {
    ...source,
    configuration: {
      detector: `plugin:${source.name}`,
      plugin: label,
      plugin_configuration: source.configuration,
      model_sha256: null,
      mapping_version: mapName,
      guard: source.guard === null ? null : { ...source.guard },
    },
    provenance: { landmarks: { source: "plugin", plugin: label, url: spec.url } },
    open: source.open,
    close: source.close,
  };
}

/** The plugin's source with every field checked and every answer checked as it comes. */
export function checkedSource(raw: unknown, label: string, pointMap?: string): LandmarkSource {
  const fail = (reason: string): never => {
    throw new PluginError(`${label}: ${reason}`);
  };
  if (typeof raw !== "object" || raw === null) return fail("its factory returned no object (a landmark source was expected)");
  const source = raw as Record<string, unknown>;
  if (typeof source.name !== "string" || source.name === "") fail("name must be a non-empty string");
  if (!Number.isInteger(source.points) || (source.points as number) <= 0) fail(`points must be a whole number > 0, got ${JSON.stringify(source.points)}`);
  if (source.input !== "rgba" && source.input !== "none") fail(`input must be "rgba" or "none", got ${JSON.stringify(source.input)}`);
  if (typeof source.open !== "function") fail("open(video) is missing");
  const configuration = source.configuration ?? {};
  if (typeof configuration !== "object" || configuration === null || Array.isArray(configuration)) fail("configuration must be an object");
  try {
    JSON.stringify(configuration);
  } catch {
    fail("configuration must be JSON");
  }
  const points = source.points as number;
  const guard = (source.guard as GuardSettings | null | undefined) ?? PLUGIN_GUARD;
  const open = source.open as (video: SourceVideo) => Promise<unknown>;
  const close = typeof source.close === "function" ? (source.close as () => Promise<void>) : async () => {};
  return {
    name: source.name as string,
    configuration: configuration as Record<string, unknown>,
    points,
    ...(pointMap === undefined ? {} : { pointMap }),
    input: source.input as "rgba" | "none",
    guard,
    async open(video: SourceVideo): Promise<VideoLandmarks> {
      const where = `${label}: ${basename(video.path)}`;
      let opened: unknown;
      try {
        opened = await open.call(raw, video);
      } catch (error) {
        throw new PluginError(`${where}: open threw: ${firstLine(error)}`);
      }
      const detect = (opened as { detect?: unknown } | null)?.detect;
      if (typeof detect !== "function") throw new PluginError(`${where}: open returned no detect(index, frame)`);
      const closeVideo = (opened as { close?: unknown }).close;
      return {
        async detect(index: number, frame?: RgbaFrame): Promise<FaceObservation[]> {
          let answer: unknown;
          try {
            answer = await (detect as (i: number, f?: RgbaFrame) => unknown).call(opened, index, frame);
          } catch (error) {
            throw new PluginError(`${where}: frame ${index}: detect threw: ${firstLine(error)}`);
          }
          return checkFaces(answer, points, `${where}: frame ${index}`);
        },
        close(): void {
          if (typeof closeVideo === "function") (closeVideo as () => void).call(opened);
        },
      };
    },
    close: () => close.call(raw),
  };
}

function checkFaces(answer: unknown, points: number, where: string): FaceObservation[] {
  if (!Array.isArray(answer)) throw new PluginError(`${where}: detect returned ${typeof answer}, not a list of faces`);
  return answer.map((face: unknown, k): FaceObservation => {
    const fail = (reason: string): never => {
      throw new PluginError(`${where}: face ${k} ${reason}`);
    };
    if (typeof face !== "object" || face === null) return fail("is not an object");
    const { points: values, score, faceId, box } = face as Record<string, unknown>;
    const isList = Array.isArray(values) || values instanceof Float64Array || values instanceof Float32Array;
    if (!isList) return fail("has no points (x0 y0 x1 y1 … in frame pixels)");
    const list = values as ArrayLike<unknown>;
    if (list.length !== 2 * points) fail(`has ${list.length} values, expected ${2 * points} (${points} points)`);
    const out = new Float64Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      if (typeof v !== "number" || !Number.isFinite(v)) fail(`has ${String(v)} at point ${i >> 1}`);
      out[i] = v as number;
    }
    if (typeof score !== "number" || !Number.isFinite(score)) fail(`has score ${JSON.stringify(score)}, not a number`);
    return {
      points: out,
      score: score as number,
      ...(typeof faceId === "number" ? { faceId } : {}),
      ...(box && typeof box === "object" ? { box: box as FaceObservation["box"] & object } : {}),
    };
  });
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
}
