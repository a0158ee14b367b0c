import { readFileSync } from "node:fs";
import { ImageEmbedder } from "@mediapipe/tasks-vision";
import { prepareWasm, createWithWasm, CanvasStandIn } from "/work/h12/dist/src/extract/mediapipe/node-shims.js";
import { buildDetectorModel } from "/work/h12/dist/src/extract/model/offline-bundle.js";
import { openDetector } from "/work/h12/dist/src/extract/open-detector.js";
const fileset = await prepareWasm();
const log = (l) => {};
for (const f of ["face_detection_full_range.tflite","face_detection_full_range_sparse.tflite","face_detection_short_range.tflite"]) {
const model = buildDetectorModel(new Uint8Array(readFileSync("/tmp/face_detection_pkg/"+f)), "x");
const emb = await createWithWasm({print: log, printErr: log}, () => ImageEmbedder.createFromOptions(fileset, {
  baseOptions: { modelAssetBuffer: model, delegate: "CPU" }, canvas: new CanvasStandIn(), runningMode: "IMAGE", l2Normalize: false, quantize: false }));
const s = f.includes("short") ? 128 : 192;
const data = new Uint8Array(s*s*4).fill(128);
emb.embed({ data, width: s, height: s });
let t=performance.now(); for (let i=0;i<20;i++) emb.embed({ data, width: s, height: s }); console.log(f, "ms/embed", (performance.now()-t)/20);
emb.close();
}
const { landmarker } = await openDetector({ mode: "image" });
for (const s of [192, 720]) {
const data = new Uint8Array(s*s*4).fill(128);
landmarker.detect(data, s, s);
let t=performance.now(); for (let i=0;i<20;i++) landmarker.detect(data, s, s); console.log("landmarker no face", s, (performance.now()-t)/20);
}
