/**
 * The `sync` job: applies one verified webhook delivery. The write and the record of the webhook id
 * share one transaction (models/sync.server.ts applyDeliveryOnce), so retries apply once; every
 * upsert is order-safe (Shopify's updated_at), so an older update never overwrites a newer one.
 * After the write: a changed product is re-embedded within a minute, new orders count towards a
 * retrain (app/shopify/freshness.server.ts).
 */
import { BadJobInput, jobNow, type JobContext, type JobPayloads } from "../queues/jobs";
import * as sync from "../models/sync.server";
import { compactAfterRedaction, exportCustomerData, markUninstalled, redactCustomer, writeDataRequestExport } from "../models/privacy.server";
import { customerFromRest, customerRow, orderFromRest, orderRows, productFromRest, productRow, refundFromRest, idOf } from "../shopify/mapping";
import { embedSoon, retrainCheckSoon, unscheduleRetrain } from "../shopify/freshness.server";
import { isKnownTopic, topicKey } from "../shopify/webhooks.server";
import { completeCheckouts, upsertCheckout } from "../models/campaign.server";
import { checkoutFromRest } from "../shopify/checkouts";

export interface SyncResult {
  topic: string;
  outcome: sync.WriteOutcome | "duplicate" | "ignored";
  /** Follow-up jobs enqueued (embed, retrainCheck). */
  followUps: string[];
}

type Body = Record<string, unknown>;

/** The write of each topic; runs inside the delivery's transaction, so it must be synchronous. */
function apply(
  shop: string,
  topic: string,
  body: Body,
  triggeredAt: Date,
): { outcome: sync.WriteOutcome; embed?: string[]; retrain?: boolean; dataRequest?: boolean; uninstalled?: boolean; compact?: boolean } {
  switch (topic) {
    case "PRODUCTS_CREATE":
    case "PRODUCTS_UPDATE": {
      const mapping = sync.loadMapping(shop);
      const { product, items } = productRow(productFromRest(body), mapping);
      const outcome = sync.upsertProduct(shop, product, items, mapping);
      return { outcome, embed: outcome === "applied" ? [product.id] : [] };
    }
    case "PRODUCTS_DELETE": {
      const id = idOf(body.id);
      if (!id) throw new BadJobInput("products/delete without id");
      const outcome = sync.deleteProduct(shop, id, triggeredAt);
      return { outcome, embed: outcome === "applied" ? [id] : [] };
    }
    case "INVENTORY_LEVELS_UPDATE": {
      const item = idOf(body.inventory_item_id);
      const location = idOf(body.location_id);
      if (!item || !location) throw new BadJobInput("inventory_levels/update needs inventory_item_id and location_id");
      const updated = typeof body.updated_at === "string" ? new Date(body.updated_at).toISOString() : triggeredAt.toISOString();
      return { outcome: sync.upsertInventoryLevel(shop, { inventoryItemId: item, locationId: location, available: Number(body.available ?? 0), sourceUpdatedAt: updated }).outcome };
    }
    case "ORDERS_CREATE":
    case "ORDERS_UPDATED":
    case "ORDERS_CANCELLED": {
      const { order, items } = orderRows(orderFromRest(body));
      const outcome = sync.upsertOrder(shop, order, items);
      // The shopper bought: their checkout is no longer abandoned ("Complete your look" skips it).
      if (topic !== "ORDERS_CANCELLED") completeCheckouts(shop, { checkoutId: idOf(body.checkout_id), customerId: order.customerId, at: new Date(order.orderDate) });
      return { outcome, retrain: outcome === "applied" && topic === "ORDERS_CREATE" };
    }
    case "CHECKOUTS_CREATE":
    case "CHECKOUTS_UPDATE": {
      let checkout;
      try {
        checkout = checkoutFromRest(body, triggeredAt);
      } catch (e) {
        throw new BadJobInput(`${topic}: ${(e as Error).message}`);
      }
      return { outcome: upsertCheckout(shop, checkout) };
    }
    case "REFUNDS_CREATE":
      return { outcome: sync.applyRefund(shop, refundFromRest(body)) };
    case "CUSTOMERS_CREATE":
    case "CUSTOMERS_UPDATE":
      return { outcome: sync.upsertCustomer(shop, customerRow(customerFromRest(body), sync.loadMapping(shop), triggeredAt)) };
    case "CUSTOMERS_DELETE": {
      const id = idOf(body.id);
      if (!id) throw new BadJobInput("customers/delete without id");
      redactCustomer(shop, { customerId: id, compact: false });
      return { outcome: "applied", compact: true };
    }
    case "APP_UNINSTALLED":
      markUninstalled(shop);
      return { outcome: "applied", uninstalled: true };
    case "CUSTOMERS_DATA_REQUEST":
      return { outcome: "applied", dataRequest: true };
    default:
      return { outcome: "stale" };
  }
}

