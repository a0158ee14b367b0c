import type { ManifestVideo } from "../store/manifest.js";
import { formatPerturbation } from "../discover/perturbations.js";

/** Videos sharing one perturbation (`CS:4`), or none (`none`: fakes recorded with no distortion). */
export interface PerturbationGroup {
  name: string;
  videos: ManifestVideo[];
}

/**
 * Groups the videos that have a perturbation record by each perturbation they carry (a video with `VC:2 GNC:5`
 * is in both groups), ordered by type then level, with `none` first. Videos without a record (real videos,
 * layouts without meta files) are in no group. Empty when no video has a record.
 */
export function groupByPerturbation(videos: readonly ManifestVideo[]): PerturbationGroup[] {
  const groups = new Map<string, { type: string; level: number; videos: ManifestVideo[] }>();
  for (const video of videos) {
    if (video.perturbations === undefined) continue;
    const names = video.perturbations.length === 0 ? [{ name: "none", type: "", level: 0 }] : video.perturbations.map((p) => ({ name: formatPerturbation(p), ...p }));
    for (const { name, type, level } of new Map(names.map((n) => [n.name, n])).values()) {
      const group = groups.get(name) ?? { type, level, videos: [] };
      group.videos.push(video);
      groups.set(name, group);
    }
  }
  return [...groups]
    .sort(([, a], [, b]) => (a.type < b.type ? -1 : a.type > b.type ? 1 : a.level - b.level))
    .map(([name, g]) => ({ name, videos: g.videos }));
}
