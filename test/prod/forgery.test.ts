/**
 * Issue 15 point 4 over real HTTP against the built server: storefront events cannot be forged into a
 * customer. The web pixel's body names a customer only when a signed link (the app proxy's
 * logged_in_customer_id with the client id) proves it; rotating client ids meets per-IP and per-shop
 * limits on NEW client ids per minute; and 2,000 forged events under 100 client ids do not trigger a
 * retrain, while 3 signed customers do (threshold 3: the positive control).
 *
 * FACET_TRUST_PROXY=1 makes the server take the caller's address from X-Forwarded-For (as behind a
 * load balancer), so one test process can play many attacking addresses.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signProxyParams } from "../../app/storefront/proxySignature.server";
import { attackRow } from "./attackRow";
import { SECRET, ensureBuild, installShop, startServer, waitFor, type RunningServer } from "./server";

const SHOP = "facet-forgery.myshopify.com";
const ORIGIN = `https://${SHOP}`;
const PER_IP = 5;
const PER_SHOP = 150;
let server: RunningServer;
let seq = 0;

const events = (n: number, name = "product_added_to_cart") =>
  Array.from({ length: n }, () => ({ id: `forge-${++seq}`, name, timestamp: new Date().toISOString(), productIds: ["8000000000001"] }));

const ingest = (clientId: string, customerId: string | null, ip: string, n = 1, extra: Record<string, string> = {}) =>
  fetch(`${server.url}/ingest`, {
    method: "POST",
    headers: { "Content-Type": "text/plain", Origin: ORIGIN, "X-Forwarded-For": ip, ...extra },
    body: JSON.stringify({ shop: SHOP, clientId, customerId, sessionId: "s-1", consent: { analytics: true, marketing: false, preferences: true, saleOfData: false }, events: events(n) }),
  });

function proxyUrl(route: string, extra: Record<string, string>): string {
  const p = new URLSearchParams({ shop: SHOP, logged_in_customer_id: "", path_prefix: "/apps/facet", timestamp: String(Math.floor(Date.now() / 1000)), ...extra });
  p.set("signature", signProxyParams(p, SECRET));
  return `${server.url}/proxy/${route}?${p}`;
}

const count = (sql: string, ...args: unknown[]) => (server.db().prepare(sql).get(...args) as { n: number }).n;
const jobs = (name: string) => server.db().prepare(`SELECT id, status, result FROM JobRun WHERE shop = ? AND name = ? ORDER BY createdAt`).all(SHOP, name) as { id: string; status: string; result: string | null }[];

describe("production build: storefront events cannot be forged into a customer", () => {
  beforeAll(async () => {
    ensureBuild();
    server = await startServer({
      env: {
        FACET_TRUST_PROXY: "1",
        INGEST_NEW_CLIENTS_PER_IP_PER_MINUTE: String(PER_IP),
        INGEST_NEW_CLIENTS_PER_SHOP_PER_MINUTE: String(PER_SHOP),
        RETRAIN_CHECK_WINDOW_MS: "300",
      },
    });
    installShop(server, SHOP);
    server.db().prepare(`INSERT INTO Setting (shop, key, value, updatedAt) VALUES (?, 'freshness.retrainThreshold', '3', ?)`).run(SHOP, new Date().toISOString());
  }, 240_000);
  afterAll(async () => expect(await server?.stop()).toBe(0));

  it("2,000 forged add-to-carts for customer 31337 under 100 rotating client ids: stored anonymous, no link, no retrain", async () => {
    for (let c = 0; c < 100; c++) {
      const r = await ingest(`forged-client-${c}`, "31337", `198.51.100.${Math.floor(c / PER_IP)}`, 20);
      expect(r.status, await r.text()).toBe(200);
    }
    expect(count(`SELECT COUNT(*) AS n FROM Interaction WHERE shop = ? AND clientId LIKE 'forged-client-%'`, SHOP)).toBe(2000);
    expect(count(`SELECT COUNT(*) AS n FROM Interaction WHERE shop = ? AND customerId IS NOT NULL`, SHOP)).toBe(0);
    expect(count(`SELECT COUNT(*) AS n FROM ClientLink WHERE shop = ?`, SHOP)).toBe(0);
    // The retrain check ran (debounce 300 ms) and counted no real customer.
    await waitFor(() => jobs("retrainCheck").some((j) => j.status === "completed"), "the retrain check", 30_000);
    const check = jobs("retrainCheck").find((j) => j.status === "completed")!;
    expect(JSON.parse(check.result!)).toMatchObject({ newCustomers: 0, threshold: 3, train: null });
    expect(jobs("train")).toEqual([]);
    attackRow(import.meta.url, { bullet: 4, attack: "2,000 forged events triggered a retrain", how: "100 × POST /ingest of 20 add-to-carts claiming customer 31337, 100 rotating client ids, 20 addresses", now: `200 each; ${count(`SELECT COUNT(*) AS n FROM Interaction WHERE shop = ? AND customerId IS NOT NULL`, SHOP)} events under a customer; the retrain check counted ${JSON.parse(check.result!).newCustomers} real customers; ${jobs("train").length} trains` });
  }, 120_000);

  it("a customer the app proxy signed (logged_in_customer_id + client id) is kept; a different claimed customer is not", async () => {
    for (const n of [1, 2, 3]) {
      const r = await fetch(proxyUrl("recommendations", { placement: "home", logged_in_customer_id: `70000${n}`, client_id: `signed-client-${n}` }));
      expect(r.status).toBeLessThan(500);
      await r.arrayBuffer();
    }
    expect(count(`SELECT COUNT(*) AS n FROM ClientLink WHERE shop = ?`, SHOP)).toBe(3);
    // The linked client claims someone else: anonymous.
    expect((await ingest("signed-client-1", "31337", "192.0.2.1")).status).toBe(200);
    expect(count(`SELECT COUNT(*) AS n FROM Interaction WHERE shop = ? AND customerId = '31337'`, SHOP)).toBe(0);
    // Each linked client claims its own customer: kept, and 3 real customers reach the threshold.
    for (const n of [1, 2, 3]) expect((await ingest(`signed-client-${n}`, `70000${n}`, "192.0.2.1", 2)).status).toBe(200);
    expect(count(`SELECT COUNT(DISTINCT customerId) AS n FROM Interaction WHERE shop = ? AND customerId IS NOT NULL`, SHOP)).toBe(3);
    const enqueuedTrain = () => jobs("retrainCheck").filter((j) => j.status === "completed" && JSON.parse(j.result!).train);
    await waitFor(() => enqueuedTrain().length > 0, "a train enqueued by 3 signed customers", 30_000);
    expect(JSON.parse(enqueuedTrain()[0].result!)).toMatchObject({ newCustomers: 3, threshold: 3 });
    expect(jobs("train").length).toBe(1);
  }, 60_000);

  it("new client ids are limited per IP address (a forged X-Facet-Client-IP changes nothing) and per shop", async () => {
    let status = 0;
    let accepted = 0;
    for (let i = 0; i < 2 * PER_IP + 1 && status !== 429; i++) {
      const r = await ingest(`rot-ip-${i}`, null, "203.0.113.7", 1, { "X-Facet-Client-IP": `10.0.0.${i}` });
      status = r.status;
      if (status === 200) accepted++;
      else expect(await r.json()).toEqual({ error: "too many new client ids from this address" });
    }
    expect(status).toBe(429);
    expect(accepted).toBeLessThanOrEqual(2 * PER_IP);
    attackRow(import.meta.url, { bullet: 4, attack: "rotating the client id bypassed the per-client limit", how: "POST /ingest with a new clientId each time from one address (X-Facet-Client-IP forged too)", now: `429 after ${accepted} new client ids from that address (limit ${PER_IP}/min)` });
    // A client id seen before is not new: it still gets through from that address.
    expect((await ingest("rot-ip-0", null, "203.0.113.7")).status).toBe(200);
    // Many addresses, one shop: the shop's budget of new client ids ends too.
    status = 0;
    for (let i = 0; i < 2 * PER_SHOP + 1 && status !== 429; i++) {
      const r = await ingest(`rot-shop-${i}`, null, `198.18.${Math.floor(i / PER_IP)}.${i % PER_IP}`);
      status = r.status;
      if (status !== 200) expect(await r.json()).toEqual({ error: "too many new client ids for this shop" });
      else await r.arrayBuffer();
    }
    expect(status).toBe(429);
    attackRow(import.meta.url, { bullet: 4, attack: "new client ids per shop were unbounded", how: "POST /ingest, a new clientId each time from many addresses", now: `429 once the shop's budget of new client ids (${PER_SHOP}/min) was spent` });
  }, 120_000);
});
