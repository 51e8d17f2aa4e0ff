import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { rawDb } from "../../app/db.server";
import { COLOUR_MODEL_ID } from "../../app/embedding/colour";
import { NO_MODEL_NOTE, runEmbed } from "../../app/embedding/embedPipeline.server";
import { loadImageModel } from "../../app/embedding/onnxModel";
import { poolProductVector } from "../../app/embedding/pool";
import { decodeToSquare, toTensor } from "../../app/embedding/preprocess";
import { augmentWithNeighbours } from "../../app/embedding/augment";
import { activeVisualModel, loadVisualSearch, visualKey, visualVectors } from "../../app/embedding/search.server";
import { SPACE_VERSION, toSearchSpace } from "../../app/embedding/space";
import embedJob from "../../app/jobs/embed.server";
import { loadCatalog } from "../../app/models/catalog.server";
import { loadEmbeddings, visualStatus } from "../../app/models/embedding.server";
import { imageStates } from "../../app/models/productImage.server";
import { BadJobInput } from "../../app/queues/jobs";
import { useTempDatabase } from "../helpers/db";
import { GOLD, insertProducts, ringImage, ROSE, setSetting, SILVER } from "./fixtures";
import { tinyEmbeddingModel } from "./tinyOnnx";

delete process.env.IMAGE_MODEL_PATH; // these tests choose their model explicitly
const { dir } = useTempDatabase();
const SHOP = "pipeline.myshopify.com";
let shopDir = "";

const shade = (rgb: [number, number, number], f: number) => rgb.map((c) => Math.min(255, Math.round(c * f))) as [number, number, number];

beforeAll(async () => {
  shopDir = path.join(dir(), "shop");
  fs.mkdirSync(path.join(shopDir, "img"), { recursive: true });
  const write = async (name: string, buf: Promise<Buffer>) => fs.writeFileSync(path.join(shopDir, "img", name), await buf);
  await write("g1.png", ringImage(GOLD));
  await write("g1b.png", ringImage(shade(GOLD, 0.9), { width: 30, height: 40 }));
  await write("g2.png", ringImage(shade(GOLD, 1.05), { width: 40, height: 40, alpha: true }));
  await write("g3.png", ringImage(shade(GOLD, 0.95), { width: 36, height: 50 }));
  await write("r1.png", ringImage(ROSE));
  await write("r2.png", ringImage(shade(ROSE, 1.05), { width: 50, height: 30 }));
  await write("s1.png", ringImage(SILVER));
  await write("s2.png", ringImage(shade(SILVER, 0.9), { width: 30, height: 44 }));
  insertProducts(SHOP, [
    { id: "G1", imageUrl: "img/g1.png", additionalImages: "img/g1b.png" },
    { id: "G2", imageUrl: "img/g2.png", category: "necklaces" },
    { id: "G3", imageUrl: "img/g3.png", stockStatus: "out_of_stock" },
    { id: "R1", imageUrl: "img/r1.png" },
    { id: "R2", imageUrl: "img/r2.png" },
    { id: "S1", imageUrl: path.join(shopDir, "img/s1.png") }, // absolute path
    { id: "S2", imageUrl: "img/s2.png" },
    { id: "M1", imageUrl: "img/missing.png" },
  ]);
  setSetting(SHOP, "import.dir", shopDir);
});

async function neighbours(productId: string, k = 3): Promise<string[]> {
  const catalog = loadCatalog(SHOP);
  const search = (await loadVisualSearch(SHOP, catalog))!;
  const item = catalog.index.get(productId)!;
  return search.search(search.vector(item)!, k, new Set([item])).map((h) => catalog.ids[h.item]);
}

function createdAt(modelId: string): Map<string, string> {
  const rows = rawDb().prepare(`SELECT productId, createdAt FROM ProductEmbedding WHERE shop = ? AND modelId = ?`).all(SHOP, modelId) as { productId: string; createdAt: string }[];
  return new Map(rows.map((r) => [r.productId, r.createdAt]));
}

