import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ByteBuffer } from "flatbuffers";
import { repoRoot } from "./helpers/paths.js";
import { crc32 } from "../src/model-bundle/crc32.js";
import { FlatTable, rootTable } from "../src/model-bundle/flatbuffer-reader.js";
import { float32Vector, int32, int8, ref, refs, serializeFlatBuffer, str, table, uint32 } from "../src/model-bundle/flatbuffer-writer.js";
import {
  LEFT_EYE_REFINEMENT,
  LEFT_IRIS_Z_FROM,
  LIPS_REFINEMENT,
  RIGHT_EYE_REFINEMENT,
  RIGHT_IRIS_Z_FROM,
} from "../src/model-bundle/landmark-layout.js";
import {
  buildOfflineBundle,
  DETECTOR_MEMBER,
  LANDMARKS_CONCAT_TENSOR,
  LANDMARKS_INDEX_TENSOR,
  LANDMARKS_MEMBER,
  offlineBundleFileName,
  offlineBundleVersion,
} from "../src/model-bundle/offline-bundle.js";
import { PACKED_MODEL_NAMES, parseLoaderManifest, readFaceMeshAssets } from "../src/model-bundle/packed-assets.js";
import { ModelResolveError, resolveModel, sha256Hex, type OfficialBundle } from "../src/model-bundle/resolve-model.js";
import { listZipEntries, readStoredMember, writeStoredZip } from "../src/model-bundle/stored-zip.js";
import { TfliteModelEditor, TfliteModelError, readTfliteModel, type TfliteModelView } from "../src/model-bundle/tflite-model.js";

const assets = readFaceMeshAssets();
const bundle = buildOfflineBundle(assets);
const detector = readTfliteModel(readStoredMember(bundle, DETECTOR_MEMBER));
const landmarks = readTfliteModel(readStoredMember(bundle, LANDMARKS_MEMBER));

/**
 * The bundle built from @mediapipe/face_mesh 0.4.1657299874. If the builder's output changes on
 * purpose, bump OFFLINE_BUILDER_VERSION (caches are keyed by it) and update this value.
 */
const PINNED = { faceMeshVersion: "0.4.1657299874", sha256: "280c008cb3aab259ed4fba8761fb81f4efe6984c197c3fa4e01a46277499f778" };

/** Reads tables through the flatbuffers runtime, independently of the project's own reader. */
class RuntimeTable {
  constructor(
    readonly bb: ByteBuffer,
    readonly pos: number,
  ) {}
  static root(bytes: Uint8Array): RuntimeTable {
    const bb = new ByteBuffer(bytes);
    return new RuntimeTable(bb, bb.readInt32(bb.position()) + bb.position());
  }
  private at(slot: number): number {
    const o = this.bb.__offset(this.pos, 4 + 2 * slot);
    return o === 0 ? 0 : this.pos + o;
  }
  u8(slot: number): number {
    const p = this.at(slot);
    return p === 0 ? 0 : this.bb.readUint8(p);
  }
  i32(slot: number): number {
    const p = this.at(slot);
    return p === 0 ? 0 : this.bb.readInt32(p);
  }
  string(slot: number): string | null {
    const p = this.at(slot);
    return p === 0 ? null : (this.bb.__string(p) as string);
  }
  table(slot: number): RuntimeTable {
    const p = this.at(slot);
    assert.notEqual(p, 0, `field ${slot} is absent`);
    return new RuntimeTable(this.bb, this.bb.__indirect(p));
  }
  tables(slot: number): RuntimeTable[] {
    const p = this.at(slot);
    if (p === 0) return [];
    const start = this.bb.__vector(p);
    return Array.from({ length: this.bb.__vector_len(p) }, (_, i) => new RuntimeTable(this.bb, this.bb.__indirect(start + 4 * i)));
  }
  numbers(slot: number, read: "readInt32" | "readFloat32"): number[] {
    const p = this.at(slot);
    if (p === 0) return [];
    const start = this.bb.__vector(p);
    return Array.from({ length: this.bb.__vector_len(p) }, (_, i) => this.bb[read](start + 4 * i));
  }
}

