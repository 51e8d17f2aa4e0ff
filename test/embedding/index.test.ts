import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { COLOUR_MODEL_ID } from "../../app/embedding/colour";
import { runEmbed } from "../../app/embedding/embedPipeline.server";
import { ExactSearch, ProductVectorIndex, syncIndex, topK } from "../../app/embedding/index";
import { generateDemoShop } from "../../app/demo/generate";
import { loadLiveEmbeddings } from "../../app/models/embedding.server";
import { useTempDatabase } from "../helpers/db";
import { insertProducts, setSetting } from "./fixtures";
import { syntheticVectors } from "./synthetic";

delete process.env.IMAGE_MODEL_PATH;
const { dir } = useTempDatabase();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "facet-index-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Clustered unit vectors: kinds of products, variation inside a kind (see synthetic.ts). */
function clustered(n: number, dim: number, clusters: number, seed = 7): Float32Array[] {
  return syntheticVectors(n, dim, { clusters, seed, latent: Math.min(48, dim) });
}

/** recall@k of the graph against the exact scan; ties at the k-th exact score count as found. */
function recallAtK(index: ProductVectorIndex, queries: Float32Array[], k: number): number {
  let found = 0;
  for (const q of queries) {
    const exact = index.search(q, k, undefined, "exact");
    const kth = exact[exact.length - 1].score;
    const graph = index.search(q, k, undefined, "graph");
    const exactLabels = new Set(exact.map((e) => e.label));
    found += graph.filter((g) => exactLabels.has(g.label) || g.score >= kth - 1e-6).length;
  }
  return found / (queries.length * k);
}

describe("exact search", () => {
  it("returns the top k by score, best first", () => {
    const scores = [0.1, 0.9, 0.5, 0.7, 0.3];
    expect(topK(5, 3, (i) => scores[i]).map((r) => r.i)).toEqual([1, 3, 2]);
    expect(topK(5, 2, (i) => scores[i], (i) => i !== 1).map((r) => r.i)).toEqual([3, 2]);
    const vs = [[1, 0], [0, 1], [Math.SQRT1_2, Math.SQRT1_2]].map((v) => Float32Array.from(v));
    expect(ExactSearch.from(vs, 2).search(Float32Array.from([1, 0]), 2).map((r) => r.i)).toEqual([0, 2]);
  });
});