describe("embed pipeline without an image model (colour descriptor only)", () => {
  it("embeds every product with an image, records the failed one with its reason, and says once that only colour is used", async () => {
    const logs: string[] = [];
    const r = await runEmbed({ shop: SHOP, log: (m) => logs.push(m) });
    expect(r).toMatchObject({ products: 8, embedded: 7, withoutImage: 1, images: 9, imagesDecoded: 8, imagesFailed: 1, model: null, note: NO_MODEL_NOTE });
    expect(r.failures).toEqual([{ productId: "M1", position: 0, url: "img/missing.png", reason: `file not found: ${path.join(shopDir, "img/missing.png")}` }]);
    expect(logs.filter((l) => l === NO_MODEL_NOTE)).toHaveLength(1);
    expect(visualStatus(SHOP)).toMatchObject({ kind: "colour", modelId: COLOUR_MODEL_ID, note: NO_MODEL_NOTE });
    expect(activeVisualModel(SHOP)).toEqual({ modelId: COLOUR_MODEL_ID, kind: "colour", dim: 112, colourWeight: 1, centre: null, augment: 0 });
    expect(imageStates(SHOP).get("M1")).toMatchObject([{ status: "failed", error: expect.stringContaining("file not found") }]);
    expect(imageStates(SHOP).get("G1")!.map((s) => s.status)).toEqual(["ok", "ok"]);
    expect(r.index).toMatchObject({ total: 7, rebuilt: true });
    expect(fs.existsSync(path.join(dir(), "data", "index", SHOP, `${COLOUR_MODEL_ID}.hnsw`))).toBe(true);
    expect(fs.existsSync(path.join(dir(), "data", "index", SHOP, `${COLOUR_MODEL_ID}.ids.json`))).toBe(true);
  });

  it("puts products of the same metal next to each other", async () => {
    expect(new Set((await neighbours("G1", 2)))).toEqual(new Set(["G2", "G3"]));
    expect((await neighbours("R1", 1))).toEqual(["R2"]);
    expect((await neighbours("S2", 1))).toEqual(["S1"]);
    const catalog = loadCatalog(SHOP);
    const search = (await loadVisualSearch(SHOP, catalog))!;
    expect(search.vector(catalog.index.get("M1")!)).toBeNull();
    expect(search.note).toContain("colour descriptor only");
  });

  it("skips unchanged products and retries the failed image on the next run", async () => {
    const before = createdAt(COLOUR_MODEL_ID);
    const again = await runEmbed({ shop: SHOP, log: () => undefined });
    expect(again).toMatchObject({ embedded: 0, unchanged: 7, withoutImage: 1, imagesFailed: 1 });
    expect(createdAt(COLOUR_MODEL_ID)).toEqual(before);
    fs.copyFileSync(path.join(shopDir, "img/s2.png"), path.join(shopDir, "img/missing.png"));
    const fixed = await runEmbed({ shop: SHOP, log: () => undefined });
    expect(fixed).toMatchObject({ embedded: 1, unchanged: 7, imagesFailed: 0 });
    expect(fixed.index).toMatchObject({ added: 1, updated: 0, removed: 0, rebuilt: false });
    expect(imageStates(SHOP).get("M1")).toMatchObject([{ status: "ok", error: null }]);
  });

  it("re-embeds exactly the product whose image changed", async () => {
    const before = createdAt(COLOUR_MODEL_ID);
    const vecBefore = loadEmbeddings(SHOP, COLOUR_MODEL_ID);
    fs.writeFileSync(path.join(shopDir, "img/g3.png"), await ringImage(SILVER, { width: 36, height: 50 }));
    const r = await runEmbed({ shop: SHOP, log: () => undefined });
    expect(r).toMatchObject({ embedded: 1, unchanged: 7 });
    expect(r.index).toMatchObject({ added: 0, updated: 1, removed: 0 });
    const after = createdAt(COLOUR_MODEL_ID);
    const vecAfter = loadEmbeddings(SHOP, COLOUR_MODEL_ID);
    const changed = [...after.keys()].filter((id) => after.get(id) !== before.get(id) || Buffer.compare(Buffer.from(vecAfter.get(id)!.vector.buffer), Buffer.from(vecBefore.get(id)!.vector.buffer)) !== 0);
    expect(changed).toEqual(["G3"]);
    expect((await neighbours("G3", 1))[0]).toMatch(/^S/);
  });

  it("patches the index for the products of a webhook-style run (productIds) without a full sync", async () => {
    fs.writeFileSync(path.join(shopDir, "img/s2.png"), await ringImage(ROSE, { width: 30, height: 44 }));
    const r = await runEmbed({ shop: SHOP, productIds: ["S2"], log: () => undefined });
    expect(r).toMatchObject({ products: 1, embedded: 1 });
    expect(r.index).toMatchObject({ added: 0, updated: 1, removed: 0, rebuilt: false, total: 8 });
    expect((await neighbours("S2", 1))[0]).toMatch(/^R/);
    // The patched index is current: loading it for serving does not sync again.
    const { refreshVisualIndex } = await import("../../app/embedding/search.server");
    expect(refreshVisualIndex(SHOP)).toMatchObject({ added: 0, updated: 0, removed: 0, ms: 0 });
  });

  it("drops deleted products from the index", async () => {
    rawDb().prepare(`UPDATE Product SET deletedAt = ? WHERE shop = ? AND id = 'R2'`).run(new Date().toISOString(), SHOP);
    const r = await runEmbed({ shop: SHOP, log: () => undefined });
    expect(r.index).toMatchObject({ removed: 1, total: 7 });
    expect(await neighbours("R1", 6)).not.toContain("R2");
    rawDb().prepare(`UPDATE Product SET deletedAt = NULL WHERE shop = ? AND id = 'R2'`).run(SHOP);
  });
});

