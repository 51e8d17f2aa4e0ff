/**
 * The pixel endpoint (POST /ingest) through the real route, the real database and the real Redis
 * (rate limits under this run's own prefix): validation, consent, floods, durable storage before
 * the answer, and linking anonymous clients to the customer.
 */
import type IORedis from "ioredis";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { describeIf, redisReachable } from "../helpers/requires";
import { resetEnvForTests } from "../../app/env.server";
import { prisma, rawDb } from "../../app/db.server";
import { closeQueue } from "../../app/queues/index.server";
import { redisConnection } from "../../app/queues/bullmq.server";
import { setRateLimiter } from "../../app/shopify/ingest.server";
import { linkClient } from "../../app/models/ingest.server";
import { MAX_EVENTS } from "../../app/shopify/pixelEvents";
import { deletePrefix, uniquePrefix } from "./helpers";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const available = await redisReachable(REDIS_URL);
const SHOP = "facet-pixel.myshopify.com";
const PREFIX = uniquePrefix("ingest");
useTempDatabase();

let redis: IORedis;
let route: typeof import("../../app/routes/ingest");
let seq = 0;

const event = (over: Record<string, unknown> = {}) => ({
  id: `sh-evt-${++seq}`,
  name: "product_viewed",
  timestamp: new Date().toISOString(),
  productIds: ["8000000000001"],
  ...over,
});
const batch = (over: Record<string, unknown> = {}) => ({
  shop: SHOP,
  clientId: "client-a",
  customerId: null,
  sessionId: "s-1",
  consent: { analytics: true, marketing: false, preferences: true, saleOfData: false },
  events: [event()],
  ...over,
});