test("two builds give identical bytes, pinned for this face_mesh version", () => {
  const again = buildOfflineBundle(assets);
  assert.equal(Buffer.compare(bundle, again), 0);
  assert.equal(sha256Hex(again), sha256Hex(bundle));
  assert.equal(offlineBundleFileName(offlineBundleVersion(assets)), `lrnet-offline-face-landmarker-v1-fm${assets.packageVersion}.task`);
  if (assets.packageVersion === PINNED.faceMeshVersion) assert.equal(sha256Hex(bundle), PINNED.sha256);
});

test("the bundle is a zip of the two models, stored, fixed dates, aligned data", () => {
  const entries = listZipEntries(bundle);
  assert.deepEqual(entries.map((e) => e.name), [DETECTOR_MEMBER, LANDMARKS_MEMBER]);
  for (const e of entries) {
    assert.equal(e.method, 0, `${e.name} is stored`);
    assert.equal(e.compressedSize, e.size);
    assert.equal(e.dataOffset % 64, 0, `${e.name} data is 64-byte aligned`);
    assert.equal(crc32(bundle.subarray(e.dataOffset, e.dataOffset + e.size)), e.crc32);
    assert.deepEqual([e.dosDate, e.dosTime], [0x21, 0]);
  }
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
});

function metadataOf(model: TfliteModelView): RuntimeTable {
  const data = model.metadataData("TFLITE_METADATA");
  assert.ok(data, "model carries TFLITE_METADATA");
  assert.ok(new ByteBuffer(data).__has_identifier("M001"), "metadata has file identifier M001");
  assert.equal(data.byteOffset % 16, 0, "metadata buffer is 16-byte aligned");
  return RuntimeTable.root(data);
}

for (const [name, model, mean, std] of [
  ["detector", detector, 127.5, 127.5],
  ["landmark model", landmarks, 0, 255],
] as const) {
  test(`the ${name}'s metadata parses back: RGB image input, mean ${mean} / std ${std}`, () => {
    const meta = metadataOf(model);
    assert.equal(meta.string(7), "1.0.0");
    const [subgraph, ...rest] = meta.tables(3);
    assert.equal(rest.length, 0);
    const inputs = subgraph!.tables(2);
    assert.equal(inputs.length, 1);
    assert.equal(inputs[0]!.string(0), model.tensor(model.inputs[0]!).name);
    const content = inputs[0]!.table(3);
    assert.equal(content.u8(0), 2, "content is ImageProperties");
    assert.equal(content.table(1).u8(0), 1, "colour space RGB");
    const [unit] = inputs[0]!.tables(4);
    assert.equal(unit!.u8(0), 1, "process unit is NormalizationOptions");
    assert.deepEqual(unit!.table(1).numbers(0, "readFloat32"), [mean]);
    assert.deepEqual(unit!.table(1).numbers(1, "readFloat32"), [std]);
    assert.equal(subgraph!.tables(3).length, model.outputs.length, "one output metadata per model output");
  });
}

test("the detector keeps its graph: same inputs, outputs and operators as the source", () => {
  const source = readTfliteModel(assets.file(PACKED_MODEL_NAMES.detector));
  assert.deepEqual(detector.outputs, source.outputs);
  assert.deepEqual(detector.tensors(), source.tensors());
  assert.equal(detector.operatorCount, source.operatorCount);
});