/**
 * What a delivery of this topic asks for after its write, read from the body alone: a run of the
 * job that finds its delivery already written (a crash after the write's commit, before these)
 * still does them. Each is idempotent: an embed of unchanged images is skipped, a retrain check
 * counts, the export file is rewritten whole.
 */
function followUpsOf(topic: string, body: Body): { embed?: string[]; retrain?: boolean; dataRequest?: boolean; uninstalled?: boolean; compact?: boolean } {
  switch (topic) {
    case "PRODUCTS_CREATE":
    case "PRODUCTS_UPDATE":
    case "PRODUCTS_DELETE": {
      const id = idOf(body.id);
      return { embed: id ? [id] : [] };
    }
    case "ORDERS_CREATE":
      return { retrain: true };
    case "CUSTOMERS_DATA_REQUEST":
      return { dataRequest: true };
    case "APP_UNINSTALLED":
      return { uninstalled: true };
    case "CUSTOMERS_DELETE":
      return { compact: true };
    default:
      return {};
  }
}

/** `written`: called once the delivery's write has committed, before its follow-ups. */
export async function applyDelivery(payload: JobPayloads["sync"], written?: () => void | Promise<void>): Promise<SyncResult & { exportFile?: string }> {
  if (!payload.shop || !payload.webhookId) throw new BadJobInput("sync: shop and webhookId are required");
  const topic = topicKey(payload.topic);
  if (!isKnownTopic(topic)) return { topic, outcome: "ignored", followUps: [] };
  let body: Body;
  try {
    body = JSON.parse(payload.payload) as Body;
  } catch (e) {
    throw new BadJobInput(`sync ${topic}: the body is not JSON (${(e as Error).message})`);
  }
  const triggeredAt = payload.triggeredAt && Number.isFinite(Date.parse(payload.triggeredAt)) ? new Date(payload.triggeredAt) : jobNow(payload);
  const done = sync.applyDeliveryOnce(payload.shop, payload.webhookId, topic, () => apply(payload.shop, topic, body, triggeredAt));
  await written?.();
  // Already written: by Shopify's earlier delivery of this webhook id, or by this very job before a
  // crash cut it off between the commit and its follow-ups. Doing the follow-ups again is harmless.
  const r = done.outcome === "duplicate" ? followUpsOf(topic, body) : done.result;
  // customers/delete redacted inside the delivery's transaction: the freed pages are vacuumed now.
  if (r.compact) compactAfterRedaction();
  const followUps: string[] = [];
  let exportFile: string | undefined;
  if (r.dataRequest) {
    const customer = (body.customer ?? {}) as { id?: unknown; email?: unknown };
    const doc = exportCustomerData(payload.shop, {
      customerId: customer.id != null ? String(customer.id) : null,
      email: typeof customer.email === "string" ? customer.email : null,
      orderIds: Array.isArray(body.orders_requested) ? body.orders_requested.map(String) : [],
    });
    const requestId = String((body.data_request as { id?: unknown } | undefined)?.id ?? payload.webhookId);
    exportFile = writeDataRequestExport(payload.shop, requestId, doc);
  }
  // No scheduled retrains for a shop that left (afterAuth registers them again on reinstall).
  if (r.uninstalled) {
    await unscheduleRetrain(payload.shop).catch(() => undefined);
    const { unscheduleCampaigns } = await import("../campaigns/campaigns.server");
    await unscheduleCampaigns(payload.shop).catch(() => undefined);
  }
  if (r.embed?.length) followUps.push(...(await embedSoon(payload.shop, r.embed, jobNow(payload).getTime())));
  if (r.retrain) followUps.push(await retrainCheckSoon(payload.shop, jobNow(payload).getTime()));
  return { topic, outcome: done.outcome === "duplicate" ? "duplicate" : done.result.outcome, followUps, exportFile };
}

export default async function syncJob(payload: JobPayloads["sync"], ctx: JobContext): Promise<SyncResult> {
  const result = await applyDelivery(payload, () => ctx.progress(0.5, "written; follow-ups next"));
  ctx.log(`${result.topic} ${result.outcome}`);
  // The job result is shown in the admin: no personal data (the export's path only).
  return result;
}
