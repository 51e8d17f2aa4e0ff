/**
 * Integration: events loaded from the database, the train job writing versioned model folders,
 * publishing, superseding, and loading the published model back.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { rawDb } from "../../app/db.server";
import { loadCatalog } from "../../app/models/catalog.server";
import { loadEventTable } from "../../app/models/events.server";
import { listModelVersions, writeCfSettings } from "../../app/models/modelVersion.server";
import { INTERACTION_TYPES } from "../../app/recommend/types";
import { alignToCatalog, loadPublishedModel, writeModelVersion } from "../../app/artifacts/modelVersion.server";
import trainJob, { runTrain } from "../../app/jobs/train.server";
import { useTempDatabase } from "../helpers/db";
import { plantedWorld } from "./world";

useTempDatabase();
const SHOP = "cf-test.myshopify.com";
const iso = (ms: number) => new Date(ms).toISOString();

function seed() {
  const db = rawDb();
  const w = plantedWorld({ customers: 60, items: 20, groups: 2, orders: 3, noise: 2, seed: 3 });
  const product = db.prepare(`INSERT INTO Product (shop, id, title, category, brand, price, imageUrl, material, stockStatus) VALUES (?, ?, ?, 'rings', 'Facet', 10, 'x.png', 'gold', 'in_stock')`);
  for (let i = 0; i < w.nItems; i++) product.run(SHOP, `P${String(i).padStart(2, "0")}`, `Ring ${i}`);
  const order = db.prepare(`INSERT INTO "Order" (shop, id, customerId, orderDate, status, totalAmount) VALUES (?, ?, ?, ?, ?, 10)`);
  const line = db.prepare(`INSERT INTO OrderItem (shop, id, orderId, productId, quantity, unitPrice) VALUES (?, ?, ?, ?, ?, 10)`);
  const interaction = db.prepare(`INSERT INTO Interaction (shop, id, customerId, clientId, productId, type, timestamp, sessionId, duration) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const orders = new Set<number>();
  let n = 0;
  db.transaction(() => {
    for (const r of w.rows) {
      const pid = `P${String(r.item).padStart(2, "0")}`;
      if (r.fromOrder) {
        if (!orders.has(r.basket!)) {
          orders.add(r.basket!);
          order.run(SHOP, `O${r.basket}`, `C${r.customer}`, iso(r.at!), r.basket === 0 ? "returned" : "completed");
        }
        line.run(SHOP, `L${n++}`, `O${r.basket}`, pid, 1);
      } else {
        interaction.run(SHOP, `I${n++}`, `C${r.customer}`, null, pid, r.type, iso(r.at!), `S${r.basket}`, r.duration ?? null);
      }
    }
    // An anonymous client linked to C1, an unlinked one, and a product outside the catalogue.
    interaction.run(SHOP, "anon-1", null, "client-linked", "P05", "view", iso(Date.UTC(2026, 9, 1)), "S-anon", 45);
    interaction.run(SHOP, "anon-2", null, "client-unknown", "P06", "click", iso(Date.UTC(2026, 9, 2)), null, null);
    interaction.run(SHOP, "ghost", "C2", null, "P-deleted", "view", iso(Date.UTC(2026, 9, 2)), null, null);
    db.prepare(`INSERT INTO ClientLink (shop, clientId, customerId) VALUES (?, 'client-linked', 'C1')`).run(SHOP);
  })();
  return w;
}

const quiet = { progress: () => {}, log: () => {} };

describe("events and the train job", () => {
  let w: ReturnType<typeof seed>;

  it("loads order lines and interactions into an EventTable", () => {
    w = seed();
    const catalog = loadCatalog(SHOP);
    const t = loadEventTable(SHOP, catalog);
    expect(t.length).toBe(w.rows.length + 2); // + two anonymous events; the unknown product is skipped
    expect(t.customers).toEqual([...new Set(w.rows.map((r) => `C${r.customer}`))].sort());
    const orderLines = [...t.fromOrder].filter((v) => v === 1).length;
    expect(orderLines).toBe(w.rows.filter((r) => r.fromOrder).length);
    expect([...t.cancelled].filter((v) => v === 1).length).toBe(2); // the returned order O0 has two lines
    for (let e = 0; e < t.length; e++) if (t.fromOrder[e]) expect(t.type[e]).toBe(INTERACTION_TYPES.indexOf("purchase"));
    // Sessions are numbered after orders: no basket is both.
    const orderBaskets = new Set<number>(), sessionBaskets = new Set<number>();
    for (let e = 0; e < t.length; e++) if (t.basket[e] >= 0) (t.fromOrder[e] ? orderBaskets : sessionBaskets).add(t.basket[e]);
    expect([...orderBaskets].some((b) => sessionBaskets.has(b))).toBe(false);
    const linked = [...t.duration].indexOf(45);
    expect(t.customers[t.customer[linked]]).toBe("C1");
    expect(t.customer.filter((c) => c === -1).length).toBe(1);
    const later = loadEventTable(SHOP, catalog, { from: Date.UTC(2026, 9, 1, 12) });
    expect(later.length).toBeGreaterThan(0);
    expect(later.length).toBeLessThan(t.length);
    for (const at of later.at) expect(at).toBeGreaterThanOrEqual(Date.UTC(2026, 9, 1, 12));
  });

  it("writes, publishes and loads a model version; a second run supersedes the first", async () => {
    await writeCfSettings(SHOP, { als: { factors: 8, iterations: 8, regularization: 2 } });
    const first = await runTrain(SHOP, { als: { seed: 1 } }, quiet);
    expect(fs.existsSync(path.join(first.path, "manifest.json"))).toBe(true);
    const manifest = JSON.parse(fs.readFileSync(path.join(first.path, "manifest.json"), "utf8"));
    expect(manifest.version).toBe(first.version);
    expect(manifest.parameters.als).toMatchObject({ factors: 8, iterations: 8, seed: 1 });
    expect(Object.keys(manifest.files)).toEqual(expect.arrayContaining(["item_ids.json", "user_ids.json", "item_factors.f32", "user_factors.f32", "bought_together.indptr.i32"]));
    expect(fs.statSync(path.join(first.path, "item_factors.f32")).size).toBe(20 * 8 * 4);
    const firstManifestBytes = fs.readFileSync(path.join(first.path, "manifest.json"));

    const loaded1 = await loadPublishedModel(SHOP);
    expect(loaded1!.version).toBe(first.version);
    expect(loaded1!.cf!.factors).toBe(8);
    expect(loaded1!.itemIds).toEqual(loadCatalog(SHOP).ids);
    expect(loaded1!.cf!.userIds.length).toBe(60);
    expect(loaded1!.boughtTogether!.indptr.length).toBe(21);
    expect(loaded1!.itemGram!.length).toBe(64);

    // A write that fails half-way leaves the published version alone and no temporary folder.
    const catalog = loadCatalog(SHOP);
    const broken = { cf: { ...loaded1!.cf!, itemFactors: new Float32Array(3) }, boughtTogether: null, viewedTogether: null, metrics: {} };
    await expect(writeModelVersion(SHOP, catalog, broken, {})).rejects.toThrow(/not aligned/);
    expect((await loadPublishedModel(SHOP))!.version).toBe(first.version);
    expect(fs.readdirSync(path.dirname(first.path)).filter((d) => d.startsWith(".tmp"))).toEqual([]);

    const progress = vi.fn();
    const second = await trainJob({ shop: SHOP }, { jobId: "j", attempt: 1, progress, log: () => {} });
    expect(second.version).not.toBe(first.version);
    expect(progress).toHaveBeenLastCalledWith(1, expect.stringContaining(second.version));
    expect(progress.mock.calls.length).toBeGreaterThanOrEqual(4);
    const rows = await listModelVersions(SHOP);
    expect(rows.map((r) => [r.version, r.status])).toEqual([[second.version, "published"], [first.version, "superseded"]]);
    const loaded2 = await loadPublishedModel(SHOP);
    expect(loaded2!.version).toBe(second.version);
    expect(loaded2!.cf!.itemFactors.length).toBe(20 * 8);
    // The superseded folder is untouched.
    expect(fs.readFileSync(path.join(first.path, "manifest.json")).equals(firstManifestBytes)).toBe(true);

    // Serving a catalogue that gained a product: aligned rows, zero factors for the newcomer.
    const grown = { ...catalog, ids: [...catalog.ids, "P99"], index: new Map([...catalog.index, ["P99", 20]]) };
    const aligned = alignToCatalog(loaded2!, grown);
    expect(aligned.cf!.itemFactors.length).toBe(21 * 8);
    expect([...aligned.cf!.itemFactors.subarray(160)]).toEqual(new Array(8).fill(0));
  });

  it("refuses a shop without products with a clear message", async () => {
    await expect(trainJob({ shop: "empty.myshopify.com" }, { jobId: "j2", attempt: 1, progress: () => {}, log: () => {} })).rejects.toThrow(/no products/);
  });
});
