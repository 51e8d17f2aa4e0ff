import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { loadImageModel, ModelMismatchError, modelIdFor, type ImageModelConfig } from "../../app/embedding/onnxModel";
import { decodeToSquare, toTensor, type TensorSpec } from "../../app/embedding/preprocess";
import { describeIf, hasShared, sharedPath } from "../helpers/requires";
import { tinyEmbeddingModel, type TinyModelSpec } from "./tinyOnnx";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "facet-onnx-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const WEIGHTS = [[1, 0, 0, 0.5], [0, 1, 0, -0.5], [0, 0, 1, 0.25]];

function writeModel(name: string, spec: Partial<TinyModelSpec>): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, tinyEmbeddingModel({ layout: "NHWC", size: 8, weights: WEIGHTS, ...spec }));
  return file;
}

async function testImage(): Promise<Buffer> {
  const px = Buffer.alloc(6 * 4 * 3);
  for (let i = 0; i < 24; i++) px.set([(i * 37) % 256, (i * 91) % 256, (i * 13) % 256], i * 3);
  return sharp(px, { raw: { width: 6, height: 4, channels: 3 } }).png().toBuffer();
}

/** What the tiny model must output: per-channel mean of the tensor, times W, L2-normalised. */
async function expectedVector(bytes: Buffer, spec: TensorSpec): Promise<number[]> {
  const t = toTensor(await decodeToSquare(bytes, spec.size), spec);
  const plane = spec.size * spec.size;
  const mean = [0, 1, 2].map((c) => {
    let s = 0;
    for (let p = 0; p < plane; p++) s += spec.layout === "NHWC" ? t[p * 3 + c] : t[c * plane + p];
    return s / plane;
  });
  const out = WEIGHTS[0].map((_, j) => mean[0] * WEIGHTS[0][j] + mean[1] * WEIGHTS[1][j] + mean[2] * WEIGHTS[2][j]);
  const n = Math.hypot(...out);
  return out.map((v) => v / n);
}

async function embedOne(config: ImageModelConfig, bytes: Buffer) {
  const model = await loadImageModel(config);
  try {
    const t = toTensor(await decodeToSquare(bytes, model.spec.size), model.spec);
    return { model, vector: Array.from((await model.embed(t, 1))[0]) };
  } finally {
    await model.close();
  }
}

describe("ONNX image model (a tiny model written in the test)", () => {
  it("reads names, layout and size from a Keras-style NHWC graph and runs with range -1..1", async () => {
    const file = writeModel("keras.onnx", { layout: "NHWC" });
    const bytes = await testImage();
    const { model, vector } = await embedOne({ path: file, range: "-1..1" }, bytes);
    expect(model).toMatchObject({ inputName: "image", outputName: "embedding", dim: 4, spec: { layout: "NHWC", size: 8, range: "-1..1" } });
    expect(model.id).toBe(modelIdFor(file));
    expect(model.id).toMatch(/^keras-[0-9a-f]{12}$/);
    const expected = await expectedVector(bytes, model.spec);
    vector.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
  });

  it("runs a PyTorch-style NCHW graph with ImageNet normalisation and custom names", async () => {
    const file = writeModel("torch.onnx", { layout: "NCHW", inputName: "input.1", outputName: "features" });
    const bytes = await testImage();
    const { model, vector } = await embedOne({ path: file }, bytes);
    expect(model).toMatchObject({ inputName: "input.1", outputName: "features", spec: { layout: "NCHW", size: 8, range: "imagenet" } });
    expect(model.notes.join(" ")).toContain("assuming \"imagenet\"");
    const expected = await expectedVector(bytes, model.spec);
    vector.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
  });

  it("embeds a batch: each row equals the image embedded alone", async () => {
    const model = await loadImageModel({ path: writeModel("batch.onnx", { layout: "NHWC" }), range: "0..255" });
    const a = await decodeToSquare(await testImage(), 8);
    const b = await decodeToSquare(await sharp({ create: { width: 5, height: 9, channels: 3, background: "#3366cc" } }).png().toBuffer(), 8);
    const batch = new Float32Array(2 * 8 * 8 * 3);
    toTensor(a, model.spec, batch, 0);
    toTensor(b, model.spec, batch, 1);
    const rows = await model.embed(batch, 2);
    const alone = (await model.embed(toTensor(b, model.spec), 1))[0];
    Array.from(rows[1]).forEach((v, i) => expect(v).toBeCloseTo(alone[i], 6));
    await model.close();
    // The session runs on a worker thread by default; on the calling thread it gives the same vectors.
    const inThread = await loadImageModel({ path: writeModel("batch.onnx", { layout: "NHWC" }), range: "0..255", worker: false });
    const same = await inThread.embed(batch, 2);
    Array.from(same[0]).forEach((v, i) => expect(v).toBeCloseTo(rows[0][i], 6));
    await inThread.close();
  });

  it("takes its size from the config when the graph leaves it symbolic, and a sidecar JSON config", async () => {
    const file = writeModel("symbolic.onnx", { layout: "NCHW", symbolicSize: true, outputName: "out" });
    fs.writeFileSync(`${file}.json`, JSON.stringify({ size: 16, range: "0..255", id: "my-model-v2" }));
    const model = await loadImageModel({ path: file });
    expect(model).toMatchObject({ id: "my-model-v2", outputName: "out", spec: { size: 16, layout: "NCHW", range: "0..255" } });
    await model.close();
  });

  it("says clearly when the model does not fit (names and shapes)", async () => {
    const file = writeModel("fit.onnx", { layout: "NHWC" });
    await expect(loadImageModel({ path: file, inputName: "pixels" })).rejects.toThrow(
      /no input "pixels".*inputs "image" float32\[N, 8, 8, 3\] and outputs "embedding" float32\[N, 4\]/,
    );
    await expect(loadImageModel({ path: file, outputName: "logits" })).rejects.toThrow(/no output "logits"/);
    await expect(loadImageModel({ path: file, layout: "NCHW" })).rejects.toThrow(/does not have 3 channels where NCHW puts them/);
    await expect(loadImageModel({ path: file, size: 224 })).rejects.toThrow(/configured size 224 but input "image" is \[N, 8, 8, 3\]/);
    await expect(loadImageModel({ path: path.join(dir, "absent.onnx") })).rejects.toBeInstanceOf(ModelMismatchError);
    fs.writeFileSync(path.join(dir, "garbage.onnx"), "not a model");
    await expect(loadImageModel({ path: path.join(dir, "garbage.onnx") })).rejects.toThrow(/cannot load .* as an ONNX model/);
  });
});

const SHARED_MODEL = "models/image/mobilenet_v2_1.0_224_quant.q.onnx";
describeIf(hasShared(SHARED_MODEL), "../shared/models/image", "shared MobileNetV2 model", () => {
  it("loads with its defaults (NHWC, 224, 0..255) and gives 1280-d vectors", async () => {
    const model = await loadImageModel({ path: sharedPath(SHARED_MODEL) });
    expect(model).toMatchObject({ inputName: "image", outputName: "embedding", dim: 1280, spec: { layout: "NHWC", size: 224, range: "0..255" } });
    expect(model.id).toBe("mobilenet_v2_1.0_224_quant.q-33b93c818971");
    await model.close();
  });
});
