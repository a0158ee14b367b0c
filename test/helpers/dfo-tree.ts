/**
 * A miniature DeeperForensics-1.0 tree with the release's folder names and list formats (dataset/README.md of
 * EndlessSora/DeeperForensics-1.0), and a miniature FaceForensics++ root holding the c23 targets:
 *
 *   DFO/manipulated_videos/<variant>/<target>_<actor>.mp4      (the 11 variants)
 *   DFO/source_videos/<actor>/<light…>/<emotion>/<camera…>/<actor>_light_…_camera_….mp4
 *   DFO/lists/splits/{train,val,test}.txt                       (file names, some CRLF)
 *   DFO/lists/manipulated_videos_distortions_meta/manipulated_videos_<variant>_meta.txt   ('<path> CS:4', CRLF in one)
 *   FFPP/original_sequences/youtube/c23/videos/<target>.mp4
 *
 * test.txt names 012_M030.mp4, which is not in the tree (a partial download); end_to_end holds a stray
 * 000_M101_copy.mp4; FFPP holds a target (012) whose fake is missing and one (500) that no list names.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeTreeVideos, type TreeVideo } from "./build-tree.js";

export const DFO_VARIANTS = [
  "end_to_end",
  "reenact_postprocess",
  "end_to_end_level_1",
  "end_to_end_level_2",
  "end_to_end_level_3",
  "end_to_end_level_4",
  "end_to_end_level_5",
  "end_to_end_random_level",
  "end_to_end_mix_2_distortions",
  "end_to_end_mix_3_distortions",
  "end_to_end_mix_4_distortions",
] as const;

/** The fakes of the tree: every variant of 000_M101; end_to_end, level_3, random_level and mix_2 of the others. */
export const DFO_FAKES: readonly string[] = [
  ...DFO_VARIANTS.map((v) => `${v}/000_M101`),
  ...["001_W102", "002_W030", "003_M101"].flatMap((key) => ["end_to_end", "end_to_end_level_3", "end_to_end_random_level", "end_to_end_mix_2_distortions"].map((v) => `${v}/${key}`)),
];

/** The split lists as written: train and test with CRLF line ends, 012_M030 missing from the tree. */
export const DFO_SPLIT_LISTS: Readonly<Record<string, string>> = {
  "train.txt": "000_M101.mp4\r\n003_M101.mp4\r\n",
  "val.txt": "002_W030.mp4\n",
  "test.txt": "001_W102.mp4\r\n012_M030.mp4\r\n",
};

/** The split of each list key, as the lists give it. */
export const DFO_SPLIT_OF_KEY: Readonly<Record<string, string>> = {
  "000_M101": "train",
  "003_M101": "train",
  "002_W030": "val",
  "001_W102": "test",
  "012_M030": "test",
};

/** Meta line perturbations of each perturbed variant, indexed by the key's target (000 → 0); levels as the folder implies. */
const META: Readonly<Record<string, readonly string[]>> = {
  end_to_end_level_1: ["CC:1"],
  end_to_end_level_2: ["BW:2"],
  end_to_end_level_3: ["GB:3", "CS:3", "JPEG:3", "VC:3"],
  end_to_end_level_4: ["GNC:4"],
  end_to_end_level_5: ["JPEG:5"],
  end_to_end_random_level: ["CS:4", "VC:2", "GB:1", "BW:5"],
  end_to_end_mix_2_distortions: ["VC:2 GNC:5", "CS:1 GB:4", "JPEG:2 CC:5", "BW:1 VC:3"],
  end_to_end_mix_3_distortions: ["CS:1 VC:4 BW:2"],
  end_to_end_mix_4_distortions: ["GNC:2 CC:4 JPEG:1 GB:5"],
};