describe("embed pipeline with an ONNX model", () => {
  let modelFile = "";
  beforeAll(() => {
    modelFile = path.join(dir(), "tiny.onnx");
    fs.writeFileSync(modelFile, tinyEmbeddingModel({ layout: "NHWC", size: 16, weights: [[1, 0, 0.2, 0], [0, 1, 0, 0.3], [0.1, 0, 1, 1]] }));
  });

  it("stores the model's pooled product vectors under the model id, and serves model + colour", async () => {
    const r = await runEmbed({ shop: SHOP, modelPath: modelFile, modelConfig: { range: "-1..1" }, log: () => undefined });
    expect(r.model).toMatchObject({ dim: 4, layout: "NHWC", size: 16, range: "-1..1" });
    expect(r).toMatchObject({ embedded: 8, imagesFailed: 0 });
    const stored = loadEmbeddings(SHOP, r.model!.id);
    expect([...stored.keys()].sort()).toEqual(["G1", "G2", "G3", "M1", "R1", "R2", "S1", "S2"]);

    // G1 has two images: the stored vector is their pooled embedding (primary image weighted 2).
    const model = await loadImageModel({ path: modelFile, range: "-1..1" });
    const one = async (f: string) => (await model.embed(toTensor(await decodeToSquare(fs.readFileSync(path.join(shopDir, "img", f)), 16), model.spec), 1))[0];
    const expected = poolProductVector([await one("g1.png"), await one("g1b.png")], [0, 1])!;
    await model.close();
    Array.from(stored.get("G1")!.vector).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));

    // 8 products are too few to measure the colour weight on (fusion.ts MIN_PRODUCTS): the default, said so in the status.
    // ... and too few to fit a catalogue centre on (space.ts MIN_CENTRE_PRODUCTS): no centring.
    expect(activeVisualModel(SHOP)).toEqual({ modelId: r.model!.id, kind: "onnx", dim: 4, colourWeight: 0.2, centre: null, augment: 0 });
    expect(visualStatus(SHOP)?.fusion?.chosenBy).toBe("default");
    const catalog = loadCatalog(SHOP);
    const search = (await loadVisualSearch(SHOP, catalog))!;
    expect(search).toMatchObject({ kind: "onnx", modelId: r.model!.id, dim: 4 + 112, note: null });
  });

  it("embeds nothing again when nothing changed", async () => {
    const r = await runEmbed({ shop: SHOP, modelPath: modelFile, modelConfig: { range: "-1..1" }, log: () => undefined });
    expect(r).toMatchObject({ embedded: 0, unchanged: 8 });
  });

  it("runs as the embed job with progress, and fails as bad input for a model that does not fit", async () => {
    const fractions: number[] = [];
    const ctx = { jobId: "t", attempt: 1, progress: (f: number) => void fractions.push(f), log: () => undefined };
    const result = (await embedJob({ shop: SHOP, modelPath: modelFile, force: true }, ctx)) as { embedded: number };
    expect(result.embedded).toBe(8);
    expect(fractions.length).toBeGreaterThan(0);
    expect(Math.max(...fractions)).toBeGreaterThanOrEqual(0.95);
    fs.writeFileSync(path.join(dir(), "bad.onnx"), "nope");
    await expect(embedJob({ shop: SHOP, modelPath: path.join(dir(), "bad.onnx") }, ctx)).rejects.toBeInstanceOf(BadJobInput);
  });
});