async function post(body: unknown, headers: Record<string, string> = {}) {
  const request = new Request("https://facet.example.com/ingest", {
    method: "POST",
    headers: { "Content-Type": "text/plain", Origin: "https://facet-pixel.myshopify.com", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const res = await route.action({ request, params: {}, context: {} });
  return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> | null, headers: res.headers };
}

const interactions = () => rawDb().prepare(`SELECT id, customerId, clientId, productId, type, sessionId FROM Interaction WHERE shop = ? ORDER BY id`).all(SHOP) as Record<string, string | null>[];

describeIf(available, "Redis at " + REDIS_URL, "pixel ingest", () => {
  beforeAll(async () => {
    process.env.REDIS_URL = REDIS_URL;
    process.env.FACET_QUEUE_PREFIX = PREFIX;
    process.env.INGEST_CLIENT_EVENTS_PER_MINUTE = "30";
    process.env.INGEST_SHOP_EVENTS_PER_MINUTE = "100";
    resetEnvForTests();
    await setRateLimiter(undefined);
    route = await import("../../app/routes/ingest");
    redis = redisConnection(REDIS_URL);
    await prisma().shop.create({ data: { id: SHOP } });
  });

  afterAll(async () => {
    await setRateLimiter(undefined);
    await closeQueue({ abandonWaiting: true });
    await deletePrefix(redis, PREFIX);
    await redis.quit();
    delete process.env.INGEST_CLIENT_EVENTS_PER_MINUTE;
    delete process.env.INGEST_SHOP_EVENTS_PER_MINUTE;
  });

  it("stores each event type before answering, with CORS for the storefront", async () => {
    const all = batch({
        events: [
          event(),
          event({ name: "collection_viewed", productIds: [], collectionId: "gid://shopify/Collection/42" }),
          event({ name: "product_added_to_cart", productIds: ["8000000000002"], quantity: 1 }),
          event({ name: "product_removed_from_cart", productIds: ["8000000000002"] }),
          event({ name: "search_submitted", productIds: [], query: "Ring Gold" }),
          event({ name: "checkout_completed", productIds: ["8000000000001"], orderId: "6000000000001" }),
        ],
      });
    const res = await post(all);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ stored: 5 });
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("https://facet-pixel.myshopify.com");
    expect(interactions().map((r) => [r.type, r.productId, r.clientId, r.sessionId])).toEqual([
      ["view", "8000000000001", "client-a", "s-1"],
      ["collection_view", "collection:42", "client-a", "s-1"],
      ["add_to_cart", "8000000000002", "client-a", "s-1"],
      ["remove_from_cart", "8000000000002", "client-a", "s-1"],
      ["search", "search:ring gold", "client-a", "s-1"],
    ]);
    // The same events posted again (a retry) are not stored twice.
    expect((await post(all)).body).toEqual({ stored: 0 });
    const preflight = await route.action({ request: new Request("https://facet.example.com/ingest", { method: "OPTIONS", headers: { Origin: "https://x.myshopify.com" } }), params: {}, context: {} });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("Access-Control-Allow-Methods")).toContain("POST");
  });

  it("keeps the pixel's customer only when a signed link proves it; a forged customerId stays anonymous", async () => {
    await post(batch({ clientId: "client-b", events: [event({ productIds: ["8000000000003"] })] }));
    expect(interactions().find((r) => r.clientId === "client-b")!.customerId).toBeNull();
    // The body alone names a customer: not proven, stored anonymous, no link written.
    await post(batch({ clientId: "client-b", customerId: "gid://shopify/Customer/7000000000001", events: [event({ productIds: ["8000000000004"] })] }));
    expect(interactions().filter((r) => r.clientId === "client-b").map((r) => r.customerId)).toEqual([null, null]);
    expect(await prisma().clientLink.count({ where: { clientId: "client-b" } })).toBe(0);
    // The app proxy's signed logged_in_customer_id links the client: earlier events go to them.
    linkClient(SHOP, "client-b", "7000000000001");
    expect(interactions().filter((r) => r.clientId === "client-b").every((r) => r.customerId === "7000000000001")).toBe(true);
    await post(batch({ clientId: "client-b", customerId: "gid://shopify/Customer/7000000000001", events: [event({ productIds: ["8000000000005"] })] }));
    expect(interactions().filter((r) => r.clientId === "client-b").every((r) => r.customerId === "7000000000001")).toBe(true);
    // Another customer claimed for that linked client: anonymous, the link stays.
    await post(batch({ clientId: "client-b", customerId: "7000000000099", events: [event({ productIds: ["8000000000006"] })] }));
    expect(interactions().find((r) => r.clientId === "client-b" && r.productId === "8000000000006")!.customerId).toBeNull();
    expect(await prisma().clientLink.findUnique({ where: { shop_clientId: { shop: SHOP, clientId: "client-b" } } })).toMatchObject({ customerId: "7000000000001" });
  });

  it("stores nothing without analytics consent", async () => {
    const before = interactions().length;
    const res = await post(batch({ clientId: "client-c", customerId: "7000000000002", consent: { analytics: false } }));
    expect(res.status).toBe(202);
    expect(interactions().length).toBe(before);
    expect(await prisma().clientLink.count({ where: { clientId: "client-c" } })).toBe(0);
  });

  it("rejects bad payloads with 400 naming the field, and stores nothing", async () => {
    const before = interactions().length;
    const bad: [unknown, RegExp][] = [
      ["{not json", /not JSON/],
      [batch({ shop: "evil.example.com" }), /shop: must be the shop's myshopify domain/],
      [batch({ events: [] }), /events: Array must contain at least 1/],
      [batch({ events: [event({ name: "page_viewed" })] }), /events\.0\.name/],
      [batch({ events: [event({ productIds: [] })] }), /events\.0\.productIds: product_viewed needs at least one product id/],
      [batch({ events: [event({ productIds: ["<script>"] })] }), /events\.0\.productIds\.0: must be a Shopify id/],
      [batch({ events: [event({ timestamp: "yesterday" })] }), /events\.0\.timestamp/],
      [batch({ events: [event({ timestamp: "2020-01-01T00:00:00Z" })] }), /outside the accepted window/],
      [batch({ clientId: "a b" }), /clientId/],
      [batch({ extra: 1 }), /Unrecognized key/],
      [batch({ consent: undefined }), /consent: Required/],
      [batch({ events: Array.from({ length: MAX_EVENTS + 1 }, () => event()) }), /events: Array must contain at most 50/],
    ];
    for (const [body, message] of bad) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(String(res.body?.error)).toMatch(message);
    }
    expect((await post("x".repeat(70_000))).status).toBe(413);
    expect((await post(batch({ shop: "not-installed.myshopify.com" }))).status).toBe(404);
    expect(interactions().length).toBe(before);
  });

  it("rate-limits a flooding client, then the shop, per minute window in Redis", async () => {
    // Freeze the clock (Date only) inside a fresh minute window, so the counts cannot straddle two windows.
    vi.useFakeTimers({ toFake: ["Date"], now: Math.floor(Date.now() / 60_000) * 60_000 + 120_000 + 1_000 });
    try {
      const flood = async (clientId: string, n: number) => {
        const statuses: number[] = [];
        for (let i = 0; i < n; i++) statuses.push((await post(batch({ clientId, events: [event(), event()] }))).status);
        return statuses;
      };
      // 30 events per client per minute: 15 requests of 2 pass, the 16th is refused (and not counted).
      const a = await flood("flooder", 16);
      expect(a.slice(0, 15).every((s) => s === 200)).toBe(true);
      expect(a[15]).toBe(429);
      // Other clients of the shop are still served until the shop's 100 events are spent:
      // 30 (flooder) + 30 + 30 + 10 = 100, so the last 10 requests of other-3 are refused.
      const others = [...(await flood("other-1", 15)), ...(await flood("other-2", 15)), ...(await flood("other-3", 15))];
      expect(others.slice(0, 35).every((s) => s === 200)).toBe(true);
      expect(others.slice(35)).toEqual(new Array(10).fill(429));
      const keys = await redis.keys(`${PREFIX}:rl:*`);
      expect(keys.some((k) => k.includes("client:facet-pixel.myshopify.com:flooder"))).toBe(true);
      const refused = await post(batch({ clientId: "flooder" }));
      expect(refused.status).toBe(429);
      expect(refused.headers.get("Retry-After")).toBe("60");
    } finally {
      vi.useRealTimers();
    }
  });
});
