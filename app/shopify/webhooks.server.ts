/**
 * Webhook deliveries, after the route has verified them (shopify-app-remix's authenticate.webhook
 * checks the HMAC): decide which job takes the delivery and enqueue it. Nothing is written here,
 * so the route answers within a second; the jobs are idempotent (webhook id) and order-safe.
 *
 * One route (app/routes/webhooks.tsx, POST /webhooks) receives every topic: shopify.app.toml
 * declares each subscription with uri "/webhooks", and this table names the handler of each.
 */
import { hasInstalledSession } from "../models/sync.server";
import type { JobHandle } from "../queues/driver";
import { queue } from "../queues/index.server";

/** Topics as the library reports them (X-Shopify-Topic upper-cased, "/" -> "_"), and who handles them. */
export const WEBHOOK_TOPICS = {
  PRODUCTS_CREATE: "sync: upsert product, embed it",
  PRODUCTS_UPDATE: "sync: upsert product (order-safe), embed it",
  PRODUCTS_DELETE: "sync: soft-delete product, drop it from the index",
  INVENTORY_LEVELS_UPDATE: "sync: stock level, product stock status",
  ORDERS_CREATE: "sync: upsert order and items, complete its checkout, retrain check",
  ORDERS_UPDATED: "sync: upsert order and items (order-safe)",
  ORDERS_CANCELLED: "sync: order status cancelled",
  REFUNDS_CREATE: "sync: subtract refunded quantities",
  CHECKOUTS_CREATE: "sync: store the checkout (Complete your look campaigns)",
  CHECKOUTS_UPDATE: "sync: update the checkout (order-safe; completed stays completed)",
  CUSTOMERS_CREATE: "sync: upsert customer",
  CUSTOMERS_UPDATE: "sync: upsert customer (order-safe)",
  CUSTOMERS_DELETE: "sync: remove the customer's personal data",
  APP_UNINSTALLED: "sync: drop sessions, stop taking events (data erased on shop/redact)",
  CUSTOMERS_DATA_REQUEST: "sync: write the JSON export of everything held about the customer",
  CUSTOMERS_REDACT: "redact: remove every trace of the customer",
  SHOP_REDACT: "redact: erase the shop's data",
} as const;

export type WebhookTopic = keyof typeof WEBHOOK_TOPICS;

/** Shopify's mandatory privacy topics: honoured whether or not the shop is (still) installed (shop/redact comes 48 h after uninstall). */
const COMPLIANCE_TOPICS = new Set<WebhookTopic>(["CUSTOMERS_DATA_REQUEST", "CUSTOMERS_REDACT", "SHOP_REDACT"]);

export const isKnownTopic = (t: string): t is WebhookTopic => Object.prototype.hasOwnProperty.call(WEBHOOK_TOPICS, t);

/** X-Shopify-Topic "products/update" -> "PRODUCTS_UPDATE" (what the library reports). */
export const topicKey = (t: string) => t.toUpperCase().replace(/\/|\./g, "_");

export interface VerifiedDelivery {
  shop: string;
  topic: string;
  webhookId: string;
  payload: unknown;
  rawBody: string;
  triggeredAt?: string;
}

const safeId = (s: string) => s.replace(/[^\w.-]/g, "_");

/**
 * Enqueues the job for one verified delivery (null: acknowledged, nothing to do). Job ids derive from the webhook id, so a retried
 * delivery that arrives while the first is still queued is not even enqueued twice.
 */
export async function enqueueDelivery(d: VerifiedDelivery): Promise<{ job: string; id: string } | null> {
  const topic = topicKey(d.topic);
  if (!isKnownTopic(topic)) return null;
  // A shop that never installed (or has uninstalled): nothing of it is written, not even a job row.
  if (!COMPLIANCE_TOPICS.has(topic) && !hasInstalledSession(d.shop)) return null;
  const h = await enqueueTopic(topic, d);
  return { job: h.job, id: h.id };
}

/**
 * The job of one delivery whose shop and topic are already checked: what Shopify's deliveries
 * reach after enqueueDelivery's checks, and what the demo storefront's checkout sends (it makes the
 * orders/create body a real store would; app/storefront/demoCheckout.server.ts).
 */
export async function enqueueTopic(topic: WebhookTopic, d: VerifiedDelivery): Promise<JobHandle & { job: "redact" | "sync" }> {
  const q = await queue();
  const jobId = `wh-${safeId(d.shop)}-${safeId(d.webhookId)}`;
  if (topic === "CUSTOMERS_REDACT" || topic === "SHOP_REDACT") {
    const p = (d.payload ?? {}) as { customer?: { id?: unknown; email?: unknown }; orders_to_redact?: unknown[] };
    const payload =
      topic === "SHOP_REDACT"
        ? { shop: d.shop, wholeShop: true }
        : {
            shop: d.shop,
            customerId: p.customer?.id != null ? String(p.customer.id) : undefined,
            email: typeof p.customer?.email === "string" ? p.customer.email : undefined,
            orderIds: Array.isArray(p.orders_to_redact) ? p.orders_to_redact.map(String) : undefined,
          };
    return Object.assign(await q.enqueue("redact", payload, { jobId, attempts: 5 }), { job: "redact" as const });
  }
  return Object.assign(await q.enqueue("sync", { shop: d.shop, topic, webhookId: d.webhookId, payload: d.rawBody, triggeredAt: d.triggeredAt }, { jobId, attempts: 8 }), { job: "sync" as const });
}