describe("the image model's space on a catalogue large enough to centre (space.ts)", () => {
  const BIG = "centre.myshopify.com";
  let modelFile = "";
  beforeAll(async () => {
    modelFile = path.join(dir(), "tiny-centre.onnx");
    fs.writeFileSync(modelFile, tinyEmbeddingModel({ layout: "NHWC", size: 16, weights: [[1, 0, 0.2, 0], [0, 1, 0, 0.3], [0.1, 0, 1, 1]] }));
    const metals = [GOLD, ROSE, SILVER];
    const products = [];
    for (let i = 0; i < 24; i++) {
      const name = `c${i}.png`;
      fs.writeFileSync(path.join(shopDir, "img", name), await ringImage(shade(metals[i % 3], 0.85 + 0.01 * i), { width: 30 + i, height: 40 }));
      products.push({ id: `C${i}`, imageUrl: `img/${name}`, category: ["gold", "rose", "silver"][i % 3] });
    }
    insertProducts(BIG, products);
    setSetting(BIG, "import.dir", shopDir);
  });

  it("fits the centre on the shop's products, names it in the index key, serves vectors in that space, and keeps it when little changed", async () => {
    const logs: string[] = [];
    const r = await runEmbed({ shop: BIG, modelPath: modelFile, modelConfig: { range: "-1..1" }, log: (m) => logs.push(m) });
    expect(r).toMatchObject({ embedded: 24, imagesFailed: 0 });
    const active = activeVisualModel(BIG)!;
    expect(active.centre).toMatchObject({ modelId: r.model!.id, dim: 4, products: 24 });
    expect(logs.join("\n")).toContain("centred on the mean of 24 products (fitted now)");
    expect(r.index!.key).toContain(`~${SPACE_VERSION}-c${active.centre!.hash}+`);
    // The index holds toSearchSpace(stored) ++ colour, weighted: its model part is the centred vector.
    const stored = loadEmbeddings(BIG, r.model!.id).get("C0")!.vector;
    const catalog = loadCatalog(BIG);
    const search = (await loadVisualSearch(BIG, catalog))!;
    const served = search.vector(catalog.index.get("C0")!)!;
    const expected = toSearchSpace(stored, active.centre);
    const w = active.colourWeight;
    for (let d = 0; d < 4; d++) expect(served[d]).toBeCloseTo(expected[d] * Math.sqrt(1 - w), 4);
    // One more product (< 10 % more): the centre and the key stay, so the index is patched, not rebuilt.
    fs.copyFileSync(path.join(shopDir, "img", "c0.png"), path.join(shopDir, "img", "c24.png"));
    insertProducts(BIG, [{ id: "C24", imageUrl: "img/c24.png", category: "gold" }]);
    const again = await runEmbed({ shop: BIG, modelPath: modelFile, modelConfig: { range: "-1..1" }, productIds: ["C24"], log: (m) => logs.push(m) });
    expect(activeVisualModel(BIG)!.centre!.hash).toBe(active.centre!.hash);
    expect(logs.at(-1)).toContain("kept from an earlier run");
    if (again.index!.key === r.index!.key) expect(again.index).toMatchObject({ added: 1, rebuilt: false });
  });

  it("serves neighbour-augmented vectors when the shop's augmentation is on, the same for a patched subset, named in the key", () => {
    const active = activeVisualModel(BIG)!;
    const plain = visualVectors(BIG, { ...active, augment: 0 });
    const on = { ...active, augment: 3 };
    const served = visualVectors(BIG, on);
    const want = augmentWithNeighbours(plain.map((p) => p.vector), 3);
    expect(served.map((p) => p.productId)).toEqual(plain.map((p) => p.productId));
    served.forEach((p, i) => Array.from(p.vector).forEach((x, d) => expect(x).toBeCloseTo(want[i][d], 5)));
    // A patch reads all products to find the neighbours of the changed one.
    const [c3] = visualVectors(BIG, on, ["C3"]);
    const i3 = plain.findIndex((p) => p.productId === "C3");
    expect(c3.productId).toBe("C3");
    Array.from(c3.vector).forEach((x, d) => expect(x).toBeCloseTo(want[i3][d], 5));
    expect(visualKey(on)).toContain("-a3+");
    expect(visualKey({ ...active, augment: 0 })).not.toContain("-a");
  });
});
