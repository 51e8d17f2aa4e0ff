/**
 * Issue 15 point 10: the attack table, re-run against the built server (`npm start` on a
 * fresh database), each row with the status it now gets (test/prod/attackRow.ts records them). The
 * rows that need a server of their own or a longer setup (Redis down, kill -9, personal data scans,
 * 200 MB bodies, /media, forged floods) are recorded by lifecycle, erasure, webhooks, routes and
 * forgery; this file re-runs the others. docs/SECURITY.md has the table of a run.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashKey } from "../../app/models/apiKey.server";
import { testDbProvider } from "../helpers/db";
import { attackRow } from "./attackRow";
import { ROOT, ensureBuild, installShop, startServer, webhookHeaders, type RunningServer } from "./server";

const A = "facet-attack-a.myshopify.com";
const B = "facet-attack-b.myshopify.com";
const KEY_A = `fk_0a0a0a0a_${"A".repeat(43)}`;
const fixture = (name: string) => fs.readFileSync(path.join(ROOT, "test/fixtures/shopify", name), "utf8");
let server: RunningServer;
const record = (bullet: number, attack: string, how: string, now: string) => attackRow(import.meta.url, { bullet, attack, how, now });

async function post(route: string, body: string, headers: Record<string, string>) {
  const t0 = performance.now();
  const r = await fetch(`${server.url}${route}`, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000) });
  const text = await r.text();
  return { status: r.status, ms: Math.round(performance.now() - t0), text, headers: r.headers };
}

describe("production build: the issue's attack table, re-run", () => {
  beforeAll(async () => {
    ensureBuild();
    server = await startServer();
    installShop(server, A);
    installShop(server, B);
    server.db().prepare(`INSERT INTO ApiKey (id, shop, hash, label, createdAt) VALUES (?, ?, ?, 'attack', ?)`).run(KEY_A.slice(3, 11), A, hashKey(KEY_A), new Date().toISOString());
  }, 240_000);
  afterAll(async () => expect(await server?.stop()).toBe(0));

  it("webhooks: signed 200 on a fresh database, tampered 401, unknown shop 200 with nothing written", async () => {
    const body = fixture("webhook-order.json");
    const ok = await post("/webhooks", body, webhookHeaders(A, "orders/create", body));
    expect(ok.status).toBe(200);
    expect(ok.ms).toBeLessThan(5000); // Shopify waits 5 s; the figure is in the table (a loaded 2-core CI box: 1.6 s seen)
    record(1, "correctly signed webhook answered 500 (Response.json)", "POST /webhooks orders/create, signed", `${ok.status} in ${ok.ms} ms`);
    record(2, "fresh database had no tables: first webhook waited 10 s, MissingSessionTableError", "the same delivery, the first request to a server started on an empty folder", `${ok.status} in ${ok.ms} ms (migrated before listening)`);
    const tampered = await post("/webhooks", body.replace("138.00", "1.00"), webhookHeaders(A, "orders/create", body));
    expect(tampered.status).toBe(401);
    record(1, "tampered webhook", "POST /webhooks, body changed after signing", String(tampered.status));
    const evil = "evil.myshopify.com";
    const pb = fixture("webhook-product.json");
    const unknown = await post("/webhooks", pb, webhookHeaders(evil, "products/create", pb));
    const written = (server.db().prepare(`SELECT COUNT(*) AS n FROM Product WHERE shop = ?`).get(evil) as { n: number }).n;
    expect([unknown.status, written]).toEqual([200, 0]);
    record(9, "webhooks of a shop that never installed were applied", "POST /webhooks products/create, signed, X-Shopify-Shop-Domain evil.myshopify.com", `${unknown.status}, ${written} rows written`);
  });

  it("/ingest answers its statuses with CORS; a forged customerId writes into nobody's profile", async () => {
    const h = { "Content-Type": "text/plain", Origin: `https://${A}` };
    const bad = await post("/ingest", "{nope", h);
    expect(bad.status).toBe(400);
    record(1, "every /ingest request answered 500, no CORS headers", "POST /ingest body `{nope`, Origin of the shop", `${bad.status}, Access-Control-Allow-Origin ${bad.headers.get("access-control-allow-origin")}`);
    const big = await post("/ingest", JSON.stringify({ shop: A, pad: "x".repeat(100 * 1024) }), h);
    expect(big.status).toBe(413);
    record(1, "/ingest 413 never reached a client", "POST /ingest 100 KB body (limit 64 KB), Content-Length", `${big.status}, Access-Control-Allow-Origin ${big.headers.get("access-control-allow-origin")}`);
    let stored = 0;
    for (let i = 0; i < 20; i++) {
      const r = await post(
        "/ingest",
        JSON.stringify({ shop: A, clientId: `attacker-${i}`, customerId: "31337", consent: { analytics: true, marketing: false, preferences: false, saleOfData: false }, events: [{ id: `atk-${i}`, name: "product_added_to_cart", timestamp: new Date().toISOString(), productIds: ["8000000000001"] }] }),
        h,
      );
      expect(r.status).toBe(200);
      stored += (JSON.parse(r.text) as { stored: number }).stored;
    }
    const forged = (server.db().prepare(`SELECT COUNT(*) AS n FROM Interaction WHERE shop = ? AND customerId = '31337'`).get(A) as { n: number }).n;
    expect(forged).toBe(0);
    record(4, "20 forged add-to-carts for customer 31337 changed their recommendations", "20 × POST /ingest {customerId: \"31337\"}, a new clientId each", `200 each; ${stored} events stored anonymous, ${forged} under 31337`);
  });

  it("headless API: a key opens its own shop only, never from the query string; a customer_id without a token is anonymous", async () => {
    const api = (shop: string, headers: Record<string, string>, extra = "") => fetch(`${server.url}/api/recommendations?shop=${shop}&placement=home${extra}`, { headers });
    const other = await api(B, { Authorization: `Bearer ${KEY_A}` }, "&customer_id=C000001");
    expect(other.status).toBe(403);
    record(3, "one API key read every shop's customers", "GET /api/recommendations?shop=B&customer_id=C000001, Authorization: Bearer <key of shop A>", String(other.status));
    const inQuery = await api(A, {}, `&api_key=${KEY_A}`);
    expect(inQuery.status).toBe(400);
    const logged = server.log().includes(KEY_A);
    expect(logged).toBe(false);
    record(7, "the API key in a query string landed in the access log", "GET /api/recommendations?api_key=<key>", `${inQuery.status}; key in the server's log: ${logged ? "yes" : "no"}`);
    const none = await api(A, {});
    expect(none.status).toBe(401);
    record(3, "no key", "GET /api/recommendations without Authorization", String(none.status));
    const own = await api(A, { Authorization: `Bearer ${KEY_A}` }, "&customer_id=C000001");
    const body = (await own.json().catch(() => null)) as { personalised?: boolean; customerId?: string | null } | null;
    expect(own.status).not.toBe(403);
    expect(body?.customerId ?? null).toBeNull();
    record(3, "a customer_id alone got that customer's personalised list and reasons", "GET /api/recommendations?customer_id=C000001 with the shop's own key, no customer token", `${own.status}, customerId ${JSON.stringify(body?.customerId ?? null)} (the anonymous answer)`);
  });

  // SQLite only: on PostgreSQL the data files belong to the database server (its own user and
  // mode 0700 data directory) and access is by role and pg_hba, not by a file the app creates.
  it.skipIf(testDbProvider === "postgres")("the database file and its WAL are not world-readable (SQLite: the app creates the file)", () => {
    const modes = [server.dbFile, `${server.dbFile}-wal`, path.join(server.dir, "data")].filter((f) => fs.existsSync(f)).map((f) => fs.statSync(f).mode & 0o777);
    for (const m of modes) expect(m & 0o077).toBe(0);
    record(7, "the database file was world-readable", "stat facet.db, facet.db-wal, data/", modes.map((m) => `0${m.toString(8)}`).join(", "));
  });

  it("shop/redact leaves no folder of the shop behind (data/index/<shop> was left)", async () => {
    const dirs = ["index", "indexes", "models", "exports", "batch"].map((d) => path.join(server.dir, "data", d, B));
    for (const d of dirs) {
      fs.mkdirSync(d, { recursive: true });
      fs.writeFileSync(path.join(d, "left.bin"), "x");
    }
    const body = JSON.stringify({ shop_id: 2, shop_domain: B });
    expect((await post("/webhooks", body, webhookHeaders(B, "shop/redact", body))).status).toBe(200);
    const left = async () => dirs.filter((d) => fs.existsSync(d));
    const end = Date.now() + 30_000;
    while ((await left()).length && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(await left()).toEqual([]);
    record(8, "shop/redact left data/index/<shop> behind", "POST /webhooks shop/redact, signed, after files were put in data/{index,indexes,models,exports,batch}/<shop>", `200; ${dirs.length - (await left()).length} of ${dirs.length} folders gone`);
  });
});
