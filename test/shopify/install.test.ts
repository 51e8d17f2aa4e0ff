/**
 * One-click install with the embedded auth strategy, offline: a request to /app carrying an App
 * Bridge session token makes shopify-app-remix exchange it for an offline access token
 * (test/shopify/fakeShopify.ts plays Shopify), store the Session through PrismaSessionStorage and
 * run hooks.afterAuth (shop recorded, web pixel created, first sync started and run against the
 * fake's bulk exports); then the dashboard shows the shop's data. Also: what the library answers to
 * a bad or expired token, and the uninstall -> reinstall round trip.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { resetEnvForTests } from "../../app/env.server";
import { prisma } from "../../app/db.server";
import { closeQueue } from "../../app/queues/index.server";
import { webhookRequest } from "../../app/shopify/hmac";
import { adminHost, DEFAULT_SCOPE, fakeShopifyWithFixtures, sessionToken } from "./fakeShopify";
import { waitFor } from "./helpers";

useTempDatabase();
const API_KEY = "facet-test-client-id";
const SECRET = "facet-test-client-secret";
const APP_URL = "https://facet.example.com";
const SHOP = "facet-install.myshopify.com";
const SCOPE = DEFAULT_SCOPE;
const HOST = adminHost(SHOP);

const fake = fakeShopifyWithFixtures(API_KEY, SECRET);

type LoaderModule = { loader: (args: { request: Request; params: Record<string, string>; context: object }) => Promise<Response> };
let frame: LoaderModule;
let dashboard: LoaderModule;
let authSplat: LoaderModule;
let webhooks: { action: (args: { request: Request; params: Record<string, string>; context: object }) => Promise<Response> };

/** One document request's URL (one id_token), for each loader Remix runs. */
const sameToken = (path: string) => {
  const idToken = token();
  return () => documentRequest(path, idToken);
};

const token = (o: { now?: number; ttl?: number; secret?: string; apiKey?: string } = {}) =>
  sessionToken({ shop: SHOP, apiKey: o.apiKey ?? API_KEY, secret: o.secret ?? SECRET, now: o.now, ttl: o.ttl });

/** The document request the Shopify admin makes when it opens the app in its iframe. */
const documentRequest = (path: string, idToken: string) =>
  new Request(`${APP_URL}${path}?embedded=1&shop=${SHOP}&host=${HOST}&id_token=${encodeURIComponent(idToken)}&locale=de`);

/**
 * Runs the loaders of /app as Remix does for one document request (parent and child in parallel,
 * the same URL and so the same id_token); a thrown Response is the answer.
 */
async function openApp(request: () => Request): Promise<Response[]> {
  return Promise.all([frame.loader({ request: request(), params: {}, context: {} }), dashboard.loader({ request: request(), params: {}, context: {} })].map((p) => p.catch((e: unknown) => e as Response)));
}

async function bulkSyncJobs() {
  return prisma().jobRun.findMany({ where: { shop: SHOP, name: "bulkSync" }, orderBy: { createdAt: "asc" } });
}

async function firstSyncFinished(after = new Date(0)) {
  await waitFor(async () => {
    const runs = (await bulkSyncJobs()).filter((r) => r.createdAt >= after);
    return runs.length === 3 && runs.every((r) => r.status === "completed" || r.status === "failed");
  }, "products -> customers -> orders bulk sync");
  // The chain then enqueues the first embed and train; let them finish so nothing runs past the test.
  await waitFor(async () => {
    const runs = await prisma().jobRun.findMany({ where: { shop: SHOP, name: { in: ["embed", "train"] }, createdAt: { gte: after } } });
    return runs.length === 2 && runs.every((r) => r.status === "completed" || r.status === "failed");
  }, "first embed and train", 60_000);
}

beforeAll(async () => {
  process.env.SHOPIFY_API_KEY = API_KEY;
  process.env.SHOPIFY_API_SECRET = SECRET;
  process.env.SHOPIFY_APP_URL = APP_URL;
  process.env.SCOPES = SCOPE;
  delete process.env.IMAGE_MODEL_PATH;
  resetEnvForTests();
  // Before the library is imported: its web-api adapter captures globalThis.fetch at import time.
  vi.stubGlobal("fetch", fake.fetch);
  frame = (await import("../../app/routes/app")) as unknown as LoaderModule;
  dashboard = (await import("../../app/routes/app._index")) as unknown as LoaderModule;
  authSplat = (await import("../../app/routes/auth.$")) as unknown as LoaderModule;
  webhooks = (await import("../../app/routes/webhooks")) as unknown as typeof webhooks;
});

