/**
 * The Shopify app: OAuth, sessions in Prisma, webhooks, admin API clients.
 * Imported only when SHOPIFY_API_KEY is configured (the demo runs without it).
 *
 * Webhooks: shopify.app.toml is the source of truth (app-specific subscriptions, all to POST
 * /webhooks, including the compliance topics, which only the TOML can declare). The `webhooks`
 * config below lists the same non-compliance topics so that `registerWebhooks({ session })` can
 * subscribe a shop by API where the TOML is not deployed; afterAuth does not call it, to avoid
 * duplicate subscriptions.
 * afterAuth (install and every re-auth): record the shop, activate the web pixel (its setting is the
 * ingest URL), start the first sync (idempotent job id per day), and register the scheduled
 * retrain (when REDIS_URL is set).
 */
import "@shopify/shopify-app-remix/adapters/node";
import { AppDistribution, DeliveryMethod, shopifyApp } from "@shopify/shopify-app-remix/server";
import { LIBRARY_API_VERSION } from "./shopify/apiVersion";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { prisma } from "./db.server";
import { env } from "./env.server";
import { ensureShop } from "./models/sync.server";
import { WEBHOOK_TOPICS } from "./shopify/webhooks.server";

const e = env();

const COMPLIANCE = new Set(["CUSTOMERS_DATA_REQUEST", "CUSTOMERS_REDACT", "SHOP_REDACT"]);
const webhooks: Record<string, { deliveryMethod: DeliveryMethod.Http; callbackUrl: string }> = Object.fromEntries(
  Object.keys(WEBHOOK_TOPICS)
    .filter((t) => !COMPLIANCE.has(t))
    .map((t) => [t, { deliveryMethod: DeliveryMethod.Http as const, callbackUrl: "/webhooks" }]),
);

const shopify = shopifyApp({
  apiKey: e.SHOPIFY_API_KEY,
  apiSecretKey: e.SHOPIFY_API_SECRET,
  apiVersion: LIBRARY_API_VERSION,
  scopes: e.SCOPES.split(","),
  appUrl: e.SHOPIFY_APP_URL ?? "http://localhost:3000",
  authPathPrefix: "/auth",
  sessionStorage: new PrismaSessionStorage(prisma()),
  distribution: AppDistribution.AppStore,
  webhooks,
  hooks: {
    afterAuth: async ({ session, admin }) => {
      const installedAt = ensureShop(session.shop);
      try {
        const { activatePixel } = await import("./shopify/pixel.server");
        await activatePixel(admin.graphql, new URL("/ingest", e.SHOPIFY_APP_URL ?? "http://localhost:3000").toString());
      } catch (err) {
        console.error(`afterAuth ${session.shop}: could not activate the web pixel: ${(err as Error).message}`);
      }
      try {
        const { startFirstSync } = await import("./jobs/bulkSync.server");
        await startFirstSync(session.shop, installedAt);
        const { scheduleRetrain } = await import("./shopify/freshness.server");
        await scheduleRetrain(session.shop);
      } catch (err) {
        // Never fail the merchant's login over a queue problem; the admin shows the sync status.
        console.error(`afterAuth ${session.shop}: could not start the first sync: ${(err as Error).message}`);
      }
    },
  },
  // (removeRest is a flag of later releases; 4.2.1, the last for Node 20, does not know it.)
  future: { unstable_newEmbeddedAuthStrategy: true },
});

export default shopify;
export const apiVersion = LIBRARY_API_VERSION;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;
