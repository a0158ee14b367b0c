/**
 * What reading each frame's own presentation time costs (issue 9): the decoder runs ffmpeg with -debug_ts and
 * parses its "decoder ->" line of each frame (frame-times.ts; the showinfo filter it replaced cost ≈ 2.6 ms a
 * 720p frame, for its plane checksums). A generated 720p clip (300 frames, h264) is
 * decoded with and without it, alternately, BENCH_RUNS times; the ratio of the medians is the cost.
 */
import { decodeFrames } from "../src/video/decode.js";
import { probeVideo } from "../src/video/probe.js";
import { makeMovingTextureClip } from "../test/helpers/synthetic-video.js";
import { benchDir, median, table } from "./harness.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

export async function benchDecodePts(): Promise<void> {
  const clip = await makeMovingTextureClip({
    width: 1280,
    height: 720,
    frames: 300,
    fps: 30,
    offsets: (i) => [i * 2, i % 3],
    codec: "h264",
    seed: 9,
    dir: benchDir("decode-pts"),
    name: "clip-720p",
  });
  const info = await probeVideo(clip.path);
  const decode = async (timestamps: boolean): Promise<number> => {
    const started = performance.now();
    let frames = 0;
    for await (const frame of decodeFrames(info.path, { format: "bgr24", info, timestamps })) frames += frame.data.length > 0 ? 1 : 0;
    if (frames !== info.frameCount) throw new Error(`decoded ${frames} of ${info.frameCount} frames`);
    return (performance.now() - started) / 1000;
  };
  const plain: number[] = [];
  const withPts: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    plain.push(await decode(false));
    withPts.push(await decode(true));
  }
  const a = median(plain);
  const b = median(withPts);
  console.log(`\ndecode-pts: ${info.frameCount} frames ${info.width}x${info.height} h264 → BGR24, medians of ${RUNS}`);
  console.log(
    table(
      ["decode", "seconds", "ms per frame"],
      [
        ["plain (index ÷ fps)", a.toFixed(2), ((1000 * a) / info.frameCount).toFixed(2)],
        ["with per-frame pts (-debug_ts)", b.toFixed(2), ((1000 * b) / info.frameCount).toFixed(2)],
      ],
    ),
  );
  console.log(`ratio with/without: ${(b / a).toFixed(3)}`);
}
