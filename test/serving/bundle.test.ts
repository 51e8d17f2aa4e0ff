/**
 * Issue 17: the serving bundle (precomputed visual neighbours, compact vectors) written by the jobs
 * and only read by the web process; freshness as one read of the per-shop change counters; the
 * batch on two worker threads, byte for byte the one-thread file and row for row the API.
 */
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { rawDb } from "../../app/db.server";
import { saveEmbeddings } from "../../app/models/embedding.server";
import { COLOUR_MODEL_ID, COLOUR_DIM } from "../../app/embedding/colour";
import { loadCatalog } from "../../app/models/catalog.server";
import { servingStamp } from "../../app/models/servingStamp.server";
import { saveSettingsOverride } from "../../app/models/settings.server";
import { computeVisualBundle, loadVisualBundle, writeVisualBundle } from "../../app/serving/bundle.server";
import { ExactSearch, syncIndex } from "../../app/embedding/index";
import { syntheticVectors } from "../embedding/synthetic";
import { buildSnapshot } from "../../app/serving/snapshot.server";
import { respond } from "../../app/serving/recommend.server";
import { writeBatch } from "../../app/serving/batch.server";
import { writeBatchParallel } from "../../app/serving/batchPool.server";

const tmp = useTempDatabase();
const SHOP = "bundle-test.myshopify.com";
const NOW = Date.UTC(2026, 6, 15, 12);
const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();
const P = 60;
const U = 1300; // more than two batch blocks of 512

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}
const vectors: Float32Array[] = [];

