// An lrnet-data detector plugin: face-api's 68-point landmark net (iBUG layout) behind its tiny face detector,
// on TensorFlow.js's WebAssembly backend, all in plain Node. The models ship inside @vladmandic/face-api.
//
//   cd examples/face-api-detector && npm ci
//   lrnet-data extract --video clip.mp4 --detector ./examples/face-api-detector/detector.mjs --out clip.txt
//   lrnet-data build --layout folder --root videos -o out --detector ./examples/face-api-detector/detector.mjs
//
// Settings (environment): FACE_API_INPUT_SIZE (the face detector's input, a multiple of 32, default 320),
// FACE_API_MIN_SCORE (default 0.3).
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/**
 * The factory lrnet-data calls once per worker (its type: lrnet-data's DetectorPluginFactory).
 * @type {import("lrnet-data").DetectorPluginFactory}
 */
export default async function createFaceApiSource() {
  // face-api's Node build for the wasm backend; it loads @tensorflow/tfjs and registers the wasm backend.
  const faceapi = require("@vladmandic/face-api/dist/face-api.node-wasm.js");
  const tf = faceapi.tf;
  const quiet = console.warn;
  console.warn = () => {}; // tfjs greets Node users with a hint about tfjs-node on stderr
  try {
    await tf.setBackend("wasm");
    await tf.ready();
  } finally {
    console.warn = quiet;
  }
  const modelDir = join(dirname(require.resolve("@vladmandic/face-api/package.json")), "model");
  await faceapi.nets.tinyFaceDetector.loadFromDisk(modelDir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  const inputSize = Number(process.env.FACE_API_INPUT_SIZE ?? 320);
  const minScore = Number(process.env.FACE_API_MIN_SCORE ?? 0.3);
  const options = new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold: minScore });
  const version = require("@vladmandic/face-api/package.json").version;

  return {
    name: "face-api-68",
    configuration: {
      package: `@vladmandic/face-api@${version}`,
      models: ["tiny_face_detector_model", "face_landmark_68_model"],
      backend: `tfjs-wasm@${tf.version_core ?? tf.version?.["tfjs-core"] ?? "?"}`,
      input_size: inputSize,
      min_score: minScore,
    },
    points: 68,
    input: "rgba",
    async open() {
      return {
        async detect(_index, frame) {
          const image = tf.tidy(() =>
            tf.tensor3d(frame.data, [frame.height, frame.width, 4], "int32").slice([0, 0, 0], [-1, -1, 3]),
          );
          try {
            const found = await faceapi.detectAllFaces(image, options).withFaceLandmarks();
            return found.map((face) => {
              const points = new Float64Array(136);
              face.landmarks.positions.forEach((p, i) => {
                points[2 * i] = p.x;
                points[2 * i + 1] = p.y;
              });
              const box = face.detection.box;
              return { points, score: face.detection.score, box: { x: box.x, y: box.y, width: box.width, height: box.height } };
            });
          } finally {
            image.dispose();
          }
        },
      };
    },
    async close() {},
  };
}