test("the landmark model outputs [1,1,1,1434] landmarks first and the face flag second", () => {
  // Read through the flatbuffers runtime: Model.subgraphs[0].outputs / tensors.
  const model = RuntimeTable.root(readStoredMember(bundle, LANDMARKS_MEMBER));
  const subgraph = model.tables(2)[0]!;
  const tensors = subgraph.tables(0);
  const outputs = subgraph.numbers(2, "readInt32").map((i) => tensors[i]!);
  assert.equal(outputs.length, 2);
  assert.deepEqual(outputs[0]!.numbers(0, "readInt32"), [1, 1, 1, 1434]);
  assert.equal(outputs[0]!.u8(1), 0, "float32");
  assert.equal(outputs[1]!.string(3), "conv_faceflag");
  assert.deepEqual(outputs[1]!.numbers(0, "readInt32"), [1, 1, 1, 1]);

  const ops = landmarks.operators();
  const codes = landmarks.operatorCodes();
  const [concat, gather] = ops.slice(-2);
  assert.equal(codes[concat!.opcodeIndex]!.builtinCode, 2);
  assert.equal(codes[gather!.opcodeIndex]!.builtinCode, 36);
  assert.deepEqual([concat!.optionsType, gather!.optionsType], [10, 23]);
  assert.equal(concat!.options!.int32(0), 3, "concatenation axis");
  assert.equal(gather!.options!.int32(0), 3, "gather axis");
  const names = (ids: number[]): string[] => ids.map((i) => landmarks.tensor(i).name);
  assert.deepEqual(names(concat!.inputs), [
    "output_mesh_identity",
    "output_lips",
    "output_left_eye",
    "output_right_eye",
    "output_left_iris",
    "output_right_iris",
  ]);
  assert.deepEqual(names(concat!.outputs), [LANDMARKS_CONCAT_TENSOR]);
  assert.deepEqual(landmarks.tensor(concat!.outputs[0]!).shape, [1, 1, 1, 1868]);
  assert.deepEqual(names(gather!.inputs), [LANDMARKS_CONCAT_TENSOR, LANDMARKS_INDEX_TENSOR]);
  assert.deepEqual(gather!.outputs, [landmarks.outputs[0]]);
});

test("gather indices: refined points take x,y from their refinement, z from the mesh; irises appended", () => {
  const indexTensor = landmarks.tensorByName(LANDMARKS_INDEX_TENSOR);
  assert.deepEqual(indexTensor.shape, [1434]);
  assert.equal(indexTensor.type, 2, "int32");
  const data = landmarks.bufferData(indexTensor.buffer);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const idx = Array.from({ length: 1434 }, (_, i) => view.getInt32(4 * i, true));
  const point = (p: number): number[] => idx.slice(3 * p, 3 * p + 3);

  const MESH = 0, LIPS = 1404, LEFT_EYE = 1564, RIGHT_EYE = 1706, LEFT_IRIS = 1848, RIGHT_IRIS = 1858;
  assert.deepEqual(point(61), [LIPS, LIPS + 1, MESH + 3 * 61 + 2], "mesh 61 takes lips point 0");
  assert.deepEqual(point(0), [LIPS + 2 * 15, LIPS + 2 * 15 + 1, 2], "mesh 0 takes lips point 15");
  assert.deepEqual(point(33), [LEFT_EYE, LEFT_EYE + 1, 3 * 33 + 2], "mesh 33 takes left-eye point 0");
  assert.deepEqual(point(263), [RIGHT_EYE, RIGHT_EYE + 1, 3 * 263 + 2], "mesh 263 takes right-eye point 0");
  assert.deepEqual(point(1), [3, 4, 5], "unrefined mesh point 1 is the mesh's own");
  assert.deepEqual(point(468), [LEFT_IRIS, LEFT_IRIS + 1, 3 * LEFT_IRIS_Z_FROM + 2], "first left iris point");
  assert.deepEqual(point(477), [RIGHT_IRIS + 8, RIGHT_IRIS + 9, 3 * RIGHT_IRIS_Z_FROM + 2], "last right iris point");

  for (const [offset, map] of [[LIPS, LIPS_REFINEMENT], [LEFT_EYE, LEFT_EYE_REFINEMENT], [RIGHT_EYE, RIGHT_EYE_REFINEMENT]] as const) {
    map.forEach((mesh, k) => assert.deepEqual(point(mesh), [offset + 2 * k, offset + 2 * k + 1, 3 * mesh + 2]));
  }
  const refined = new Set([...LIPS_REFINEMENT, ...LEFT_EYE_REFINEMENT, ...RIGHT_EYE_REFINEMENT]);
  for (let p = 0; p < 468; p++) if (!refined.has(p)) assert.deepEqual(point(p), [3 * p, 3 * p + 1, 3 * p + 2]);
  assert.ok(idx.every((i) => i >= 0 && i < 1868));
});

const sharedMaps = resolve(repoRoot, "..", "shared", "docs", "mediapipe-refinement-maps.json");
test("the refinement maps match the shared reference", { skip: existsSync(sharedMaps) ? false : "../shared/docs is not beside this checkout" }, () => {
  const maps = JSON.parse(readFileSync(sharedMaps, "utf8")) as Record<string, number[]>;
  assert.deepEqual([...LIPS_REFINEMENT], maps.lips);
  assert.deepEqual([...LEFT_EYE_REFINEMENT], maps.left_eye);
  assert.deepEqual([...RIGHT_EYE_REFINEMENT], maps.right_eye);
});

