/**
 * Serving against a real (temporary) database: batch output equals the per-customer API output,
 * email batches skip customers without consent, the API route authenticates and answers, settings
 * round-trip and a snapshot swaps when they change.
 */
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { rawDb } from "../../app/db.server";
import { resetEnvForTests } from "../../app/env.server";
import { buildSnapshot, dropSnapshot, getSnapshot, needsRebuild, settled, BEHAVIOUR_REBUILD_MS, CHECK_INTERVAL_MS } from "../../app/serving/snapshot.server";
import { servingStamp } from "../../app/models/servingStamp.server";
import { respond } from "../../app/serving/recommend.server";
import { writeBatch, parseSegmentFilter, CSV_HEADER } from "../../app/serving/batch.server";
import { loadShopSettings, saveSettingsOverride } from "../../app/models/settings.server";
import { loadCustomerProfiles, setPersonalizationOptOut } from "../../app/models/customerProfile.server";
import { action, loader } from "../../app/routes/api.recommendations";
import { createApiKey, hashKey, listApiKeys, revokeApiKey } from "../../app/models/apiKey.server";
import { identitySecret, signCustomerToken, verifyCustomerToken } from "../../app/shopify/identity.server";

const tmp = useTempDatabase();
const SHOP = "serving-test.myshopify.com";
const NOW = Date.UTC(2026, 6, 15, 12);
const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();

