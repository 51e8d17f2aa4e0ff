/**
 * 10,000 random and malformed requests against the built server's public routes (webhooks, ingest,
 * the app proxy, the headless API, media, probes, unknown paths): random methods, bodies (bytes,
 * broken and deeply nested JSON, big strings under and over the limits), headers (forged HMACs,
 * odd content types, unknown topics) and query strings (bad percent-encoding, repeats, huge values).
 * Some requests are correctly signed (webhook HMACs, app proxy signatures, a real API key of the
 * shop) so that the bodies reach the parsing behind the checks. Auth and admin routes are included.
 * No answer may be a 5xx, and the server's RSS, sampled before, every 1,000 requests and after, must
 * not keep growing. Deterministic: a seeded generator (FUZZ_SEED=<n> replays a run; the seed and
 * each failing case's number are printed), 16 requests in flight. Prints the status counts per route.
 */
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashKey } from "../../app/models/apiKey.server";
import { signProxyParams } from "../../app/storefront/proxySignature.server";
import { SECRET, ensureBuild, installShop, rssMb, shopifyHmac, startServer, type RunningServer } from "./server";

const SHOP = "facet-fuzz.myshopify.com";
const CASES = Number(process.env.FUZZ_CASES ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
/** A well-formed key of SHOP (fk_<8 hex>_<43 base64url>), stored hashed before the run like the admin does. */
const VALID_KEY = `fk_0f0f0f0f_${"A".repeat(43)}`;
const PARALLEL = 16;
let server: RunningServer;

/** mulberry32: small, seeded, good enough to spread cases. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generator(seed: number) {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T,>(xs: readonly T[]): T => xs[int(xs.length)];
  const str = (n: number) => Array.from({ length: n }, () => String.fromCharCode(pick([32 + int(95), int(0x2fff), 0xd800 + int(0x400), 0]))).join("");
  /** Raw percent-escapes of single bytes: deliberately not always valid UTF-8; "%" itself is left as is (malformed escapes). */
  const esc = (s: string) => s.replace(/[^\x21-\x7e]|[#]/g, (c) => "%" + (c.charCodeAt(0) & 0xff).toString(16).padStart(2, "0"));
  const nested = (depth: number): string => (depth === 0 ? "1" : pick(["[", '{"a":']) + nested(depth - 1) + pick(["]", "}"]));
  const json = () =>
    pick([
      () => JSON.stringify({ shop: pick([SHOP, "", "x", str(20), 5, null]), clientId: pick(["c", str(300), 1]), events: pick([[], "x", [{ id: str(5), name: pick(["product_viewed", "x"]), timestamp: pick([new Date().toISOString(), "yesterday", 7]), productIds: pick([["1"], [1], "1"]) }]]), consent: pick([{ analytics: true }, null, "yes"]) }),
      () => nested(1 + int(5000)),
      () => JSON.stringify({ id: int(1e9), title: str(50), variants: pick([null, [], [{}], "x"]), images: pick([[{ src: "/etc/passwd" }], "x", null]), customer: pick([{ id: "1" }, null, 3]) }),
      () => '{"a":' + str(int(100)),
      () => JSON.stringify(str(int(90_000))),
      () => "null",
    ])();
  const body = (): string | Uint8Array | undefined =>
    pick([
      () => undefined,
      json,
      json,
      () => Uint8Array.from({ length: int(4096) }, () => int(256)),
      () => str(int(2000)),
      () => "x".repeat(pick([10, 65 * 1024, 100 * 1024, 3 * 1024 * 1024])),
    ])();
  const query = () => {
    const parts = Array.from({ length: int(6) }, () =>
      pick([
        `shop=${pick([SHOP, "evil.myshopify.com", "%ZZ", "", "a%00b"])}`,
        `placement=${pick(["home", "product", "cart", "x", "%E0%A4%A"])}`,
        `product_id=${pick(["1", "", str(3), "9".repeat(400)])}`,
        `customer_id=${pick(["C000001", "", "-1"])}`,
        `k=${pick(["5", "-1", "1e9", "NaN", "x"])}`,
        `signature=${pick(["", "00", "a".repeat(64)])}`,
        `timestamp=${pick([String(Math.floor(Date.now() / 1000)), "0", "x"])}`,
        `${str(3)}=${str(3)}`,
        "%%%",
      ]),
    );
    return parts.length ? `?${parts.map(esc).join("&")}` : "";
  };
  /** [route, path]: the route names the per-route counts. */
  const path = (): [string, string] =>
    pick<() => [string, string]>([
      () => ["/webhooks", "/webhooks"],
      () => ["/webhooks", "/webhooks"],
      () => ["/ingest", "/ingest"],
      () => ["/ingest", "/ingest"],
      () => ["/proxy/recommendations", "/proxy/recommendations"],
      () => ["/proxy/events", "/proxy/events"],
      () => ["/api/recommendations", "/api/recommendations"],
      () => ["/media", `/media/${pick([SHOP, "x", "..", "%2e%2e"])}/${pick(["1", "8000000000001", "..%2F..%2Fetc%2Fpasswd", str(4)])}`],
      () => ["/healthz", "/healthz"],
      () => ["/readyz", "/readyz"],
      () => ["/apps/facet/*", pick(["/apps/facet/recommendations", "/apps/facet/events"])],
      () => ["/auth/*", pick(["/auth/login", "/auth/login", "/auth/callback", "/auth/session-token", "/auth", `/auth/${esc(str(int(8)))}`])],
      () => ["/app/*", pick(["/app", "/app/keys", "/app/privacy/export", "/app/campaigns/x/export", "/"])],
      () => ["(unknown)", `/${esc(str(int(12)))}`],
    ])();
  /** An app proxy query Shopify would send (now, the shop, a customer or none), correctly signed. */
  const signedProxy = () => {
    const p = new URLSearchParams({ shop: pick([SHOP, SHOP, "evil.myshopify.com"]), logged_in_customer_id: pick(["", "C000001", str(6)]), path_prefix: "/apps/facet", timestamp: String(Math.floor(Date.now() / 1000)) });
    for (let i = int(3); i > 0; i--) p.append(pick(["placement", "product_id", "k", "limit", "locale", str(2)]), pick(["home", "product", "1", "-5", "99999", str(4)]));
    p.set("signature", signProxyParams(p, SECRET));
    return `?${p}`;
  };
  return () => {
    const [route, p] = path();
    // Mostly the route's own method (so that the case reaches its handler), else any.
    const own = /^\/(webhooks|ingest|proxy\/events|apps\/facet\/events)$/.test(p) ? "POST" : "GET";
    const method = r() < 0.6 ? own : pick(["GET", "POST", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH"]);
    const b = method === "GET" || method === "HEAD" ? undefined : body();
    const headers: Record<string, string> = {};
    if (r() < 0.7) headers["Content-Type"] = pick(["application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain; charset=latin1", "🤖"].map((h) => h.replace(/[^\x20-\x7e]/g, "?")));
    if (p === "/webhooks" && r() < 0.8) {
      headers["X-Shopify-Topic"] = pick(["products/update", "orders/create", "shop/redact", "customers/redact", "nope/nope", "", "APP/UNINSTALLED"]);
      headers["X-Shopify-Shop-Domain"] = pick([SHOP, "evil.myshopify.com", "", "x"]);
      headers["X-Shopify-Webhook-Id"] = pick(["w1", "", String(int(1e6))]);
      headers["X-Shopify-API-Version"] = pick(["2026-10", "2024-10", "", "x"]);
      // Some correctly signed (the body then reaches the topic's parsing), most forged.
      headers["X-Shopify-Hmac-Sha256"] = r() < 0.3 && b !== undefined ? shopifyHmac(typeof b === "string" ? b : Buffer.from(b)) : pick(["", "AAAA", "x".repeat(44)]);
    }
    if (r() < 0.3) headers.Origin = pick([`https://${SHOP}`, "null", "https://evil.example"]);
    // A real key of the shop (so requests reach the recommendation code past the key check), and forged ones.
    if (r() < 0.3) headers.Authorization = pick([`Bearer ${VALID_KEY}`, `Bearer ${VALID_KEY}`, "Bearer x", "Basic Og==", "Bearer " + "a".repeat(2000)]);
    if (r() < 0.1) headers["X-Forwarded-For"] = pick(["1.2.3.4", "::1", "x, y, z"]);
    const q = p.startsWith("/proxy/") && r() < 0.4 ? signedProxy() : query();
    return { route, url: p + q, method, body: b, headers };
  };
}

describe("production build: fuzzing every public route", () => {
  beforeAll(async () => {
    ensureBuild();
    server = await startServer({ env: { INGEST_CLIENT_EVENTS_PER_MINUTE: "1000000", INGEST_SHOP_EVENTS_PER_MINUTE: "1000000", } });
    installShop(server, SHOP);
    server.db().prepare(`INSERT INTO ApiKey (id, shop, hash, label, createdAt) VALUES (?, ?, ?, 'fuzz', ?)`).run(VALID_KEY.slice(3, 11), SHOP, hashKey(VALID_KEY), new Date().toISOString());
  }, 240_000);
  afterAll(async () => expect(await server?.stop()).toBe(0));

  it(`answers ${CASES.toLocaleString("en")} random and malformed requests without a 5xx or growing memory`, async () => {
    const next = generator(SEED);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const perRoute = new Map<string, Map<number, number>>();
    const rssBefore = rssMb(server.pid);
    const rss: number[] = [];
    let done = 0;
    let pastKeyCheck = 0;
    // A reset is fine after refusing a body it did not read (413, 401, 405 + close); without a body it is not.
    let resetsWithoutBody = 0;
    async function one(n: number) {
      const c = next();
      let status: number;
      try {
        const res = await fetch(server.url + c.url, { method: c.method, headers: c.headers, body: c.body as BodyInit | undefined, redirect: "manual", signal: AbortSignal.timeout(30_000) });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
      } catch (e) {
        // The server may close a connection after refusing an oversized body (413 + Connection: close): not a failure.
        const cause = String((e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message);
        if (!/ECONNRESET|EPIPE|UND_ERR_SOCKET/.test(cause)) failures.push(`case ${n}: ${c.method} ${c.url.slice(0, 120)}: ${cause}`);
        status = -1;
        if (c.body === undefined && ++resetsWithoutBody <= 5) console.log(`reset without a body, case ${n}: ${c.method} ${c.url.slice(0, 80)} ${cause}`);
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      const counts = perRoute.get(c.route) ?? perRoute.set(c.route, new Map()).get(c.route)!;
      counts.set(status, (counts.get(status) ?? 0) + 1);
      if (c.url.startsWith("/api/recommendations") && c.headers.Authorization === `Bearer ${VALID_KEY}` && status !== 401 && status !== 403) pastKeyCheck++;
      if (status >= 500) failures.push(`case ${n}: ${status} ${c.method} ${c.url.split("?")[0].slice(0, 60)} ${JSON.stringify(c.headers).slice(0, 160)} body=${typeof c.body === "string" ? c.body.slice(0, 60) : c.body ? "bytes" : "none"}`);
      if (++done % 1000 === 0) rss.push(rssMb(server.pid));
    }
    let issued = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (issued < CASES) await one(++issued);
      }),
    );
    const rssAfter = rssMb(server.pid);
    const sorted = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]).map(([st, k]) => `${st === -1 ? "reset" : st}:${k}`).join(" ");
    console.log(
      [
        `fuzz: seed ${SEED} (FUZZ_SEED=${SEED} replays it), ${done} cases, ${PARALLEL} in flight; statuses ${sorted(statuses)}; ${pastKeyCheck} API requests past the key check; ${resetsWithoutBody} resets of requests without a body`,
        ...[...perRoute].sort((a, b) => a[0].localeCompare(b[0])).map(([route, m]) => `  ${route.padEnd(24)} ${[...m.values()].reduce((a, b) => a + b, 0).toString().padStart(5)}  ${sorted(m)}`),
        `  RSS MB before ${rssBefore.toFixed(0)}, every 1000: ${rss.map((m) => m.toFixed(0)).join(" ")}, after ${rssAfter.toFixed(0)}`,
      ].join("\n"),
    );
    if (failures.length) console.log(`fuzz failures, seed ${SEED} (first 30 of ${failures.length}):\n${failures.slice(0, 30).join("\n")}`);
    if (failures.length && process.env.FUZZ_LOG) fs.writeFileSync(process.env.FUZZ_LOG, server.log());
    expect(failures.slice(0, 20)).toEqual([]);
    expect(done).toBe(CASES);
    expect(resetsWithoutBody, "connections reset on requests without a body").toBe(0);
    expect(pastKeyCheck, "requests with the shop's real key got past the key check").toBeGreaterThan(0);
    // Warm-up allocations settle in the first few thousand; after that the resident set must not climb.
    expect(Math.max(...rss.slice(3)) - rss[2]).toBeLessThan(150);
    expect(rssAfter - rssBefore, "RSS growth over the whole run (MB)").toBeLessThan(400);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  }, 600_000);
});
