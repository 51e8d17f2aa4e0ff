/**
 * The built server answers Shopify over real HTTP: a signed delivery of every topic shopify.app.toml
 * subscribes answers 200 (within Shopify's 5 s; the latency is printed) and is applied; a tampered
 * one 401; a shop that never installed gets 200 and nothing written, except the compliance topics;
 * a 200 MB unsigned body is refused while reading, without growing the server's memory.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attackRow } from "./attackRow";
import { ROOT, ensureBuild, streamBody, installShop, rssMb, startServer, waitFor, webhookHeaders, type RunningServer } from "./server";

const SHOP = "facet-test.myshopify.com";
const STRANGER = "evil.myshopify.com";
const fixture = (name: string) => fs.readFileSync(path.join(ROOT, "test/fixtures/shopify", name), "utf8");

const FIXTURE_OF: Record<string, string> = {
  "products/create": "webhook-product.json",
  "products/update": "webhook-product.json",
  "products/delete": "webhook-product.json",
  "inventory_levels/update": "webhook-inventory-level.json",
  "orders/create": "webhook-order.json",
  "orders/updated": "webhook-order.json",
  "orders/cancelled": "webhook-order.json",
  "refunds/create": "webhook-refund.json",
  "checkouts/create": "webhook-checkout.json",
  "checkouts/update": "webhook-checkout.json",
  "customers/create": "webhook-customer.json",
  "customers/update": "webhook-customer.json",
  "customers/delete": "webhook-customer.json",
  "app/uninstalled": "webhook-app-uninstalled.json",
  "customers/data_request": "webhook-customers-data-request.json",
  "customers/redact": "webhook-customers-redact.json",
  "shop/redact": "webhook-shop-redact.json",
};

/** Every topic the TOML subscribes, in the order a shop's life sends them (uninstall and redaction last). */
function subscribedTopics(): { topics: string[]; compliance: string[] } {
  const toml = fs.readFileSync(path.join(ROOT, "shopify.app.toml"), "utf8");
  const list = (key: string) => [...toml.matchAll(new RegExp(`^\\s*${key}\\s*=\\s*\\[([^\\]]*)\\]`, "gm"))].flatMap((m) => [...m[1].matchAll(/"([^"]+)"/g)].map((t) => t[1]));
  return { topics: list("topics"), compliance: list("compliance_topics") };
}

let server: RunningServer;

async function deliver(shop: string, topic: string, body: string, headers: Record<string, string> = {}) {
  const t0 = performance.now();
  const res = await fetch(`${server.url}/webhooks`, { method: "POST", headers: webhookHeaders(shop, topic, body, headers), body, signal: AbortSignal.timeout(5000) });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - t0 };
}

const jobRows = (shop: string) => (server.db().prepare(`SELECT COUNT(*) AS n FROM JobRun WHERE shop = ?`).get(shop) as { n: number }).n;

