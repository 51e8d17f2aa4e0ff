/**
 * Issue 16 point 5: a web process holds the serving data of the shops it is asked for within
 * FACET_SERVING_CACHE_MB, least recently used out; an evicted shop is loaded again on its next
 * request and answers it within 1 s (measured here, with a model version and a few thousand
 * products and customers per shop).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { rawDb } from "../../app/db.server";
import { resetEnvForTests } from "../../app/env.server";
import { writeModelVersion } from "../../app/artifacts/modelVersion.server";
import { dropSnapshot, estimateBytes, getSnapshot, servingMemory } from "../../app/serving/snapshot.server";
import { recommendFor } from "../../app/serving/recommend.server";
import type { Catalog } from "../../app/recommend/types";

useTempDatabase();
const SHOPS = ["lru-a.myshopify.com", "lru-b.myshopify.com", "lru-c.myshopify.com", "lru-d.myshopify.com"];
const P = 2500;
const U = 1500;
const F = 16;
const NOW = Date.UTC(2026, 10, 1);
const iso = (t: number) => new Date(t).toISOString();

beforeAll(async () => {
  const db = rawDb();
  const product = db.prepare(
    `INSERT INTO Product (shop, id, title, category, brand, collection, price, imageUrl, material, gender, stockStatus, createdDate, handle) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const customer = db.prepare(`INSERT INTO Customer (shop, id, gender, ageGroup, country, marketingConsent) VALUES (?, ?, ?, ?, ?, ?)`);
  const interaction = db.prepare(`INSERT INTO Interaction (shop, id, customerId, productId, type, timestamp) VALUES (?, ?, ?, ?, ?, ?)`);
  for (const shop of SHOPS) {
    db.transaction(() => {
      for (let i = 0; i < P; i++) product.run(shop, `P${i}`, `Silver ring number ${i}`, ["rings", "necklaces"][i % 2], "Facet", "Luna", 20 + (i % 90), `https://img.example/P${i}.jpg`, "Silber", "female", "in_stock", iso(NOW - (i % 300) * 86_400_000), `p-${i}`);
      for (let u = 0; u < U; u++) {
        customer.run(shop, `C${u}`, u % 2 ? "male" : "female", "26-35", "DE", 1);
        for (let j = 0; j < 3; j++) interaction.run(shop, `I${u}-${j}`, `C${u}`, `P${(u * 7 + j * 13) % P}`, "view", iso(NOW - (j + 1) * 86_400_000));
      }
    })();
    const ids = Array.from({ length: P }, (_, i) => `P${i}`);
    const users = Array.from({ length: U }, (_, u) => `C${u}`);
    const factors = (n: number) => Float32Array.from({ length: n * F }, (_, k) => Math.sin(k));
    await writeModelVersion(shop, { ids } as unknown as Catalog, {
      cf: { factors: F, userIds: users, userIndex: new Map(users.map((u, i) => [u, i])), userFactors: factors(U), itemFactors: factors(P), regularization: 0.1, alpha: 1 },
      boughtTogether: null,
      viewedTogether: null,
      metrics: {},
    }, {});
  }
});

afterAll(() => {
  delete process.env.FACET_SERVING_CACHE_MB;
  resetEnvForTests();
  dropSnapshot();
});

it("holds the shops within the bound, evicts the least recently used, and an evicted shop answers its first request within 1 s", async () => {
  const [a, b, c, d] = SHOPS;
  const first = await getSnapshot(a, NOW);
  expect(first.bytes).toBe(estimateBytes(first.world));
  // The estimate counts what the snapshot holds: at least its factor matrices and its product ids.
  expect(first.bytes).toBeGreaterThan((P + U) * F * 4 + P * 3);
  // Room for two and a half shops.
  process.env.FACET_SERVING_CACHE_MB = String((2.5 * first.bytes) / 2 ** 20);
  resetEnvForTests();
  await getSnapshot(b, NOW);
  expect(servingMemory().shops).toEqual([a, b]);
  await getSnapshot(c, NOW);
  let held = servingMemory();
  expect(held.shops).toEqual([b, c]); // a was the least recently used
  expect(held.bytes).toBeLessThanOrEqual(held.boundBytes);
  expect(held.evictions).toBe(1);
  await getSnapshot(b, NOW); // b is now the most recently used: c goes next
  await getSnapshot(d, NOW);
  held = servingMemory();
  expect(held.shops).toEqual([b, d]);
  expect(held.evictions).toBe(2);

  // The evicted shop's first request: loaded on demand (database, model version, world), answered.
  const t0 = performance.now();
  const answer = await recommendFor({ shop: a, placement: "home", customerId: "C7", limit: 8, now: NOW });
  const ms = performance.now() - t0;
  console.log(`evicted shop ${a}: first request answered in ${ms.toFixed(0)} ms (snapshot ${(first.bytes / 2 ** 20).toFixed(2)} MB estimated, bound ${(held.boundBytes / 2 ** 20).toFixed(2)} MB)`);
  expect(answer.products.length).toBe(8);
  expect(ms).toBeLessThan(1000);
  expect(servingMemory().shops).toEqual([d, a]);
});