export const DFO_SOURCE_VIDEOS: readonly string[] = [
  "source_videos/M101/light_uniform/happy/camera_front/M101_light_uniform_happy_camera_front.mp4",
  "source_videos/M101/BlendShape/camera_left/M101_BlendShape_camera_left.mp4",
  "source_videos/W102/light_left/neutral/camera_front/W102_light_left_neutral_camera_front.mp4",
  "source_videos/W030/light_up/sad/camera_down/W030_light_up_sad_camera_down.mp4",
  "source_videos/M030/light_uniform/angry/camera_right/M030_light_uniform_angry_camera_right.mp4",
];

export interface DfoTree {
  dfo: string;
  ffpp: string;
  openface: string;
  /** Meta line text (after the path) of each perturbed fake id, as written. */
  metaOf: Map<string, string>;
}

/**
 * Writes the trees under `base`. With `clips`, every video is a generated clip (frames 10–13) with an OpenFace
 * CSV under `base/openface`; without, an empty file (enough for discovery).
 */
export async function makeDfoTree(base: string, { clips = false }: { clips?: boolean } = {}): Promise<DfoTree> {
  const dfo = join(base, "DFO");
  const ffpp = join(base, "FFPP");
  const openface = join(base, "openface");
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  };
  for (const [name, text] of Object.entries(DFO_SPLIT_LISTS)) write(join(dfo, "lists/splits", name), text);

  const metaOf = new Map<string, string>();
  const metaLines = new Map<string, string[]>();
  DFO_FAKES.forEach((id) => {
    const [variant, key] = id.split("/") as [string, string];
    const meta = META[variant];
    if (!meta) return;
    const text = meta[Number(key.slice(0, 3))]!;
    metaOf.set(id, text);
    const lines = metaLines.get(variant) ?? [];
    lines.push(`manipulated_videos/${variant}/${key}.mp4 ${text}`);
    metaLines.set(variant, lines);
  });
  for (const [variant, lines] of metaLines) {
    const eol = variant === "end_to_end_random_level" ? "\r\n" : "\n";
    write(join(dfo, "lists/manipulated_videos_distortions_meta", `manipulated_videos_${variant}_meta.txt`), lines.join(eol) + eol);
  }
  // The official lists of the release, which lrnet-data does not need.
  write(join(dfo, "lists/manipulated_videos_lists/manipulated_videos_end_to_end_list.txt"), "manipulated_videos/end_to_end/000_M101.mp4\n");

  const videos: { root: string; video: TreeVideo }[] = [];
  let seed = 1;
  const add = (root: string, path: string, id: string): void => {
    videos.push({ root, video: { path, id, frames: 10 + (seed % 4), seed: seed++ } });
  };
  for (const id of DFO_FAKES) add(dfo, `manipulated_videos/${id}.mp4`, id);
  for (const path of DFO_SOURCE_VIDEOS) add(dfo, path, `source_videos/${path.slice(path.lastIndexOf("/") + 1, -4)}`);
  for (const target of ["000", "001", "002", "003", "012", "500"]) add(ffpp, `original_sequences/youtube/c23/videos/${target}.mp4`, `youtube/c23/${target}`);

  if (clips) {
    for (const root of [dfo, ffpp]) await writeTreeVideos(root, openface, videos.filter((v) => v.root === root).map((v) => v.video));
    // A stray copy: a video file no rule matches (it gets no CSV: the build never reads it).
    await writeTreeVideos(dfo, openface, [{ path: "manipulated_videos/end_to_end/000_M101_copy.mp4", id: "stray", frames: 5, seed: 99, csv: "none" }]);
  } else {
    for (const { root, video } of videos) write(join(root, video.path), "");
    write(join(dfo, "manipulated_videos/end_to_end/000_M101_copy.mp4"), "");
  }
  return { dfo, ffpp, openface, metaOf };
}

/** `CS:4 VC:2` → [{type: "CS", level: 4}, {type: "VC", level: 2}], split by hand, as a test oracle. */
export function metaTextToList(text: string): { type: string; level: number }[] {
  return text.split(" ").map((token) => {
    const [type, level] = token.split(":");
    return { type: type!, level: Number(level) };
  });
}
