/**
 * The lean path (app/http/front.server.ts) against Remix, over real HTTP on the built server: two
 * production servers on the same database — WEB_CONCURRENCY=2 (a cluster of two server processes,
 * lean path in front) and FACET_LEAN_PATH=0 (one process, everything through Express + Remix, the path these
 * routes took before) — answer the same statuses, bodies and headers to the same requests: probes,
 * the API (400, 401, 403, 405, 204 preflight, CORS, 200 with a list), the app proxy (signature
 * checks 401, 400, 413, 200), /ingest (204, 405, 413, 429 with Retry-After, CORS). Then the answer
 * cache: a settings change (a product hidden) reaches the cached anonymous answer.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signProxyParams } from "../../app/storefront/proxySignature.server";
import { SECRET, ensureBuild, installShop, startServer, waitFor, type RunningServer } from "./server";

const SHOP = "facet-front.myshopify.com";
const ORIGIN = `https://${SHOP}`;
const KEY = `fk_f0f0f0f0_${"k".repeat(43)}`;
const PRODUCTS = ["9100000000001", "9100000000002", "9100000000003", "9100000000004", "9100000000005", "9100000000006"];
let lean: RunningServer;
let remix: RunningServer;

/** Headers that must match (the transport's own — date, keep-alive, content-length vs chunked — may differ). */
const COMPARED = [
  "content-type",
  "cache-control",
  "vary",
  "allow",
  "retry-after",
  "access-control-allow-origin",
  "access-control-allow-methods",
  "access-control-allow-headers",
  "access-control-max-age",
  "x-facet-identity",
  "connection",
];

interface Answer {
  status: number;
  headers: Record<string, string | null>;
  body: string;
}

async function ask(base: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const r = await fetch(`${base}${path}`, init);
  const body = (await r.text()).replace(/"recommendationId":"[^"]+"/g, '"recommendationId":"*"').replace(/data-recommendation-id="[^"]+"/g, 'data-recommendation-id="*"');
  const headers = Object.fromEntries(COMPARED.map((h) => [h, r.headers.get(h)]));
  if (headers.connection === "keep-alive") headers.connection = null;
  return { status: r.status, headers, body };
}

function proxyPath(route: string, extra: Record<string, string> = {}, sign = true): string {
  const p = new URLSearchParams({ shop: SHOP, logged_in_customer_id: "", path_prefix: "/apps/facet", timestamp: String(Math.floor(Date.now() / 1000)), ...extra });
  if (sign) p.set("signature", signProxyParams(p, SECRET));
  return `/proxy/${route}?${p}`;
}

let seq = 0;
const ingestBody = (clientId: string) =>
  JSON.stringify({
    shop: SHOP,
    clientId,
    customerId: null,
    sessionId: "s-front",
    consent: { analytics: true, marketing: false, preferences: true, saleOfData: false },
    events: [{ id: `front-evt-${++seq}`, name: "product_viewed", timestamp: new Date().toISOString(), productIds: [PRODUCTS[0]] }],
  });

const auth = { Authorization: `Bearer ${KEY}` };

