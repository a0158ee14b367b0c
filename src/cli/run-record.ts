import { readToolInfo } from "../io/package-files.js";
import { writeFileDurably } from "../io/durable-fs.js";
import type { VideoInfo } from "../video/types.js";
import type { RunSummary } from "./run-summary.js";

/**
 * The provenance written beside a single-video output as `<out>.json`: which tool, video, decoder and
 * settings produced it, and what happened to its frames. Datasets carry the same facts in their manifest.
 */
export async function writeRunRecord(
  out: string,
  command: string,
  info: VideoInfo,
  settings: Record<string, unknown>,
  summary: RunSummary,
  seconds: number,
): Promise<void> {
  if (out === "-") return;
  const record = {
    tool: { name: "lrnet-data", version: toolVersion(), command },
    video: {
      path: info.path,
      frames: info.frameCount,
      width: info.width,
      height: info.height,
      fps: info.fps,
      codec: info.codec,
      decoder: { path: info.decoder.path, source: info.decoder.source, version: info.decoder.version },
    },
    ...settings,
    counts: { ...summary.statuses, rows: summary.rows, dropped: summary.dropped },
    seconds: Number(seconds.toFixed(3)),
  };
  await writeFileDurably(`${out}.json`, JSON.stringify(record, null, 2) + "\n");
}

export function toolVersion(): string {
  return readToolInfo().version;
}