afterAll(async () => {
  await closeQueue({ abandonWaiting: true });
  vi.unstubAllGlobals();
});

describe("one-click install (token exchange)", () => {
  it("exchanges the session token, stores the offline session, runs afterAuth, and the dashboard shows the shop", async () => {
    const dayBefore = new Date().toISOString().slice(0, 10); // the install happens at the real time: the job id's day is one of these two
    const idToken = token();
    const [frameRes, dashRes] = await openApp(() => documentRequest("/app", idToken));
    expect(frameRes.status).toBe(200);
    expect(dashRes.status).toBe(200);
    // The frame's loader gives the embedded app its client id, the admin locale (Shopify passes
    // ?locale=de here) and the time it rendered at (the clock passed in, not read by the page).
    expect(await frameRes.json()).toEqual({ apiKey: API_KEY, locale: "de", nowMs: expect.any(Number) });

    // The token exchange as Shopify documents it (both loaders found no session: each exchanged).
    expect(fake.tokenExchanges.length).toBeGreaterThanOrEqual(1);
    for (const call of fake.tokenExchanges) {
      expect(call.shop).toBe(SHOP);
      expect(call.answered).toBe(200);
      expect(call.body).toMatchObject({
        client_id: API_KEY,
        client_secret: SECRET,
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        subject_token: idToken,
        subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
        requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
      });
    }

    // The Session row, written by PrismaSessionStorage.
    const session = await prisma().session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } });
    expect(session).toMatchObject({ shop: SHOP, isOnline: false, scope: SCOPE, expires: null, userId: null, refreshToken: null });
    expect(session.accessToken).toMatch(/^shpat_[0-9a-f]{32}$/);

    // afterAuth ran once (the library dedupes it per session token): shop recorded, pixel created.
    expect(await prisma().shop.findUniqueOrThrow({ where: { id: SHOP } })).toMatchObject({ uninstalledAt: null });
    const creates = fake.graphqlCalls("webPixelCreate");
    expect(creates).toHaveLength(1);
    expect(creates[0]).toMatchObject({ shop: SHOP, version: "2026-10", token: session.accessToken });
    expect(creates[0].query).toContain("webPixelCreate(webPixel: { settings: $settings })");
    expect(creates[0].variables).toEqual({ settings: JSON.stringify({ ingestUrl: `${APP_URL}/ingest` }) });
    expect(fake.pixels.get(SHOP)?.settings).toBe(JSON.stringify({ ingestUrl: `${APP_URL}/ingest` }));

    // The first sync: products, then customers, then orders, each a bulk query with the new token.
    await firstSyncFinished();
    const runs = await bulkSyncJobs();
    expect(runs.map((r) => [JSON.parse(r.payload ?? "{}").resource, r.status, r.error])).toEqual([
      ["products", "completed", null],
      ["customers", "completed", null],
      ["orders", "completed", null],
    ]);
    expect(runs[0].id).toMatch(new RegExp(`^bulkSync-${SHOP}-products-(${dayBefore}|${new Date().toISOString().slice(0, 10)})-i[0-9a-z]+$`));
    const bulkQueries = fake.graphqlCalls("bulkOperationRunQuery");
    expect(bulkQueries.map((c) => /^\{\s*(\w+)/.exec(String(c.variables?.query))?.[1])).toEqual(["products", "customers", "orders"]);
    expect(new Set(fake.graphql.map((c) => c.token))).toEqual(new Set([session.accessToken]));

    // The dashboard now shows the shop's synced data.
    const [, again] = await openApp(sameToken("/app"));
    const data = (await again.json()) as { shop: string; counts: Record<string, number>; jobs: { name: string; status: string }[] };
    expect(data.shop).toBe(SHOP);
    // The fixtures: 3 products (one a draft, stored deleted), 2 customers, 2 orders.
    expect(data.counts).toEqual({ products: 2, customers: 2, orders: 2, interactions: 0 });
    expect(data.jobs.filter((j) => j.name === "bulkSync").map((j) => j.status)).toEqual(["completed", "completed", "completed"]);
    // With a stored, active session the second visit did not exchange again.
    const exchanges = fake.tokenExchanges.length;
    await openApp(sameToken("/app"));
    expect(fake.tokenExchanges.length).toBe(exchanges);
    // Nothing tried to reach a Shopify host the fake does not answer (image CDNs are not Shopify's).
    expect(fake.unreachable.filter((u) => /myshopify\.com|shopify\.com\/admin/.test(u))).toEqual([]);
  });

  it("a fetch from the loaded admin (Authorization: Bearer) authenticates without a token exchange", async () => {
    const exchanges = fake.tokenExchanges.length;
    const res = await dashboard.loader({ request: new Request(`${APP_URL}/app?_data=routes%2Fapp._index`, { headers: { Authorization: `Bearer ${token()}` } }), params: {}, context: {} });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { shop: string }).shop).toBe(SHOP);
    expect(fake.tokenExchanges.length).toBe(exchanges);
  });

  it("rejects bad and expired session tokens: a document request goes to the bounce page, a fetch gets 401", async () => {
    const exchanges = fake.tokenExchanges.length;
    const bad = [token({ secret: "not-the-secret" }), token({ now: Date.now() / 1000 - 3600 }), token({ apiKey: "another-app" })];
    for (const t of bad) {
      const doc = await dashboard.loader({ request: documentRequest("/app", t), params: {}, context: {} }).catch((e: unknown) => e as Response);
      expect(doc.status).toBe(302);
      const location = new URL(doc.headers.get("Location")!, APP_URL);
      expect(location.pathname).toBe("/auth/session-token");
      expect(location.searchParams.get("id_token")).toBeNull();
      expect(location.searchParams.get("shopify-reload")).toBe(`${APP_URL}/app?embedded=1&shop=${SHOP}&host=${HOST}&locale=de`);

      const xhr = await dashboard
        .loader({ request: new Request(`${APP_URL}/app`, { headers: { Authorization: `Bearer ${t}` } }), params: {}, context: {} })
        .catch((e: unknown) => e as Response);
      expect(xhr.status).toBe(401);
      expect(xhr.headers.get("X-Shopify-Retry-Invalid-Session-Request")).toBe("1");
    }
    // A request with no token at all from outside the admin goes to the login page.
    const bare = await dashboard.loader({ request: new Request(`${APP_URL}/app`), params: {}, context: {} }).catch((e: unknown) => e as Response);
    expect(bare.status).toBe(302);
    expect(bare.headers.get("Location")).toBe("/auth/login");
    expect(fake.tokenExchanges.length).toBe(exchanges);
  });

  it("serves the bounce page that fetches a fresh session token (/auth/session-token)", async () => {
    const res = await authSplat
      .loader({ request: new Request(`${APP_URL}/auth/session-token?embedded=1&shop=${SHOP}&host=${HOST}&shopify-reload=${encodeURIComponent(`${APP_URL}/app`)}`), params: {}, context: {} })
      .catch((e: unknown) => e as Response);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("https://cdn.shopify.com/shopifycloud/app-bridge.js");
    expect(html).toContain(`data-api-key="${API_KEY}"`);
  });
});

