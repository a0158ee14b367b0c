import { openDetector } from "../src/extract/open-detector.js";
import { extractSettings } from "../src/extract/settings.js";
import { IBUG_REGIONS } from "../src/extract/mesh-to-ibug.js";
import { compareLandmarkRows } from "../src/metrics/landmark-distance.js";
import { fixtureFaceClips, headOf, placeFace, type Placement } from "../test/helpers/placed-face.js";
import { detectedShare, extractRows, pairedCalibrated } from "../test/helpers/run-extraction.js";
const frames = Number(process.argv[2] ?? 60);
const dir = "/tmp/h12exp";
const clips = await fixtureFaceClips();
console.log(clips.map((c) => `${c.name} face ${c.faceSize.toFixed(0)}`));
const { landmarker } = await openDetector({ mode: "image" });
const settings = extractSettings("image");
for (const clip of clips) {
  const t0 = performance.now();
  const ref = await extractRows(await headOf(clip, frames, dir), landmarker, settings);
  console.log(clip.name, "unpadded", detectedShare(ref), ((performance.now() - t0) / frames).toFixed(1), "ms/f");
  for (const [fw, fh] of [[1920, 1080], [1280, 720]] as const) {
    for (const share of [0.05, 0.08, 0.12, 0.2]) {
      for (const placement of ["centre", "corner"] as Placement[]) {
        const path = await placeFace({ clip, frameWidth: fw, frameHeight: fh, share, placement }, frames, dir);
        const t = performance.now();
        const rows = await extractRows(path, landmarker, settings);
        const ms = (performance.now() - t) / frames;
        const [a, b] = pairedCalibrated(rows, ref);
        const nme = a.length ? compareLandmarkRows(a, b, IBUG_REGIONS).nme : NaN;
        console.log(clip.name, fh, share, placement, "det", detectedShare(rows).toFixed(3), "nme", nme.toFixed(4), ms.toFixed(1), "ms/f");
      }
    }
  }
}
landmarker.close();