for (const name of Object.values(PACKED_MODEL_NAMES)) {
  test(`an unmodified round trip keeps ${name} intact`, () => {
    const source = assets.file(name);
    const rebuilt = new TfliteModelEditor(source).toBytes();
    const base = rebuilt.length - source.length;
    assert.equal(base % 64, 0);
    assert.equal(Buffer.compare(rebuilt.subarray(base), source), 0, "source bytes are embedded verbatim");
    const a = readTfliteModel(source);
    const b = readTfliteModel(rebuilt);
    assert.deepEqual(
      [b.version, b.description, b.subgraphCount, b.subgraphName, b.inputs, b.outputs],
      [a.version, a.description, a.subgraphCount, a.subgraphName, a.inputs, a.outputs],
    );
    assert.deepEqual(b.tensors(), a.tensors());
    assert.deepEqual(b.operatorCodes(), a.operatorCodes());
    assert.deepEqual(b.metadata(), a.metadata());
    const opsA = a.operators();
    const opsB = b.operators();
    assert.equal(opsB.length, opsA.length);
    opsB.forEach((op, i) => {
      const { options: oa, ...restA } = opsA[i]!;
      const { options: ob, ...restB } = op;
      assert.deepEqual(restB, restA);
      // Option tables (every union member, known or not) are the very same bytes of the embedded copy.
      assert.equal(ob === null ? null : ob.pos - base, oa === null ? null : oa.pos);
    });
    assert.equal(b.bufferCount, a.bufferCount);
    for (let i = 0; i < a.bufferCount; i++) {
      const da = a.bufferData(i);
      const db = b.bufferData(i);
      assert.equal(Buffer.compare(db, da), 0, `buffer ${i}`);
      if (da.length > 0) assert.equal((db.byteOffset - base) % 64, da.byteOffset % 64, `buffer ${i} keeps its alignment`);
    }
  });
}

test("the editor refuses a Model table with a field it does not know", () => {
  const subgraph = table([ref(0, refs([])), ref(4, str("g"))]);
  const known = serializeFlatBuffer(table([uint32(0, 3), ref(2, refs([subgraph]))]), { identifier: "TFL3" });
  assert.equal(readTfliteModel(new TfliteModelEditor(known).toBytes()).subgraphName, "g");
  const future = serializeFlatBuffer(table([uint32(0, 3), ref(2, refs([table([ref(4, str("g"))])])), int32(9, 1)]), { identifier: "TFL3" });
  assert.throws(() => new TfliteModelEditor(future), (e: unknown) => e instanceof TfliteModelError && /field\(s\) 9/.test(e.message));
  assert.throws(() => readTfliteModel(new Uint8Array(16)), TfliteModelError);
});

test("the flatbuffer writer's layout reads back through the flatbuffers runtime", () => {
  const bytes = serializeFlatBuffer(
    table([int8(0, -5), ref(1, str("héllo")), uint32(2, 4_000_000_000), ref(3, float32Vector([0.5, -2])), ref(4, refs([table([int32(0, 7)])]))]),
    { identifier: "TEST" },
  );
  const t = RuntimeTable.root(bytes);
  assert.ok(new ByteBuffer(bytes).__has_identifier("TEST"));
  assert.equal(t.bb.readInt8(t.pos + t.bb.__offset(t.pos, 4)), -5);
  assert.equal(t.string(1), "héllo");
  assert.equal(t.bb.readUint32(t.pos + t.bb.__offset(t.pos, 8)), 4_000_000_000);
  assert.deepEqual(t.numbers(3, "readFloat32"), [0.5, -2]);
  assert.equal(t.tables(4)[0]!.i32(0), 7);
  const own: FlatTable = rootTable(bytes, "TEST");
  assert.deepEqual([own.int8(0), own.string(1), own.uint32(2), own.float32Vector(3)], [-5, "héllo", 4_000_000_000, [0.5, -2]]);
});