beforeAll(() => {
  const db = rawDb();
  const product = db.prepare(
    `INSERT INTO Product (shop, id, title, category, brand, collection, price, imageUrl, material, gender, stockStatus, createdDate, handle) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const cats = ["rings", "necklaces", "earrings"];
  for (let i = 0; i < P; i++) product.run(SHOP, `P${i}`, `Item ${i}`, cats[i % 3], "Facet", i % 2 ? "Luna" : "Sol", 20 + i * 3, `https://img.example/P${i}.jpg`, ["Silber", "Gold"][i % 2], "female", "in_stock", iso(NOW - (i < 5 ? 3 : 200) * DAY), `p-${i}`);
  const r = rng(7);
  for (let i = 0; i < P; i++) {
    const v = new Float32Array(COLOUR_DIM);
    for (let j = 0; j < COLOUR_DIM; j++) v[j] = r() * (j % 7 === i % 7 ? 3 : 1);
    vectors.push(v);
  }
  saveEmbeddings(SHOP, COLOUR_MODEL_ID, vectors.map((vector, i) => ({ productId: `P${i}`, vector })));
  const customer = db.prepare(`INSERT INTO Customer (shop, id, gender, ageGroup, country, marketingConsent) VALUES (?, ?, ?, ?, ?, ?)`);
  const interaction = db.prepare(`INSERT INTO Interaction (shop, id, customerId, productId, type, timestamp) VALUES (?, ?, ?, ?, ?, ?)`);
  const types = ["view", "click", "add_to_cart", "view", "purchase"];
  let n = 0;
  db.transaction(() => {
    for (let u = 0; u < U; u++) {
      customer.run(SHOP, `C${String(u).padStart(5, "0")}`, u % 2 ? "male" : "female", ["18-25", "26-35"][u % 2], ["DE", "AT"][u % 2], u % 3 ? 1 : 0);
      for (let j = 0; j < 4; j++) interaction.run(SHOP, `I${n++}`, `C${String(u).padStart(5, "0")}`, `P${Math.floor(r() * P)}`, types[(u + j) % 5], iso(NOW - (20 - j) * DAY + u * 1000));
    }
  })();
});

const unit = (v: Float32Array) => {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
};

describe("freshness: one read of the shop's change counters", () => {
  it("each kind of write moves its own part of the stamp, and nothing else does", async () => {
    const before = servingStamp(SHOP).split("|");
    expect(before).toHaveLength(7);
    rawDb().prepare(`UPDATE Product SET price = price + 1 WHERE shop = ? AND id = ?`).run(SHOP, "P1");
    let now = servingStamp(SHOP).split("|");
    expect(now.map((x, i) => Number(x) - Number(before[i]))).toEqual([0, 0, 1, 0, 0, 0, 0]);
    rawDb().prepare(`INSERT INTO Interaction (shop, id, customerId, productId, type, timestamp) VALUES (?, ?, ?, ?, ?, ?)`).run(SHOP, "FRESH1", "C00001", "P2", "view", iso(NOW - DAY));
    await saveSettingsOverride(SHOP, { global: { visualNeighbours: 10 } });
    now = servingStamp(SHOP).split("|");
    expect(now.map((x, i) => Number(x) - Number(before[i]))).toEqual([0, 1, 1, 0, 0, 1, 0]);
    // Another shop's writes do not move this shop's stamp.
    const mine = servingStamp(SHOP);
    rawDb().prepare(`INSERT INTO Interaction (shop, id, customerId, productId, type, timestamp) VALUES (?, ?, ?, ?, ?, ?)`).run("other.myshopify.com", "FRESH2", "X", "P2", "view", iso(NOW));
    expect(servingStamp(SHOP)).toBe(mine);
    expect(servingStamp("never-seen.myshopify.com")).toBe("0|0|0|0|0|0|0");
  });
});

describe("serving bundle", () => {
  it("the job writes each product's exact top neighbours; the snapshot serves them without searching", async () => {
    const written = await writeVisualBundle(SHOP);
    expect(written).not.toBeNull();
    expect(written!.written).toBe(true);
    expect(written!.neighbours).toBe(10); // the shop's global.visualNeighbours (set above)
    expect(written!.rows).toBe(P);
    expect((await writeVisualBundle(SHOP))!.written).toBe(false); // current already: not written again
    for (const f of ["manifest.json", "ids.json", "neighbours.i32", "neighbour_scores.f32", "compact.f32"]) expect(fs.existsSync(path.join(written!.dir, f))).toBe(true);
    expect(written!.dir).toContain(path.join("bundles", SHOP));

    const catalog = loadCatalog(SHOP);
    const vs = await loadVisualBundle(SHOP, catalog);
    expect(vs).not.toBeNull();
    const units = vectors.map(unit);
    for (const i of [0, 17, 42]) {
      const item = catalog.index.get(`P${i}`)!;
      const exact = units
        .map((v, j) => ({ id: `P${j}`, score: v.reduce((s, x, d) => s + x * units[i][d], 0) }))
        .filter((x) => x.id !== `P${i}`)
        .sort((a, b) => b.score - a.score)
        .slice(0, 10);
      const list = vs!.neighbours(item)!;
      expect([...list.items].map((x) => catalog.ids[x])).toEqual(exact.map((x) => x.id));
      [...list.scores].forEach((s, j) => expect(s).toBeCloseTo(exact[j].score, 5));
      // The compact vector: unit length, cosine as the stored one's.
      const c = vs!.compact!(item)!;
      expect(Math.hypot(...c)).toBeCloseTo(1, 5);
    }

    const snapshot = await buildSnapshot(SHOP, NOW);
    expect((snapshot.world.visual as { bundleDir?: string }).bundleDir).toBe(written!.dir);
    const item = catalog.index.get("P17")!;
    expect(snapshot.world.visualNeighbours(item, 5).map((n) => catalog.ids[n.item])).toEqual([...vs!.neighbours(item)!.items.subarray(0, 5)].map((x) => catalog.ids[x]));
    const res = respond(snapshot, { shop: SHOP, placement: "product", productId: "P17", limit: 6, now: NOW });
    expect(res.products.length).toBe(6);
    expect(res.products.some((p) => p.reasonCodes.some((r) => r.source === "visual"))).toBe(true);
  });

  it("new vectors make a new bundle; until it is written the snapshot falls back to the index", async () => {
    const v = new Float32Array(COLOUR_DIM).fill(0.5);
    saveEmbeddings(SHOP, COLOUR_MODEL_ID, [{ productId: "P3", vector: v }]);
    const catalog = loadCatalog(SHOP);
    expect(await loadVisualBundle(SHOP, catalog)).toBeNull();
    const s = await buildSnapshot(SHOP, NOW);
    expect((s.world.visual as { bundleDir?: string }).bundleDir).toBeUndefined();
    const again = await writeVisualBundle(SHOP);
    expect(again!.written).toBe(true);
    expect((await loadVisualBundle(SHOP, catalog))!.bundleDir).toBe(again!.dir);
  });
});

describe("neighbour lists of a projected index (graph walk, full-cosine re-rank)", () => {
  it("finds the exact full-space top 10 for at least 90 % and scores them by the full cosine", () => {
    const vs = syntheticVectors(2000, 512, { clusters: 40, seed: 7, latent: 48 });
    const items = vs.map((vector, i) => ({ productId: `Q${i}`, vector }));
    const root = path.join(tmp.dir(), "pca-index");
    const { index } = syncIndex(SHOP, "pca", items, { root, pcaMinItems: 1000, pcaDims: 256 });
    expect(index.projection).not.toBeNull();
    expect(index.usesExact).toBe(false); // 2,000 x 256 > EXACT_MAX_WORK: the graph path
    const data = computeVisualBundle(index, 10);
    expect(data.dim).toBe(256);
    const full = ExactSearch.from(vs, 512);
    const row = new Map(data.ids.map((id, r) => [id, r]));
    let found = 0, total = 0;
    for (let q = 0; q < 2000; q += 40) {
      const r = row.get(`Q${q}`)!;
      const truth = full.search(vs[q], 11).filter((x) => x.i !== q).slice(0, 10);
      const got = [...data.neighbours.subarray(r * 10, r * 10 + 10)].map((x) => data.ids[x]);
      expect(got).not.toContain(`Q${q}`);
      const ids = new Set(truth.map((x) => `Q${x.i}`));
      found += got.filter((id) => ids.has(id)).length;
      total += 10;
      const exactScore = new Map(truth.map((x) => [`Q${x.i}`, x.score]));
      got.forEach((id, j) => exactScore.has(id) && expect(data.scores[r * 10 + j]).toBeCloseTo(exactScore.get(id)!, 4));
    }
    expect(found / total).toBeGreaterThanOrEqual(0.9);
  }, 60_000);
});

describe("batch on two threads", () => {
  it("writes the same file as one thread, and each row is what the API answers", async () => {
    const one = path.join(tmp.dir(), "one.csv");
    const two = path.join(tmp.dir(), "two.csv");
    const snapshot = await buildSnapshot(SHOP, NOW);
    const a = writeBatch(snapshot, { placement: "home", k: 5, out: one, now: NOW });
    const b = await writeBatchParallel(SHOP, { placement: "home", k: 5, out: two, now: NOW, threads: 2 });
    expect(b.threads).toBe(2);
    expect(b.customers).toBe(U);
    expect(a.customers).toBe(U);
    expect(b.rows).toBe(a.rows);
    expect(fs.readFileSync(two, "utf8")).toBe(fs.readFileSync(one, "utf8"));
    const lines = fs.readFileSync(two, "utf8").trim().split("\n").slice(1);
    for (const id of ["C00000", "C00513", "C01299"]) {
      const api = respond(snapshot, { shop: SHOP, placement: "home", customerId: id, limit: 5, now: NOW });
      const got = lines.filter((l) => l.startsWith(id + ","));
      expect(got).toEqual(api.products.map((p, i) => `${id},${i + 1},${p.id},${p.score},${p.reasons.join("|")}`));
    }
    const email = await writeBatchParallel(SHOP, { placement: "email", k: 3, out: two, now: NOW, threads: 2 });
    const emailOne = writeBatch(snapshot, { placement: "email", k: 3, out: one, now: NOW });
    expect(email.skippedNoConsent).toBe(emailOne.skippedNoConsent);
    expect(fs.readFileSync(two, "utf8")).toBe(fs.readFileSync(one, "utf8"));
  }, 60_000);
});