describe("HNSW index", () => {
  it("saves, loads, and applies adds, updates and deletes incrementally", () => {
    const vs = clustered(300, 32, 10);
    const items = vs.map((vector, i) => ({ productId: `P${i}`, vector }));
    const first = syncIndex("s.myshopify.com", "m", items, { root });
    expect(first.stats).toMatchObject({ total: 300, added: 300, rebuilt: true });
    const loaded = ProductVectorIndex.load("s.myshopify.com", "m", root)!;
    expect(loaded.size).toBe(300);
    expect(loaded.search(vs[5], 5, undefined, "graph").map((r) => r.label)).toEqual(first.index.search(vs[5], 5, undefined, "graph").map((r) => r.label));

    const changed = clustered(1, 32, 1, 99)[0];
    const next = [...items.slice(1, 299), { productId: "P299", vector: changed }, { productId: "NEW", vector: vs[0] }];
    const second = syncIndex("s.myshopify.com", "m", next, { root });
    expect(second.stats).toMatchObject({ total: 300, added: 1, updated: 1, removed: 1, rebuilt: false });
    const idx = ProductVectorIndex.load("s.myshopify.com", "m", root)!;
    const top = idx.search(vs[0], 1, undefined, "graph")[0];
    expect(idx.meta.labels[top.label]).toBe("NEW"); // P0 is gone, its vector now belongs to NEW
    expect(idx.meta.labels[idx.search(changed, 1, undefined, "graph")[0].label]).toBe("P299");
    expect(idx.label("P0")).toBeUndefined();
    // Nothing changed: nothing is touched.
    expect(syncIndex("s.myshopify.com", "m", next, { root }).stats).toMatchObject({ added: 0, updated: 0, removed: 0, rebuilt: false });
  });

  it("filters labels during the graph search", () => {
    const vs = clustered(500, 16, 5);
    const { index } = syncIndex("s.myshopify.com", "f", vs.map((vector, i) => ({ productId: `P${i}`, vector })), { root });
    const res = index.search(vs[0], 10, (label) => label % 2 === 1, "graph");
    expect(res).toHaveLength(10);
    expect(res.every((r) => r.label % 2 === 1)).toBe(true);
  });

  it("matches exact search at recall@10 >= 0.95 on 2,000 clustered 1,392-d vectors", () => {
    const vs = clustered(2000, 1392, 60);
    const { index } = syncIndex("s.myshopify.com", "big", vs.map((vector, i) => ({ productId: `P${i}`, vector })), { root });
    expect(index.projection).toBeNull();
    expect(recallAtK(index, vs.filter((_, i) => i % 10 === 0), 10)).toBeGreaterThanOrEqual(0.95);
  });

  it("projects wide vectors of a large catalogue (PCA) and stays close to exact full-dimensional search", () => {
    const vs = clustered(2000, 512, 40);
    const items = vs.map((vector, i) => ({ productId: `P${i}`, vector }));
    const { index } = syncIndex("s.myshopify.com", "pca", items, { root, pcaMinItems: 1000, pcaDims: 128 });
    expect(index.projection).not.toBeNull();
    expect(index.graphDim).toBe(128);
    expect(index.dim).toBe(512);
    const reloaded = ProductVectorIndex.load("s.myshopify.com", "pca", root)!;
    expect(reloaded.graphDim).toBe(128);
    const full = ExactSearch.from(vs, 512);
    let found = 0, total = 0;
    for (let q = 0; q < 2000; q += 20) {
      const truth = new Set(full.search(vs[q], 10).map((r) => `P${r.i}`));
      const got = reloaded.search(vs[q], 10, undefined, "graph").map((r) => reloaded.meta.labels[r.label]);
      found += got.filter((id) => truth.has(id!)).length;
      total += 10;
    }
    expect(found / total).toBeGreaterThanOrEqual(0.95);

    // Incremental update of a projected index: the new full vector is stored and found.
    const moved = syntheticVectors(1, 512, { clusters: 1, seed: 4242 })[0];
    const next = items.map((it) => (it.productId === "P7" ? { productId: "P7", vector: moved } : it));
    expect(syncIndex("s.myshopify.com", "pca", next, { root, pcaMinItems: 1000, pcaDims: 128 }).stats).toMatchObject({ updated: 1, rebuilt: false, projected: true });
    const after = ProductVectorIndex.load("s.myshopify.com", "pca", root)!;
    const label = after.label("P7")!;
    Array.from(after.vectorOfLabel(label)!).forEach((v, i) => expect(v).toBeCloseTo(moved[i], 5));
    expect(after.search(moved, 1, undefined, "graph")[0]).toMatchObject({ label, score: expect.closeTo(1, 4) });
  });
});

describe("the demo catalogue", () => {
  it("the index returns the exact top-10 at recall >= 0.95 (colour descriptors of the 2,000 demo images)", async () => {
    const shop = "demo-index.myshopify.com";
    const out = path.join(dir(), "demo-shop");
    await generateDemoShop({ out, products: 2000, customers: 10, interactions: 20, seed: 42, images: true });
    const lines = fs.readFileSync(path.join(out, "products.csv"), "utf8").trim().split("\n").slice(1);
    insertProducts(shop, lines.map((l) => {
      const id = l.split(",")[0];
      return { id, imageUrl: `images/${id}.png` };
    }));
    setSetting(shop, "import.dir", out);
    const r = await runEmbed({ shop, log: () => undefined });
    expect(r).toMatchObject({ embedded: 2000, imagesFailed: 0 });
    const index = ProductVectorIndex.load(shop, COLOUR_MODEL_ID)!;
    expect(index.size).toBe(2000);
    const vectors = [...loadLiveEmbeddings(shop, COLOUR_MODEL_ID).values()].map((e) => e.vector);
    const recall = recallAtK(index, vectors.filter((_, i) => i % 10 === 0), 10);
    console.log(`demo catalogue (2,000 products, colour space): HNSW recall@10 vs exact = ${recall.toFixed(3)}`);
    expect(recall).toBeGreaterThanOrEqual(0.95);
  }, 240_000); // 2,000 images generated, decoded and embedded: 42 s on SQLite, past the default 60 s on PostgreSQL on a loaded machine
});