beforeAll(() => {
  const db = rawDb();
  const product = db.prepare(
    `INSERT INTO Product (shop, id, title, category, brand, collection, price, imageUrl, material, gender, stockStatus, createdDate, tags, handle)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const cats = ["rings", "necklaces", "earrings"];
  for (let i = 0; i < 24; i++) {
    product.run(SHOP, `P${i}`, `Schmuck, "${i}"`, cats[i % 3], i % 4 === 0 ? "Rhomberg" : "Facet", i % 2 ? "Luna" : "Sol", 20 + i * 9, i % 2 ? `https://img.example/P${i}.jpg` : `/srv/imports/shop/images/P${i}.png`, ["Silber", "Gold"][i % 2], i % 5 === 0 ? "male" : "female", i === 7 ? "out_of_stock" : "in_stock", iso(NOW - (i < 3 ? 5 : 200) * DAY), i === 11 ? "christmas" : null, `p-${i}`);
  }
  const customer = db.prepare(`INSERT INTO Customer (shop, id, gender, ageGroup, country, marketingConsent, personalizationOptOut, avgOrderValue) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  for (let u = 0; u < 12; u++) customer.run(SHOP, `C${u}`, u % 2 ? "male" : "female", ["18-25", "26-35", "36-45"][u % 3], ["DE", "AT", "CH"][u % 3], u % 4 === 3 ? 0 : 1, u === 5 ? 1 : 0, u % 3 === 0 ? 80 : null);
  const interaction = db.prepare(`INSERT INTO Interaction (shop, id, customerId, productId, type, timestamp) VALUES (?, ?, ?, ?, ?, ?)`);
  let n = 0;
  for (let u = 0; u < 12; u++) {
    for (let j = 0; j < 6; j++) {
      interaction.run(SHOP, `I${n++}`, `C${u}`, `P${(u * 5 + j * 7) % 24}`, ["view", "click", "add_to_cart", "view", "add_to_wishlist", "purchase"][j], iso(NOW - (30 - j) * DAY + u * 3_600_000));
    }
  }
  db.prepare(`INSERT INTO "Order" (shop, id, customerId, orderDate, status, totalAmount) VALUES (?, ?, ?, ?, ?, ?)`).run(SHOP, "O1", "C1", iso(NOW - 9 * DAY), "completed", 110);
  db.prepare(`INSERT INTO OrderItem (shop, id, orderId, productId, quantity, unitPrice) VALUES (?, ?, ?, ?, ?, ?)`).run(SHOP, "OI1", "O1", "P10", 1, 110);
});

function readCsv(file: string): string[][] {
  // A minimal RFC 4180 reader (quoted fields with commas and doubled quotes).
  const rows: string[][] = [];
  for (const line of fs.readFileSync(file, "utf8").split("\n").filter(Boolean)) {
    const out: string[] = [];
    let cur = "";
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') {
          cur += '"';
          i++;
        }
        else if (ch === '"') quoted = false;
        else cur += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ",") {
        out.push(cur);
        cur = "";
      }
      else cur += ch;
    }
    out.push(cur);
    rows.push(out);
  }
  return rows;
}

describe("batch", () => {
  it("writes for every customer exactly what the API answers for that customer", async () => {
    const snapshot = await buildSnapshot(SHOP, NOW);
    const out = path.join(tmp.dir(), "home.csv");
    const result = writeBatch(snapshot, { placement: "home", k: 5, out, now: NOW });
    const rows = readCsv(out);
    expect(rows[0].join(",")).toBe(CSV_HEADER);
    expect(result.customers).toBe(12);
    const byCustomer = new Map<string, string[][]>();
    for (const r of rows.slice(1)) byCustomer.set(r[0], [...(byCustomer.get(r[0]) ?? []), r]);
    for (let u = 0; u < 12; u++) {
      const api = respond(snapshot, { shop: SHOP, placement: "home", customerId: `C${u}`, limit: 5, now: NOW });
      const got = byCustomer.get(`C${u}`) ?? [];
      expect(api.products.length).toBe(5);
      expect(got.map((r) => [r[1], r[2], Number(r[3]), r[4]])).toEqual(api.products.map((p, i) => [String(i + 1), p.id, p.score, p.reasons.join("|")]));
    }
    expect(rows.some((r) => r[4].length > 0)).toBe(true);
  });

  it("email skips customers without marketing consent; a segment filter narrows the customers", async () => {
    const snapshot = await buildSnapshot(SHOP, NOW);
    const out = path.join(tmp.dir(), "email.csv");
    const r = writeBatch(snapshot, { placement: "email", k: 3, out, now: NOW });
    expect(r.skippedNoConsent).toBe(3); // C3, C7, C11
    const ids = new Set(readCsv(out).slice(1).map((x) => x[0]));
    expect(ids.has("C3")).toBe(false);
    expect(ids.has("C0")).toBe(true);
    const seg = writeBatch(snapshot, { placement: "home", k: 3, out, now: NOW, segment: parseSegmentFilter("gender=female,country=AT|CH") });
    expect(seg.customers).toBe(4); // female: C0 C2 C4 C6 C8 C10 -> AT/CH: C4(AT) C8(CH) C2(CH) C10(AT)
    expect(() => parseSegmentFilter("colour=red")).toThrow(/key=value/);
  });
});

describe("GET /api/recommendations", () => {
  let key = "";
  const call = (query: string, headers: Record<string, string> = { Authorization: `Bearer ${key}` }) =>
    loader({ request: new Request(`http://localhost/api/recommendations?${query}`, { headers }), params: {}, context: {} } as never);
  const token = (customerId: string, shop = SHOP, exp = Math.floor(Date.now() / 1000) + 600) => signCustomerToken(identitySecret(shop, new Date(NOW)), shop, customerId, exp);

  beforeAll(() => {
    resetEnvForTests();
    dropSnapshot();
    key = createApiKey(SHOP, "headless", new Date(NOW)).key;
  });

  it("answers products with reasons, the model version and a recommendation id", async () => {
    const res = await call(`shop=${SHOP}&placement=product&product_id=P4&customer_id=C2&limit=4&locale=de`, { "X-Facet-Key": key, "X-Facet-Customer-Token": token("C2") });
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Facet-Identity")).toBe("verified");
    expect(res.headers.get("Cache-Control")).toContain("private");
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const body = await res.json();
    expect(body.products).toHaveLength(4);
    expect(body.recommendationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.modelVersion).toBeNull(); // no training in this shop: demographic and popularity carry it
    const p = body.products[0];
    expect(Object.keys(p)).toEqual(expect.arrayContaining(["id", "title", "price", "currency", "image", "url", "score", "reasons"]));
    expect(body.products.map((x: { id: string }) => x.id)).not.toContain("P4");
    expect(body.products.map((x: { id: string }) => x.id)).not.toContain("P7"); // out of stock
    // Shopify CDN images pass through; images imported from local files become the app's media URL.
    expect(body.products.some((x: { id: string }) => Number(x.id.slice(1)) % 2 === 0)).toBe(true);
    for (const x of body.products as { id: string; image: string }[]) {
      const i = Number(x.id.slice(1));
      expect(x.image).toBe(i % 2 ? `https://img.example/P${i}.jpg` : `/media/${SHOP}/${x.id}`);
    }
  });

  it("refuses a wrong key, a bad placement and an unknown product with a clear message", async () => {
    expect((await call(`shop=${SHOP}&placement=home`, { "X-Facet-Key": "nope" })).status).toBe(401);
    const bad = await call(`shop=${SHOP}&placement=sidebar`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toMatch(/placement must be one of/);
    const missing = await call(`shop=${SHOP}&placement=product&product_id=NOPE`);
    expect(missing.status).toBe(404);
    expect((await call(`placement=home`)).status).toBe(400);
    // A key in the query string would land in access logs: refused, even a valid one.
    const inQuery = await call(`shop=${SHOP}&placement=home&api_key=${key}`, {});
    expect(inQuery.status).toBe(400);
    expect((await inQuery.json()).message).toMatch(/header/);
  });

  it("binds keys to their shop, revokes them, and stores only their hash", async () => {
    const other = createApiKey("other.myshopify.com", "", new Date(NOW));
    expect((await call(`shop=${SHOP}&placement=home`, { Authorization: `Bearer ${other.key}` })).status).toBe(403);
    const spare = createApiKey(SHOP, "spare", new Date(NOW));
    expect((await call(`shop=${SHOP}&placement=home`, { "X-Facet-Key": spare.key })).status).toBe(200);
    expect(revokeApiKey("other.myshopify.com", spare.row.id, new Date(NOW))).toBe(false); // another shop cannot revoke it
    expect(revokeApiKey(SHOP, spare.row.id, new Date(NOW))).toBe(true);
    expect((await call(`shop=${SHOP}&placement=home`, { "X-Facet-Key": spare.key })).status).toBe(401);
    const raw = JSON.stringify(rawDb().prepare(`SELECT * FROM ApiKey`).all());
    expect(raw).not.toContain(key.split("_")[2]);
    expect(raw).toContain(hashKey(key));
    expect(listApiKeys(SHOP).map((k) => k.label)).toEqual(expect.arrayContaining(["headless", "spare"]));
  });

  it("answers a customer_id without a valid customer token as anonymous", async () => {
    const q = `shop=${SHOP}&placement=home&limit=6`;
    const anonymous = await (await call(q)).json();
    const cases: Record<string, string>[] = [
      {}, // no token
      { "X-Facet-Customer-Token": token("C4") }, // another customer's token
      { "X-Facet-Customer-Token": token("C2", "other.myshopify.com") }, // another shop's token
      { "X-Facet-Customer-Token": token("C2", SHOP, Math.floor(Date.now() / 1000) - 5) }, // expired
      { "X-Facet-Customer-Token": token("C2", SHOP, Math.floor(Date.now() / 1000) + 30 * 86400) }, // lifetime over 24 h
      { "X-Facet-Customer-Token": token("C2").slice(0, -2) + "xx" }, // tampered signature
    ];
    for (const extra of cases) {
      const res = await call(`${q}&customer_id=C2`, { Authorization: `Bearer ${key}`, ...extra });
      expect(res.status).toBe(200);
      expect(res.headers.get("X-Facet-Identity")).toBe("anonymous");
      const body = await res.json();
      expect(body.products.map((p: { id: string }) => p.id)).toEqual(anonymous.products.map((p: { id: string }) => p.id));
      expect(JSON.stringify(body.products.map((p: { reasons: unknown }) => p.reasons))).toEqual(JSON.stringify(anonymous.products.map((p: { reasons: unknown }) => p.reasons)));
    }
    const good = await call(`${q}&customer_id=C2`, { Authorization: `Bearer ${key}`, "X-Facet-Customer-Token": token("C2") });
    expect(good.headers.get("X-Facet-Identity")).toBe("verified");
    expect(verifyCustomerToken(identitySecret(SHOP, new Date(NOW)), token("C2"), SHOP, Date.now())).toBe("C2");
  });

  it("opens the demo shop with FACET_API_KEY in demo mode only", async () => {
    process.env.FACET_API_KEY = "s3cret";
    process.env.FACET_DEMO = "1";
    process.env.FACET_SHOP = SHOP;
    resetEnvForTests();
    try {
      expect((await call(`shop=${SHOP}&placement=home`, { "X-Facet-Key": "s3cret" })).status).toBe(200);
      expect((await call(`shop=other.myshopify.com&placement=home`, { "X-Facet-Key": "s3cret" })).status).toBe(403);
      process.env.FACET_DEMO = "0";
      resetEnvForTests();
      expect((await call(`shop=${SHOP}&placement=home`, { "X-Facet-Key": "s3cret" })).status).toBe(401);
    } finally {
      delete process.env.FACET_API_KEY;
      delete process.env.FACET_DEMO;
      delete process.env.FACET_SHOP;
      resetEnvForTests();
    }
  });

  it("answers the CORS preflight", async () => {
    const res = await action({ request: new Request("http://localhost/api/recommendations", { method: "OPTIONS" }), params: {}, context: {} } as never);
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Headers")).toContain("X-Facet-Key");
  });
});

describe("settings and snapshots", () => {
  it("validates and stores settings; the snapshot swaps after the next freshness check", async () => {
    await expect(saveSettingsOverride(SHOP, { placements: { home: { weights: { visaul: 1 } } } })).rejects.toThrow(/placements\.home\.weights/);
    dropSnapshot();
    const t0 = Date.now();
    const before = await getSnapshot(SHOP, t0);
    expect(before.world.settings.placements.home.weights).toEqual({ collaborative: 0.6, recency: 0.4 });
    await saveSettingsOverride(SHOP, { placements: { home: { weights: { popularity: 1 } } } });
    expect(loadShopSettings(SHOP).placements.home.weights).toEqual({ popularity: 1 });
    expect(await getSnapshot(SHOP, t0 + 1)).toBe(before); // not checked yet
    const during = await getSnapshot(SHOP, t0 + CHECK_INTERVAL_MS + 1); // starts the rebuild, serves the old one
    expect(during).toBe(before);
    await settled(SHOP);
    const after = await getSnapshot(SHOP, t0 + CHECK_INTERVAL_MS + 2);
    expect(after).not.toBe(before);
    expect(after.world.settings.placements.home.weights).toEqual({ popularity: 1 });
    expect(before.world.settings.placements.home.weights).toEqual({ collaborative: 0.6, recency: 0.4 }); // the old one is untouched
  });

  it("an opt-out is stored and makes the customer's list the anonymous one", async () => {
    expect(setPersonalizationOptOut(SHOP, "C0", true)).toBe(true);
    expect(loadCustomerProfiles(SHOP).find((c) => c.id === "C0")?.optOut).toBe(true);
    const s = await buildSnapshot(SHOP, NOW);
    const strip = (r: ReturnType<typeof respond>) => r.products.map((p) => [p.id, p.score, p.reasons]);
    expect(strip(respond(s, { shop: SHOP, placement: "general", customerId: "C0", now: NOW }))).toEqual(strip(respond(s, { shop: SHOP, placement: "general", now: NOW })));
  });

  it("a customer's new interaction counts at the next freshness check, before any rebuild (live tail)", async () => {
    dropSnapshot();
    const t0 = Date.now();
    const s = await getSnapshot(SHOP, t0);
    rawDb().prepare(`INSERT INTO Interaction (shop, id, customerId, productId, type, timestamp) VALUES (?, ?, ?, ?, ?, ?)`).run(SHOP, "LIVE1", "C4", "P20", "add_to_cart", iso(t0));
    const after = await getSnapshot(SHOP, t0 + CHECK_INTERVAL_MS + 1);
    expect(after).toBe(s); // behaviour alone: no rebuild yet
    expect(s.live.get("C4")?.map((e) => [s.world.catalog.ids[e.item], e.type])).toEqual([["P20", "add_to_cart"]]);
    const res = respond(s, { shop: SHOP, placement: "general", customerId: "C4", limit: 8, now: t0 + CHECK_INTERVAL_MS + 2 });
    expect(res.products.some((p) => p.reasonCodes.some((r) => r.params?.anchorId === "P20"))).toBe(true);
  });

  it("new interactions alone never rebuild the world (live tail); structural changes at once, new orders after BEHAVIOUR_REBUILD_MS", async () => {
    const s = await buildSnapshot(SHOP, NOW);
    const later = s.builtAt + BEHAVIOUR_REBUILD_MS * 10;
    const parts = s.stamp.split("|");
    const withPart = (i: number, v: string) => parts.map((p, j) => (j === i ? v : p)).join("|");
    expect(needsRebuild(s, s.stamp, later)).toBe(false);
    // A day after the newest interaction so far (an earlier test writes one at the real clock's time).
    const newest = rawDb().prepare(`SELECT MAX(timestamp) FROM Interaction WHERE shop = ?`).pluck().get(SHOP) as string;
    rawDb().prepare(`INSERT INTO Interaction (shop, id, customerId, productId, type, timestamp) VALUES (?, ?, ?, ?, ?, ?)`).run(SHOP, "LIVE2", "C3", "P21", "view", iso(Date.parse(newest) + 86_400_000));
    const moved = servingStamp(SHOP);
    expect(moved).not.toBe(s.stamp); // the interaction moved the stamp...
    expect(needsRebuild(s, moved, later)).toBe(false); // ...and still no rebuild, however long after
    expect(needsRebuild(s, withPart(6, '{"n":999999}'), s.builtAt + 1)).toBe(false); // orders: not within BEHAVIOUR_REBUILD_MS
    expect(needsRebuild(s, withPart(6, '{"n":999999}'), s.builtAt + BEHAVIOUR_REBUILD_MS)).toBe(true);
    expect(needsRebuild(s, withPart(0, '{"v":"another-version"}'), s.builtAt + 1)).toBe(true); // a new model version: at once
  });
});