describe("online access tokens (the shape Shopify answers when asked for one)", () => {
  it("an online token exchange yields the user's session, which PrismaSessionStorage stores and loads", async () => {
    // shopifyApp() does not expose its api object; the library's own shopifyApi with the app's
    // settings makes the same call (the app keeps offline tokens: useOnlineTokens is off).
    const shopify = (await import("../../app/shopify.server")).default;
    const { RequestedTokenType, shopifyApi } = await import("@shopify/shopify-api");
    const api = shopifyApi({ apiKey: API_KEY, apiSecretKey: SECRET, scopes: SCOPE.split(","), hostName: "facet.example.com", apiVersion: (await import("../../app/shopify/apiVersion")).LIBRARY_API_VERSION, isEmbeddedApp: true, logger: { level: 0 } });
    const { session } = await api.auth.tokenExchange({ shop: SHOP, sessionToken: token(), requestedTokenType: RequestedTokenType.OnlineAccessToken });
    expect(fake.tokenExchanges.at(-1)?.body.requested_token_type).toBe("urn:shopify:params:oauth:token-type:online-access-token");
    expect(session).toMatchObject({ id: `${SHOP}_84512345`, isOnline: true, scope: SCOPE });
    await shopify.sessionStorage.storeSession(session);
    const row = await prisma().session.findUniqueOrThrow({ where: { id: session.id } });
    expect(row).toMatchObject({ isOnline: true, userId: 84512345n, firstName: "Mara", email: "mara@example.com", accountOwner: true, locale: "de", emailVerified: true });
    expect(row.expires!.getTime()).toBeGreaterThan(Date.now() + 86_000_000);
    const loaded = await shopify.sessionStorage.loadSession(session.id);
    expect(loaded?.onlineAccessInfo?.associated_user.id).toBe(84512345);
    expect(loaded?.isActive(undefined)).toBe(true);
    await shopify.sessionStorage.deleteSession(session.id);
  });
});

