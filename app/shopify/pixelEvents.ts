/**
 * The web pixel's wire format (extensions/facet-pixel posts it to POST /ingest) and its mapping to
 * interaction rows. Pure: validation with zod, no I/O; `now` is a parameter.
 *
 * {
 *   "shop": "x.myshopify.com", "clientId": "<pixel clientId>", "customerId": "123" | null,
 *   "sessionId": "<per-tab id>", "consent": { "analytics": true, "marketing": false, "preferences": true, "saleOfData": true },
 *   "context": { "deviceType": "mobile", "referrer": "https://..." },
 *   "events": [{ "id": "<Shopify event id>", "name": "product_viewed", "timestamp": "ISO", "productIds": ["123"], ... }]
 * }
 */
import { z } from "zod";
import type { InteractionInput } from "../models/ingest.server";

export const PIXEL_EVENTS = ["product_viewed", "collection_viewed", "product_added_to_cart", "product_removed_from_cart", "checkout_completed", "search_submitted"] as const;
export type PixelEventName = (typeof PIXEL_EVENTS)[number];

/** Limits of one request. */
export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_EVENTS = 50;
/** Events older than this, or further in the future (clock skew), are rejected. */
export const MAX_AGE_MS = 7 * 24 * 3600 * 1000;
export const MAX_FUTURE_MS = 10 * 60 * 1000;

/** A Shopify id: digits, or a gid whose tail is digits; normalised to the digits. */
const shopifyId = z
  .union([z.string(), z.number().int().nonnegative()])
  .transform((v) => String(v))
  .refine((v) => /^\d{1,20}$/.test(v) || /^gid:\/\/shopify\/\w+\/\d{1,20}$/.test(v), { message: "must be a Shopify id (digits or gid://shopify/Type/digits)" })
  .transform((v) => v.slice(v.lastIndexOf("/") + 1));

const event = z
  .object({
    id: z.string().min(1).max(128),
    name: z.enum(PIXEL_EVENTS),
    timestamp: z.string().datetime({ offset: true }),
    productIds: z.array(shopifyId).max(100).default([]),
    collectionId: shopifyId.optional(),
    query: z.string().max(200).optional(),
    orderId: shopifyId.optional(),
    quantity: z.number().int().min(0).max(10_000).optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    const needsProduct = e.name === "product_viewed" || e.name === "product_added_to_cart" || e.name === "product_removed_from_cart";
    if (needsProduct && e.productIds.length === 0) ctx.addIssue({ code: "custom", path: ["productIds"], message: `${e.name} needs at least one product id` });
    if (e.name === "collection_viewed" && !e.collectionId) ctx.addIssue({ code: "custom", path: ["collectionId"], message: "collection_viewed needs collectionId" });
    if (e.name === "search_submitted" && !e.query?.trim()) ctx.addIssue({ code: "custom", path: ["query"], message: "search_submitted needs a query" });
  });

export const pixelBatch = z
  .object({
    shop: z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, "must be the shop's myshopify domain"),
    clientId: z.string().min(1).max(128).regex(/^[\w.-]+$/, "letters, digits, '.', '_' and '-' only"),
    customerId: shopifyId.nullable().optional(),
    sessionId: z.string().max(128).regex(/^[\w.-]+$/).optional(),
    consent: z
      .object({ analytics: z.boolean(), marketing: z.boolean().optional(), preferences: z.boolean().optional(), saleOfData: z.boolean().optional() })
      .strict(),
    context: z.object({ deviceType: z.enum(["mobile", "tablet", "desktop"]).optional(), referrer: z.string().max(500).optional() }).strict().optional(),
    events: z.array(event).min(1).max(MAX_EVENTS),
  })
  .strict();

export type PixelBatch = z.infer<typeof pixelBatch>;

export class PixelInputError extends Error {}

/** Parses and validates a request body; throws PixelInputError naming the field (events.3.timestamp: ...). */
export function parsePixelBatch(text: string, now: number): PixelBatch {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new PixelInputError(`body is not JSON: ${(e as Error).message}`);
  }
  const r = pixelBatch.safeParse(json);
  if (!r.success) throw new PixelInputError(r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
  r.data.events.forEach((e, i) => {
    const t = Date.parse(e.timestamp);
    if (t < now - MAX_AGE_MS || t > now + MAX_FUTURE_MS) throw new PixelInputError(`events.${i}.timestamp: ${e.timestamp} is outside the accepted window (7 days back, 10 minutes ahead)`);
  });
  return r.data;
}

/** The customer a batch names: the logged-in customer (the pixel's init data). */
export const batchCustomer = (b: PixelBatch): string | null => b.customerId ?? null;

/**
 * Interaction rows of a batch. checkout_completed yields none: the order arrives by webhook with
 * its items (OrderItem is the purchase record), and the event only links the client to the buyer.
 */
export function interactionsOf(b: PixelBatch): InteractionInput[] {
  const rows: InteractionInput[] = [];
  const base = { sessionId: b.sessionId ?? null, deviceType: b.context?.deviceType ?? null, referrerSource: "pixel" };
  for (const e of b.events) {
    const timestamp = new Date(e.timestamp).toISOString();
    const add = (productId: string, type: string, i: number) => rows.push({ ...base, id: `px:${e.id}:${i}`, productId, type, timestamp });
    switch (e.name) {
      case "product_viewed":
        add(e.productIds[0], "view", 0);
        break;
      case "product_added_to_cart":
        e.productIds.forEach((p, i) => add(p, "add_to_cart", i));
        break;
      case "product_removed_from_cart":
        e.productIds.forEach((p, i) => add(p, "remove_from_cart", i));
        break;
      case "collection_viewed":
        add(`collection:${e.collectionId}`, "collection_view", 0);
        break;
      case "search_submitted":
        add(`search:${e.query!.trim().toLowerCase().slice(0, 100)}`, "search", 0);
        break;
      case "checkout_completed":
        break;
    }
  }
  return rows;
}