describe("production build: the lean path answers as Remix did", () => {
  beforeAll(async () => {
    ensureBuild();
    lean = await startServer({ env: { INGEST_CLIENT_EVENTS_PER_MINUTE: "3", WEB_CONCURRENCY: "2" } });
    remix = await startServer({ dir: lean.dir, env: { FACET_LEAN_PATH: "0", WEB_CONCURRENCY: "1", INGEST_CLIENT_EVENTS_PER_MINUTE: "3" } });
    installShop(lean, SHOP);
    const db = lean.db();
    const now = new Date().toISOString();
    for (const [i, id] of PRODUCTS.entries()) {
      db.prepare(
        `INSERT INTO Product (shop, id, title, category, brand, price, imageUrl, material, stockStatus, updatedAt) VALUES (?, ?, ?, 'rings', 'b', ?, '', 'silver', 'in_stock', ?)`,
      ).run(SHOP, id, `Ring ${i}`, 10 + i, now);
    }
    db.prepare(`INSERT INTO ApiKey (id, shop, hash, label, createdAt) VALUES (?, ?, ?, 'front', ?)`).run("f0f0f0f0", SHOP, crypto.createHash("sha256").update(KEY).digest("hex"), now);
  }, 300_000);
  afterAll(async () => {
    expect(await remix?.stop()).toBe(0);
    expect(await lean?.stop()).toBe(0);
  });

  it("runs WEB_CONCURRENCY server processes behind one port", () => {
    expect(lean.log()).toMatch(/listening on http:\/\/localhost:\d+ \(2 processes;/);
  });

  it("answers the same statuses, bodies and headers on every lean route", async () => {
    const cases: [string, RequestInit?][] = [
      ["/healthz"],
      ["/readyz"],
      ["/api/recommendations"],
      [`/api/recommendations?shop=${SHOP}&placement=home`],
      [`/api/recommendations?shop=${SHOP}&placement=home`, { headers: { Authorization: "Bearer fk_nope_nope" } }],
      [`/api/recommendations?shop=other-shop.myshopify.com&placement=home`, { headers: auth }],
      [`/api/recommendations?shop=${SHOP}&placement=home&key=${KEY}`],
      [`/api/recommendations?shop=${SHOP}&placement=nowhere`, { headers: auth }],
      [`/api/recommendations?shop=${SHOP}&placement=product&product_id=unknown-1`, { headers: auth }],
      [`/api/recommendations?shop=${SHOP}&placement=home&limit=3`, { headers: auth }],
      [`/api/recommendations?shop=${SHOP}&placement=home&limit=3`, { headers: auth }],
      [`/api/recommendations?shop=${SHOP}&placement=home&customer_id=c-1`, { headers: auth }],
      [`/api/recommendations?shop=${SHOP}&placement=home`, { method: "OPTIONS", headers: { Origin: ORIGIN, "Access-Control-Request-Method": "GET" } }],
      [`/api/recommendations?shop=${SHOP}`, { method: "DELETE", headers: auth }],
      [proxyPath("recommendations", { placement: "home" }, false)],
      [proxyPath("recommendations", { placement: "home" }).replace(/signature=[0-9a-f]+/, "signature=00")],
      [proxyPath("recommendations", { placement: "nowhere" })],
      [proxyPath("recommendations", { placement: "home" })],
      [proxyPath("recommendations", { placement: "home", format: "html" })],
      [proxyPath("events", {}, false), { method: "POST", body: "{}" }],
      [proxyPath("events"), { method: "POST", body: "{oops" }],
      [proxyPath("events"), { method: "POST", body: "x".repeat(20_000) }],
      [proxyPath("events")],
      ["/apps/facet/recommendations?placement=home"],
      ["/ingest"],
      ["/ingest", { method: "OPTIONS", headers: { Origin: ORIGIN, "Access-Control-Request-Method": "POST" } }],
      ["/ingest", { method: "POST", headers: { "Content-Type": "text/plain", Origin: ORIGIN }, body: "{not json" }],
      ["/ingest", { method: "POST", headers: { "Content-Type": "text/plain", Origin: ORIGIN }, body: "x".repeat(70 * 1024) }],
      ["/ingest/"],
    ];
    let compared = 0;
    for (const [path, init] of cases) {
      const a = await ask(lean.url, path, init);
      const b = await ask(remix.url, path, init);
      expect(a, `${init?.method ?? "GET"} ${path.slice(0, 120)}`).toEqual(b);
      compared++;
    }
    expect(compared).toBe(cases.length);
    // the list itself was answered (not only refusals)
    const ok = JSON.parse((await ask(lean.url, `/api/recommendations?shop=${SHOP}&placement=home&limit=3`, { headers: auth })).body);
    expect(ok.products.length).toBeGreaterThan(0);
  });

  it("/ingest refuses a flooding client with 429 and Retry-After on both paths", async () => {
    for (const [name, server] of [["lean", lean], ["remix", remix]] as const) {
      let last: Answer | undefined;
      for (let i = 0; i < 8 && last?.status !== 429; i++) {
        last = await ask(server.url, "/ingest", { method: "POST", headers: { "Content-Type": "text/plain", Origin: ORIGIN }, body: ingestBody(`flood-${name}`) });
      }
      expect(last?.status, name).toBe(429);
      expect(last?.headers["retry-after"]).toBe("60");
      expect(last?.headers["access-control-allow-origin"]).toBe(ORIGIN);
    }
  });

  it("a cached anonymous answer follows a settings change (the hidden product goes)", async () => {
    const list = async () => {
      const a = await ask(lean.url, `/api/recommendations?shop=${SHOP}&placement=home&limit=6`, { headers: auth });
      expect(a.status, a.body).toBe(200);
      return JSON.parse(a.body).products.map((p: { id: string }) => p.id) as string[];
    };
    // warm every process's cache (the processes may have loaded the shop at different times, so
    // their lists may differ in order: the product hidden is one every list holds)
    const before = await Promise.all([list(), list(), list(), list()]);
    const hidden = before[0].find((id) => before.every((l) => l.includes(id))) as string;
    expect(hidden).toBeDefined();
    lean
      .db()
      .prepare(`INSERT INTO Setting (shop, key, value, updatedAt) VALUES (?, 'recommend', ?, ?) ON CONFLICT(shop, key) DO UPDATE SET value = excluded.value, updatedAt = excluded.updatedAt`)
      .run(SHOP, JSON.stringify({ global: { hidden: [hidden] } }), new Date().toISOString());
    // every server process sees the change at its next freshness check (<= 5 s) and rebuilds
    let seen = 0;
    await waitFor(async () => {
      const now = await Promise.all([list(), list(), list(), list()]);
      seen = now.filter((l) => !l.includes(hidden)).length;
      return seen === now.length;
    }, `every process to drop ${hidden} after the settings change`, 30_000);
    expect(seen).toBe(4);
  });
});
