import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "./helpers/paths.js";

const run = promisify(execFile);

const CONSUMER = `import { LrnetDataError, formatLrnetLine, guardSequence, toIbug68, validateDataset, type FaceObservation, type LandmarkSource } from "lrnet-data";

const face: FaceObservation = { points: new Float64Array(136).map((_, i) => 100 + i), score: 0.9 };
const source: LandmarkSource = {
  name: "fixed",
  configuration: { detector: "fixed" },
  points: 68,
  input: "none",
  guard: { minScore: 0.5, maxCenterShift: 0.5, minSizeRatio: 0.7, maxSizeRatio: 1.3 },
  open: async () => ({ detect: () => [face] }),
  close: async () => {},
};
const shape = toIbug68(face.points, source.points);
const plan = guardSequence([{ shape, score: face.score }, { shape: null, score: 0 }], source.guard!);
const error = await validateDataset("/nowhere/lrnet-data-consumer").then(() => null, (e: unknown) => e);
console.log(JSON.stringify({
  values: formatLrnetLine(shape).split(" ").length,
  statuses: plan.map((f) => f.status),
  userError: error instanceof LrnetDataError,
  exitCode: error instanceof LrnetDataError ? error.exitCode : null,
}));
`;

test("npm pack ships only what users need, and a TypeScript project compiles and runs against the packed package", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lrnet-pack-"));
  try {
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", dir], { cwd: repoRoot });
    const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    const files = packed!.files.map((f) => f.path);
    assert.ok(files.includes("dist/src/index.js") && files.includes("dist/src/index.d.ts"), "the API and its types ship");
    assert.ok(files.includes("layouts/ffpp.json") && files.includes("manifests/manifest.schema.json"), "layouts and schemas ship");
    assert.ok(files.includes("dist/src/calibrate/lk/lk.wasm"), "the wasm LK core ships");
    assert.ok(files.includes("dist/src/video/yuv.wasm"), "the wasm YUV converter ships");
    assert.ok(files.includes("point-maps/wflw-98.json") && files.includes("point-maps/mediapipe-contour-v2.json"), "the point maps ship");
    assert.deepEqual(files.filter((f) => /^dist\/(test|bench|scripts)\/|\.map$/.test(f)), [], "no tests, benches or source maps");

    // The consumer: the tarball unpacked as node_modules/lrnet-data, its dependencies taken from this checkout
    // (offline, and quick: nothing is downloaded or copied).
    const project = join(dir, "consumer");
    const modules = join(project, "node_modules");
    mkdirSync(join(modules, "lrnet-data"), { recursive: true });
    await run("tar", ["xzf", join(dir, packed!.filename), "-C", join(modules, "lrnet-data"), "--strip-components=1"]);
    for (const name of readdirSync(join(repoRoot, "node_modules"))) {
      if (name.startsWith(".") || name === "lrnet-data") continue;
      symlinkSync(join(repoRoot, "node_modules", name), join(modules, name));
    }
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, types: ["node"], skipLibCheck: false, outDir: "out" }, include: ["main.ts"] }),
    );
    writeFileSync(join(project, "main.ts"), CONSUMER);
    await run(process.execPath, [join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], { cwd: project });
    const result = await run(process.execPath, [join(project, "out", "main.js")], { cwd: project });
    assert.deepEqual(JSON.parse(result.stdout), { values: 136, statuses: ["detected", "held"], userError: true, exitCode: 1 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