describe("uninstall -> reinstall", () => {
  it("app/uninstalled drops the sessions; the next open exchanges a new token and runs afterAuth again", async () => {
    const before = await prisma().session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } });
    // Shopify revokes the token and removes the app's pixel, then delivers app/uninstalled.
    fake.uninstall(SHOP);
    const body = JSON.stringify({ id: 690933842, name: "Facet Install", domain: SHOP, myshopify_domain: SHOP });
    const delivered = await webhooks.action({
      request: webhookRequest({ url: `${APP_URL}/webhooks`, topic: "app/uninstalled", shop: SHOP, body, secret: SECRET, webhookId: "uninstall-1" }),
      params: {},
      context: {},
    });
    expect(delivered.status).toBe(200);
    await waitFor(async () => (await prisma().session.count({ where: { shop: SHOP } })) === 0, "sessions deleted by app/uninstalled");
    await waitFor(async () => (await prisma().shop.findUniqueOrThrow({ where: { id: SHOP } })).uninstalledAt !== null, "Shop.uninstalledAt set");

    // The merchant installs again from the admin: a new session token, a new token exchange.
    const exchanges = fake.tokenExchanges.length;
    const creates = fake.graphqlCalls("webPixelCreate").length;
    const firstInstall = (await bulkSyncJobs()).map((r) => r.id);
    const [frameRes, dashRes] = await openApp(sameToken("/app"));
    expect([frameRes.status, dashRes.status]).toEqual([200, 200]);
    expect(fake.tokenExchanges.length).toBeGreaterThan(exchanges);
    expect(fake.tokenExchanges.slice(exchanges).every((c) => c.answered === 200)).toBe(true);
    const after = await prisma().session.findUniqueOrThrow({ where: { id: `offline_${SHOP}` } });
    expect(after.accessToken).not.toBe(before.accessToken);
    expect((await prisma().shop.findUniqueOrThrow({ where: { id: SHOP } })).uninstalledAt).toBeNull();
    // The pixel Shopify removed is created again, with the new token.
    const newCreates = fake.graphqlCalls("webPixelCreate").slice(creates);
    expect(newCreates).toHaveLength(1);
    expect(newCreates[0].token).toBe(after.accessToken);
    expect(fake.pixels.get(SHOP)?.settings).toBe(JSON.stringify({ ingestUrl: `${APP_URL}/ingest` }));
    expect((await dashRes.json()) as { shop: string }).toMatchObject({ shop: SHOP });
    // A new installation syncs again (webhooks were not delivered while uninstalled), even on the
    // day of the first install: a new job id, since BullMQ keeps finished ids for 24 hours.
    await waitFor(async () => (await bulkSyncJobs()).length > firstInstall.length, "the reinstall's sync");
    const resync = (await bulkSyncJobs()).filter((r) => !firstInstall.includes(r.id));
    expect(resync[0].id).toMatch(/-products-/);
    await firstSyncFinished(resync[0].createdAt);
    expect((await bulkSyncJobs()).filter((r) => !firstInstall.includes(r.id)).map((r) => r.status)).toEqual(["completed", "completed", "completed"]);
    expect(fake.graphqlCalls("bulkOperationRunQuery").at(-1)?.token).toBe(after.accessToken);
  });

  it("re-auth while the pixel exists (session lost, app still installed) updates the pixel instead of failing", async () => {
    await prisma().session.deleteMany({ where: { shop: SHOP } });
    const pixel = fake.pixels.get(SHOP)!;
    const [, dashRes] = await openApp(sameToken("/app"));
    expect(dashRes.status).toBe(200);
    const updates = fake.graphqlCalls("webPixelUpdate");
    expect(updates).toHaveLength(1);
    expect(updates[0].variables).toEqual({ id: pixel.id, settings: JSON.stringify({ ingestUrl: `${APP_URL}/ingest` }) });
    expect(fake.pixels.get(SHOP)?.id).toBe(pixel.id);
    // The same installation on the same day: the first sync is not started again.
    expect(await prisma().jobRun.count({ where: { shop: SHOP, name: "bulkSync" } })).toBe(6);
  });
});
