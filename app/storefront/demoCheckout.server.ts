/**
 * The demo storefront's cart actions, done the way a real store reaches Facet:
 * - "Add to cart" reports what the web pixel's product_added_to_cart would (the demo has no pixel):
 *   the interaction and the add-to-cart credit of a recommendation click, through the ingest's own
 *   recordStorefrontEvents, keyed by the `_shopify_y` client id the demo sets as Shopify does;
 * - "Check out" makes the orders/create body Shopify would send for the cart and hands it to the
 *   webhook path (enqueueTopic: the `sync` job applies it as any delivery), so the order lands in
 *   the same tables, completes the checkout, counts towards a retrain, and attributed revenue and
 *   experiment results include it.
 */
import crypto from "node:crypto";
import { productCards, shopLocale } from "../models/storefrontShop.server";
import { recordStorefrontEvents } from "../shopify/ingest.server";
import { enqueueTopic } from "../shopify/webhooks.server";
import { cookieValue, demoCustomer } from "./demoProxy.server";
import { systemClock } from "../clock";

/** Shopify's first-party client id cookie (the web pixel's clientId; facet.js reads it too). */
export const CLIENT_COOKIE = "_shopify_y";

export function demoClientId(request: Request): string | null {
  const v = cookieValue(request, CLIENT_COOKIE);
  return v && /^[\w.-]{8,100}$/.test(v) ? v : null;
}

/** A Set-Cookie for a new visitor's client id, or null when the request has one. */
export function newClientCookie(request: Request): string | null {
  if (demoClientId(request)) return null;
  return `${CLIENT_COOKIE}=${crypto.randomUUID()}; Path=/; Max-Age=31536000; SameSite=Lax`;
}

/** The add-to-cart event of the product, as the pixel would report it. Returns how many interactions were stored. */
export async function demoAddToCart(request: Request, shop: string, productId: string, nowMs = systemClock.nowMs()): Promise<number> {
  const clientId = demoClientId(request);
  if (!clientId) return 0;
  const at = new Date(nowMs);
  const row = { id: `demo:${crypto.randomUUID()}`, productId, type: "add_to_cart", timestamp: at.toISOString(), sessionId: null, deviceType: null, referrerSource: "demo" };
  return recordStorefrontEvents(shop, clientId, demoCustomer(request), [row], [{ productId, at }], nowMs);
}

export interface DemoOrder {
  orderId: string;
  total: number;
  currency: string;
  items: number;
  customerId: string | null;
  outcome: string;
}

/** The orders/create body Shopify sends for this cart (REST shape, the fields app/shopify/mapping.ts reads and a few more). */
export function orderBody(opts: { orderId: string; at: Date; currency: string; customerId: string | null; clientId: string | null; lines: { productId: string; title: string; price: number }[] }) {
  const iso = opts.at.toISOString();
  const total = opts.lines.reduce((s, l) => s + l.price, 0);
  return {
    id: Number(opts.orderId),
    admin_graphql_api_id: `gid://shopify/Order/${opts.orderId}`,
    name: `#D${opts.orderId.slice(-5)}`,
    created_at: iso,
    processed_at: iso,
    updated_at: iso,
    cancelled_at: null,
    currency: opts.currency,
    presentment_currency: opts.currency,
    financial_status: "paid",
    fulfillment_status: null,
    total_price: total.toFixed(2),
    current_total_price: total.toFixed(2),
    subtotal_price: total.toFixed(2),
    total_discounts: "0.00",
    payment_gateway_names: ["demo"],
    shipping_lines: [],
    source_name: "web",
    tags: "facet-demo",
    note_attributes: [],
    checkout_token: opts.clientId,
    customer: opts.customerId ? { id: opts.customerId } : null,
    email: null,
    line_items: opts.lines.map((l, i) => ({ id: Number(`${opts.orderId.slice(-9)}${i + 1}`), product_id: l.productId, title: l.title, quantity: 1, price: l.price.toFixed(2), total_discount: "0.00" })),
    refunds: [],
  };
}

/** Places the cart's order through the webhook path and waits for the sync job (in-process: milliseconds). */
export async function demoCheckout(request: Request, shop: string, cart: string[], nowMs = systemClock.nowMs()): Promise<DemoOrder | null> {
  const cards = productCards(shop, cart);
  const lines = cart.flatMap((id) => (cards.has(id) ? [{ productId: id, title: cards.get(id)!.title, price: cards.get(id)!.salePrice ?? cards.get(id)!.price }] : []));
  if (!lines.length) return null;
  const at = new Date(nowMs);
  const orderId = `${nowMs}${crypto.randomInt(100, 999)}`;
  const customerId = demoCustomer(request);
  const currency = shopLocale(shop).currency;
  const body = orderBody({ orderId, at, currency, customerId, clientId: demoClientId(request), lines });
  const rawBody = JSON.stringify(body);
  const handle = await enqueueTopic("ORDERS_CREATE", { shop, topic: "orders/create", webhookId: crypto.randomUUID(), payload: body, rawBody, triggeredAt: at.toISOString() });
  // With a separate worker (REDIS_URL) the job may wait: the order then appears when it has run.
  const result = (await Promise.race([handle.finished(), new Promise((r) => setTimeout(() => r(undefined), 15_000).unref())])) as { outcome?: string } | undefined;
  return { orderId, total: Number(body.total_price), currency, items: lines.length, customerId, outcome: result?.outcome ?? "queued" };
}
