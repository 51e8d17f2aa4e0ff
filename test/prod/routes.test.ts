/**
 * The built server's public routes over real HTTP, with the statuses and headers they document:
 * /ingest (204 preflight, 400, 413 while reading a chunked 400 MB body, 429, CORS on every answer),
 * the app proxy (401 unsigned, 400 bad parameter, 200/202 signed), /media (only files inside the
 * shop's import folder: a symlink out of it and an absolute path a webhook recorded are 404),
 * /healthz and /readyz.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signProxyParams } from "../../app/storefront/proxySignature.server";
import { attackRow } from "./attackRow";
import { ROOT, SECRET, ensureBuild, installShop, rssMb, startServer, streamBody, waitFor, webhookHeaders, type RunningServer } from "./server";

const SHOP = "facet-routes.myshopify.com";
const ORIGIN = `https://${SHOP}`;
let server: RunningServer;
let seq = 0;

const batch = (over: Record<string, unknown> = {}) => ({
  shop: SHOP,
  clientId: "client-prod",
  customerId: null,
  sessionId: "s-1",
  consent: { analytics: true, marketing: false, preferences: true, saleOfData: false },
  events: [{ id: `prod-evt-${++seq}`, name: "product_viewed", timestamp: new Date().toISOString(), productIds: ["8000000000001"] }],
  ...over,
});

const ingest = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/ingest`, { method: "POST", headers: { "Content-Type": "text/plain", Origin: ORIGIN, ...headers }, body });

function proxyUrl(route: string, extra: Record<string, string> = {}, sign = true): string {
  const p = new URLSearchParams({ shop: SHOP, logged_in_customer_id: "", path_prefix: "/apps/facet", timestamp: String(Math.floor(Date.now() / 1000)), ...extra });
  if (sign) p.set("signature", signProxyParams(p, SECRET));
  return `${server.url}/proxy/${route}?${p}`;
}

describe("production build: public routes over HTTP", () => {
  beforeAll(async () => {
    ensureBuild();
    server = await startServer({ env: { INGEST_CLIENT_EVENTS_PER_MINUTE: "5" } });
    installShop(server, SHOP);
  }, 240_000);
  afterAll(async () => expect(await server?.stop()).toBe(0));

  it("liveness and readiness answer 200 with the database checked", async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ok: true, database: "ok" });
  });

  it("/ingest answers its documented statuses, each with the CORS headers", async () => {
    const pre = await fetch(`${server.url}/ingest`, { method: "OPTIONS", headers: { Origin: ORIGIN, "Access-Control-Request-Method": "POST" } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(pre.headers.get("access-control-allow-methods")).toContain("POST");

    const cases: [string, number][] = [
      [JSON.stringify(batch()), 200],
      ["{not json", 400],
      [JSON.stringify({ ...batch(), events: "x" }), 400],
      [JSON.stringify(batch({ shop: "never-installed.myshopify.com" })), 404],
      [JSON.stringify(batch({ consent: { analytics: false, marketing: false, preferences: false, saleOfData: false } })), 202],
      ["x".repeat(70 * 1024), 413],
    ];
    for (const [body, status] of cases) {
      const r = await ingest(body);
      expect(r.status, body.slice(0, 80)).toBe(status);
      expect(r.headers.get("access-control-allow-origin")).toBe(ORIGIN);
      expect(r.headers.get("content-type")).toMatch(/application\/json/);
      await r.arrayBuffer();
    }
    let last = 0;
    for (let i = 0; i < 8 && last !== 429; i++) {
      const r = await ingest(JSON.stringify(batch({ clientId: "client-flood" })));
      last = r.status;
      if (last === 429) {
        expect(r.headers.get("retry-after")).toBe("60");
        expect(r.headers.get("access-control-allow-origin")).toBe(ORIGIN);
      }
    }
    expect(last).toBe(429);
    attackRow(import.meta.url, { bullet: 1, attack: "the 429, 413 and 400 answers of /ingest never reached a client (500)", how: "POST /ingest: malformed, wrong shapes, unknown shop, no consent, 70 KB, then one client id flooding", now: `${cases.map(([, st]) => st).join(", ")}, then 429 with Retry-After 60; CORS header on each` });
    expect((server.db().prepare(`SELECT COUNT(*) AS n FROM Interaction WHERE shop = ?`).get(SHOP) as { n: number }).n).toBeGreaterThan(0);
  });

  it("/ingest stops reading a chunked 400 MB body at its 64 KB limit", async () => {
    const before = rssMb(server.pid);
    const r = await streamBody(`${server.url}/ingest`, 400, { "Content-Type": "text/plain", Origin: ORIGIN });
    expect(r.status).toBe(413);
    expect(r.sentMb).toBeLessThan(400);
    const grew = rssMb(server.pid) - before;
    console.log(`chunked 400 MB to /ingest: 413 after ${r.sentMb} MB sent; RSS grew ${grew.toFixed(0)} MB`);
    attackRow(import.meta.url, { bullet: 5, attack: "a chunked 400 MB body to /ingest was read before the 64 KB limit", how: "POST /ingest, 400 MB chunked (no Content-Length)", now: `${r.status} after ${r.sentMb} MB sent; RSS grew ${grew.toFixed(0)} MB` });
    expect(grew).toBeLessThan(100);
  });

  it("the app proxy refuses unsigned (401) and bad parameters (400), answers signed requests", async () => {
    expect((await fetch(proxyUrl("recommendations", { placement: "home" }, false))).status).toBe(401);
    expect((await fetch(proxyUrl("events", {}, false), { method: "POST", body: "{}" })).status).toBe(401);
    const bad = await fetch(proxyUrl("recommendations", { placement: "nowhere" }));
    expect(bad.status).toBe(400);
    const ok = await fetch(proxyUrl("recommendations", { placement: "home" }));
    expect([200, 204]).toContain(ok.status);
    expect((await fetch(proxyUrl("events"), { method: "POST", body: "x".repeat(20_000) })).status).toBe(413);
    expect((await fetch(proxyUrl("events"), { method: "POST", body: "{oops" })).status).toBe(400);
  });

  it("paths Remix would crash on answer 400: bad percent-encoding, a backslash or // naming another host (the fuzz test found /%5c: 500)", async () => {
    const statuses: Record<string, number> = {};
    for (const p of ["/%5c", "/%5Cevil.example", "//evil.example/x", "/%2F%2Fevil.example", "/%E0%A4%A"]) {
      const r = await fetch(`${server.url}${p}`, { redirect: "manual" });
      await r.arrayBuffer();
      statuses[p] = r.status;
    }
    expect(statuses).toEqual({ "/%5c": 400, "/%5Cevil.example": 400, "//evil.example/x": 400, "/%2F%2Fevil.example": 400, "/%E0%A4%A": 400 });
  });

  it("/media serves only files inside the shop's import folder", async () => {
    const importDir = path.join(server.dir, "import");
    fs.mkdirSync(path.join(importDir, "images"), { recursive: true });
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from("facet test image")]);
    fs.writeFileSync(path.join(importDir, "images", "ring.png"), png);
    fs.symlinkSync("/etc/passwd", path.join(importDir, "images", "evil.png"));
    const outside = path.join(server.dir, "outside.png");
    fs.writeFileSync(outside, png);
    const db = server.db();
    db.prepare(`INSERT INTO Setting (shop, key, value) VALUES (?, 'import.dir', ?)`).run(SHOP, JSON.stringify(importDir));
    const product = db.prepare(
      `INSERT INTO Product (shop, id, title, category, brand, price, imageUrl, material, stockStatus, updatedAt) VALUES (?, ?, 't', 'rings', 'b', 1, ?, 'silver', 'in_stock', ?)`,
    );
    const now = new Date().toISOString();
    product.run(SHOP, "P-inside", path.join(importDir, "images", "ring.png"), now);
    product.run(SHOP, "P-relative", "images/ring.png", now);
    product.run(SHOP, "P-symlink", "images/evil.png", now);
    product.run(SHOP, "P-dotdot", "../outside.png", now);
    product.run(SHOP, "P-passwd", "/etc/passwd", now);

    // An absolute local path recorded by a signed webhook (images[0].src).
    const body = JSON.parse(fs.readFileSync(path.join(ROOT, "test/fixtures/shopify/webhook-product.json"), "utf8"));
    body.id = 8000000000999;
    body.images = [{ ...(body.images?.[0] ?? {}), src: outside }];
    const raw = JSON.stringify(body);
    const wh = await fetch(`${server.url}/webhooks`, { method: "POST", headers: webhookHeaders(SHOP, "products/update", raw), body: raw });
    expect(wh.status).toBe(200);
    await waitFor(() => db.prepare(`SELECT imageUrl FROM Product WHERE shop = ? AND id = '8000000000999'`).get(SHOP) !== undefined, "the webhook's product");
    expect((db.prepare(`SELECT imageUrl FROM Product WHERE shop = ? AND id = '8000000000999'`).get(SHOP) as { imageUrl: string }).imageUrl).toBe(outside);

    const status = async (id: string) => (await fetch(`${server.url}/media/${SHOP}/${id}`)).status;
    expect(await status("P-inside")).toBe(200);
    expect(await status("P-relative")).toBe(200);
    expect(await status("P-symlink")).toBe(404);
    expect(await status("P-dotdot")).toBe(404);
    expect(await status("P-passwd")).toBe(404);
    expect(await status("8000000000999")).toBe(404);
    expect(await status("no-such-product")).toBe(404);
    expect(await status("P-inside%00")).toBe(404); // a NUL, which PostgreSQL cannot compare (was a 500 there)
    expect(await status("P-in%0Aside")).toBe(404);
    attackRow(import.meta.url, { bullet: 8, attack: "/media served an absolute local path a webhook recorded as the image", how: "signed products/update with images[0].src = a local file; GET /media/<shop>/<id>", now: String(await status("8000000000999")) });
    attackRow(import.meta.url, { bullet: 8, attack: "/media followed a symlink out of the import folder (/etc/passwd as image/png)", how: "import folder image evil.png -> /etc/passwd; also ../outside.png and /etc/passwd as the image path", now: `${await status("P-symlink")}, ${await status("P-dotdot")}, ${await status("P-passwd")} (the folder's own image: ${await status("P-inside")})` });
    const served = await fetch(`${server.url}/media/${SHOP}/P-inside`);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);
  });
});