test("packed assets: byte ranges come from the loader's manifest", () => {
  const manifest = parseLoaderManifest('x; loadPackage({"files": [{"filename": "/a/b.tflite", "start": 0, "end": 8}], "remote_package_size": 8, "package_uuid": "u"}); })();');
  assert.deepEqual(manifest, { files: [{ filename: "/a/b.tflite", start: 0, end: 8 }], packageSize: 8 });
  assert.throws(() => parseLoaderManifest("nothing here"), /no loadPackage/);
  for (const name of Object.values(PACKED_MODEL_NAMES)) {
    assert.equal(new TextDecoder().decode(assets.file(name).subarray(4, 8)), "TFL3", name);
  }
});

// ---- resolve order ----

function fakeBundle(tag: string): Uint8Array {
  return writeStoredZip([
    { name: DETECTOR_MEMBER, data: new TextEncoder().encode(`detector ${tag}`) },
    { name: LANDMARKS_MEMBER, data: new TextEncoder().encode(`landmarks ${tag}`) },
  ]);
}

function withTempDir(run: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "lrnet-model-test-"));
    try {
      await run(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

async function serve(routes: Record<string, Uint8Array>): Promise<{ server: Server; base: string; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? "");
    const body = routes[req.url ?? ""];
    if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200, { "content-length": body.length }).end(body);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const address = server.address();
  assert.ok(address !== null && typeof address === "object");
  return { server, base: `http://127.0.0.1:${address.port}`, hits };
}

test(
  "resolve order: explicit path, then env, then cached official bundle, then the offline default",
  withTempDir(async (dir) => {
    const explicitPath = join(dir, "explicit.task");
    const envPath = join(dir, "env.task");
    const cacheDir = join(dir, "cache");
    writeFileSync(explicitPath, fakeBundle("explicit"));
    writeFileSync(envPath, fakeBundle("env"));
    const cachedBytes = fakeBundle("official");
    const official: OfficialBundle = { url: "http://127.0.0.1:9/never", sha256: sha256Hex(cachedBytes), fileName: "official.task" };
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(join(cacheDir, "official.task"), cachedBytes);
    const env = { LRNET_DATA_MODEL: envPath, LRNET_DATA_CACHE: cacheDir };

    const explicit = await resolveModel({ modelPath: explicitPath, env, official });
    assert.deepEqual([explicit.source, explicit.path, explicit.sha256], ["explicit", explicitPath, sha256Hex(fakeBundle("explicit"))]);
    const fromEnv = await resolveModel({ env, official });
    assert.deepEqual([fromEnv.source, fromEnv.path], ["env", envPath]);
    const cached = await resolveModel({ env: { LRNET_DATA_CACHE: cacheDir }, official });
    assert.deepEqual([cached.source, cached.path, cached.sha256], ["cache", join(cacheDir, "official.task"), official.sha256]);

    // A cached official file that fails its checksum is ignored: the offline default is built.
    writeFileSync(join(cacheDir, "official.task"), fakeBundle("tampered"));
    const offline = await resolveModel({ env: { LRNET_DATA_CACHE: cacheDir }, official });
    assert.equal(offline.source, "offline");
    assert.equal(offline.path, join(cacheDir, offlineBundleFileName(offlineBundleVersion(assets))));
    assert.equal(offline.sha256, sha256Hex(bundle));
    assert.equal(sha256Hex(readFileSync(offline.path)), offline.sha256);
    assert.equal(readFileSync(`${offline.path}.sha256`, "utf8").trim(), offline.sha256);

    const before = statSync(offline.path);
    const reused = await resolveModel({ env: { LRNET_DATA_CACHE: cacheDir }, official });
    assert.equal(reused.sha256, offline.sha256);
    assert.equal(statSync(reused.path).mtimeMs, before.mtimeMs, "a verified cached build is reused, not rewritten");

    writeFileSync(offline.path, new Uint8Array([1, 2, 3]));
    const rebuilt = await resolveModel({ env: { LRNET_DATA_CACHE: cacheDir }, official });
    assert.equal(sha256Hex(readFileSync(rebuilt.path)), sha256Hex(bundle), "a damaged cached build is rebuilt");
  }),
);