describe("production build: webhooks over HTTP", () => {
  beforeAll(async () => {
    ensureBuild();
    server = await startServer();
    installShop(server, SHOP);
  }, 240_000);
  afterAll(async () => {
    const code = await server?.stop();
    expect(code).toBe(0);
  });

  it("answers 200 to a signed delivery of every subscribed topic and applies it", async () => {
    const { topics, compliance } = subscribedTopics();
    expect(topics.length).toBeGreaterThanOrEqual(14);
    expect(compliance.sort()).toEqual(["customers/data_request", "customers/redact", "shop/redact"]);
    const order = [...topics.filter((t) => t !== "app/uninstalled"), "customers/data_request", "customers/redact", "app/uninstalled", "shop/redact"];
    const latencies: string[] = [];
    for (const topic of order) {
      expect(FIXTURE_OF[topic], `a fixture for ${topic}`).toBeDefined();
      const r = await deliver(SHOP, topic, fixture(FIXTURE_OF[topic]));
      latencies.push(`${topic} ${r.ms.toFixed(0)} ms`);
      expect(r.status, `${topic}\n${server.log().slice(-2000)}`).toBe(200);
      if (topic === "products/update") {
        await waitFor(() => server.db().prepare(`SELECT 1 FROM Product WHERE shop = ? AND id = '8000000000001'`).get(SHOP) !== undefined, "the product row");
      }
    }
    console.log(`webhook answer times: ${latencies.join(", ")}`);
    await waitFor(
      () => (server.db().prepare(`SELECT COUNT(*) AS n FROM JobRun WHERE shop = ? AND status IN ('queued','running')`).get(SHOP) as { n: number }).n === 0,
      "every delivery's job to finish",
      60_000,
    ).catch((e: Error) => {
      const left = server.db().prepare(`SELECT name, status, progress FROM JobRun WHERE shop = ? AND status IN ('queued','running')`).all(SHOP);
      throw new Error(`${e.message}: ${JSON.stringify(left)}\n${server.log().slice(-3000)}`);
    });
    const failed = server.db().prepare(`SELECT name, error FROM JobRun WHERE shop = ? AND status = 'failed'`).all(SHOP);
    expect(failed).toEqual([]);
    expect(server.db().prepare(`SELECT COUNT(*) AS n FROM Session WHERE shop = ?`).get(SHOP)).toEqual({ n: 0 }); // app/uninstalled
  }, 120_000);

  it("answers 401 to a tampered body or a wrong signature, writing nothing", async () => {
    const body = fixture("webhook-product.json");
    const before = jobRows(SHOP);
    const headers = webhookHeaders(SHOP, "products/update", body);
    const tampered = await fetch(`${server.url}/webhooks`, { method: "POST", headers, body: body.replace("8000000000001", "8000000000666") });
    expect(tampered.status).toBe(401);
    expect((await deliver(SHOP, "products/update", body, { "X-Shopify-Hmac-Sha256": "AAAA" })).status).toBe(401);
    expect(jobRows(SHOP)).toBe(before);
  });

  it("acknowledges a shop that never installed without writing, but honours its compliance topics", async () => {
    for (const topic of ["products/update", "orders/create", "customers/create", "app/uninstalled"]) {
      expect((await deliver(STRANGER, topic, fixture(FIXTURE_OF[topic]))).status).toBe(200);
    }
    expect(jobRows(STRANGER)).toBe(0);
    expect(server.db().prepare(`SELECT COUNT(*) AS n FROM Product WHERE shop = ?`).get(STRANGER)).toEqual({ n: 0 });
    expect((await deliver(STRANGER, "customers/redact", fixture("webhook-customers-redact.json"))).status).toBe(200);
    expect(jobRows(STRANGER)).toBe(1); // the redact job (shop/redact below erases the shop's job rows too)
    expect((await deliver(STRANGER, "shop/redact", fixture("webhook-shop-redact.json"))).status).toBe(200);
  });

  it("refuses a 200 MB unsigned body while reading it (413), without buffering it", async () => {
    const rssBefore = rssMb(server.pid);
    const { status, sentMb } = await streamBody(`${server.url}/webhooks`, 200, { "Content-Type": "application/json", "X-Shopify-Topic": "products/update", "X-Shopify-Shop-Domain": SHOP });
    expect(status).toBe(413);
    const grew = rssMb(server.pid) - rssBefore;
    console.log(`200 MB unsigned POST: 413 after ${sentMb} MB sent; server RSS grew ${grew.toFixed(0)} MB`);
    attackRow(import.meta.url, { bullet: 5, attack: "a 200 MB unsigned POST to /webhooks was buffered before the HMAC check (RSS ~1 GB)", how: "POST /webhooks, 200 MB chunked, no signature", now: `${status} after ${sentMb} MB sent; RSS grew ${grew.toFixed(0)} MB` });
    expect(grew).toBeLessThan(100);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