test(
  "cache folder: LRNET_DATA_CACHE, else XDG_CACHE_HOME/lrnet-data, else ~/.cache/lrnet-data",
  withTempDir(async (dir) => {
    const cachedBytes = fakeBundle("official");
    const official: OfficialBundle = { url: "http://127.0.0.1:9/never", sha256: sha256Hex(cachedBytes), fileName: "official.task" };
    for (const folder of [join(dir, "xdg", "lrnet-data"), join(dir, "home", ".cache", "lrnet-data")]) {
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, "official.task"), cachedBytes);
    }
    const xdg = await resolveModel({ env: { XDG_CACHE_HOME: join(dir, "xdg") }, homeDir: join(dir, "home"), official });
    assert.equal(xdg.path, join(dir, "xdg", "lrnet-data", "official.task"));
    const home = await resolveModel({ env: {}, homeDir: join(dir, "home"), official });
    assert.equal(home.path, join(dir, "home", ".cache", "lrnet-data", "official.task"));
  }),
);

test("explicit paths that are missing or not bundles fail with one line naming the file", withTempDir(async (dir) => {
  const missing = join(dir, "missing.task");
  await assert.rejects(resolveModel({ modelPath: missing, env: {} }), (e: unknown) =>
    e instanceof ModelResolveError && e.message.includes(missing) && !e.message.includes("\n"));
  const notZip = join(dir, "model.tflite");
  writeFileSync(notZip, "TFL3 not a zip");
  await assert.rejects(resolveModel({ env: { LRNET_DATA_MODEL: notZip } }), /LRNET_DATA_MODEL: .*model\.tflite is not a \.task bundle/);
  const wrongZip = join(dir, "other.task");
  writeFileSync(wrongZip, writeStoredZip([{ name: "x.txt", data: new Uint8Array(1) }]));
  await assert.rejects(resolveModel({ modelPath: wrongZip }), /lacks face_detector\.tflite and face_landmarks_detector\.tflite/);
}));

test("download: only when asked, checksum enforced, one clear line when unreachable", withTempDir(async (dir) => {
  const good = fakeBundle("official");
  const { server, base, hits } = await serve({ "/good.task": good, "/bad.task": fakeBundle("impostor") });
  try {
    const env = { LRNET_DATA_CACHE: join(dir, "cache") };
    const spec = (path: string): OfficialBundle => ({ url: `${base}${path}`, sha256: sha256Hex(good), size: good.length, fileName: "official.task" });

    const notAsked = await resolveModel({ env, official: spec("/good.task") });
    assert.equal(notAsked.source, "offline");
    assert.deepEqual(hits, [], "nothing is fetched unless asked");

    await assert.rejects(resolveModel({ env, official: spec("/bad.task"), download: true }), (e: unknown) =>
      e instanceof ModelResolveError && /sha256 [0-9a-f]{64}, expected [0-9a-f]{64}: refused/.test(e.message));
    assert.equal(existsSync(join(dir, "cache", "official.task")), false, "a refused download is not written");

    const downloaded = await resolveModel({ env: { ...env, LRNET_DATA_DOWNLOAD_MODEL: "1" }, official: spec("/good.task") });
    assert.deepEqual([downloaded.source, downloaded.sha256], ["download", sha256Hex(good)]);
    assert.equal(Buffer.compare(readFileSync(join(dir, "cache", "official.task")), good), 0);
    const again = await resolveModel({ env, official: spec("/good.task"), download: true });
    assert.equal(again.source, "cache", "a verified download is not fetched again");

    await assert.rejects(resolveModel({ env, official: { ...spec("/missing.task"), fileName: "x.task" }, download: true }), /HTTP 404/);
  } finally {
    await new Promise((ok) => server.close(ok));
  }
  // A port nothing listens on refuses connections, like a machine without network.
  const closed = await serve({});
  await new Promise((ok) => closed.server.close(ok));
  await assert.rejects(
    resolveModel({ env: { LRNET_DATA_CACHE: join(dir, "cache2") }, official: { url: `${closed.base}/good.task`, sha256: "0".repeat(64), fileName: "o.task" }, download: true }),
    (e: unknown) => e instanceof ModelResolveError && /^cannot download http:\/\/127\.0\.0\.1:\d+\/good\.task \(ECONNREFUSED\): offline\?/.test(e.message) && !e.message.includes("\n"),
  );
}));
