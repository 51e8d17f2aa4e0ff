/**
 * The web pixel's ingest: validate, respect consent, rate-limit per shop and client, store the
 * interactions durably (committed to SQLite before the answer), link the client to the customer,
 * then nudge the retrain check. Used by app/routes/ingest.ts.
 *
 * Consent: the pixel forwards Shopify's customerPrivacy. Without analytics consent nothing is
 * stored or linked (202, stored 0): behaviour capture for recommendations is analytics processing
 * under Shopify's privacy API, and the extension also declares analytics in its customer_privacy
 * block so Shopify does not load it for visitors who declined.
 *
 * Identity (issue 15 point 4): the batch's `customerId` is written by the browser, so it is kept
 * only when a signed link (the app proxy's logged_in_customer_id, app/storefront/proxy.server.ts)
 * ties this client id to that customer; otherwise the events are anonymous by client id. New client
 * ids (never seen in the shop) are limited per shop and per IP address per minute, so rotating the
 * client id does not escape the per-client limit.
 */
import { env } from "../env.server";
import { BodyTooLarge, TOO_LARGE_HEADERS, jsonResponse, readTextLimited } from "../http/body.server";
import { within } from "../http/unavailable.server";
import { clientKnown, provenCustomer, shopAcceptsEvents, storeInteractions, type InteractionInput } from "../models/ingest.server";
import { creditAddToCarts } from "../models/recommendationEvent.server";
import { retrainCheckSoon } from "./freshness.server";
import { MAX_BODY_BYTES, PixelInputError, batchCustomer, interactionsOf, parsePixelBatch } from "./pixelEvents";
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from "./rateLimit.server";
import { systemClock } from "../clock";

let limiter: RateLimiter | undefined;

/** The process's rate limiter (Redis when REDIS_URL is set): the pixel ingest and the block events share it. */
export async function rateLimiter(): Promise<RateLimiter> {
  if (!limiter) {
    const url = env().REDIS_URL;
    if (url) {
      const { webRedisConnection } = await import("../queues/bullmq.server");
      limiter = new RedisRateLimiter(webRedisConnection(url), `${env().FACET_QUEUE_PREFIX}:rl`);
    } else limiter = new MemoryRateLimiter();
  }
  return limiter;
}

/** Tests: a limiter with its own Redis prefix; undefined resets to the default on next use. */
export async function setRateLimiter(l: RateLimiter | undefined): Promise<void> {
  const old = limiter;
  limiter = l;
  if (old && old !== l) await old.close();
}

/**
 * The caller's address: `X-Facet-Client-IP`, which scripts/start.mjs sets on every request from the
 * socket (or from X-Forwarded-For through FACET_TRUST_PROXY hops) and overwrites whatever a client
 * sent. Null when absent (the dev server, in-process tests): the per-IP limit is then not applied.
 */
export function clientIp(request: Request): string | null {
  const ip = (request.headers.get("x-facet-client-ip") ?? "").trim();
  return ip ? ip.slice(0, 64) : null;
}

/** CORS for the storefront: the pixel's sandbox posts cross-origin, without credentials. */
export function corsHeaders(request: Request): Record<string, string> {
  const origin = request.headers.get("Origin");
  return {
    "Access-Control-Allow-Origin": origin && origin !== "null" ? origin : "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "86400",
    Vary: "Origin",
  };
}

const json = (request: Request, body: unknown, status: number, extra: Record<string, string> = {}) =>
  jsonResponse(body, { status, headers: { ...corsHeaders(request), "Cache-Control": "no-store", ...extra } });

/** The body, or null once it passes MAX_BODY_BYTES (the read stops there: a chunked 400 MB body costs 64 KB). */
async function readLimited(request: Request): Promise<string | null> {
  try {
    return await readTextLimited(request, MAX_BODY_BYTES);
  } catch (e) {
    if (e instanceof BodyTooLarge) return null;
    throw e;
  }
}

/**
 * What the ingest does with a validated batch: store the interactions (the customer kept only when
 * a signed link proves it), credit add-to-carts to recommendation clicks, nudge the retrain check.
 * Returns how many interactions were stored. The demo storefront's cart calls it too: it has no web
 * pixel, so its "Add to cart" reports what the pixel's product_added_to_cart would.
 */
export async function recordStorefrontEvents(
  shop: string,
  clientId: string,
  claimedCustomer: string | null,
  rows: InteractionInput[],
  adds: { productId: string; at: Date }[],
  now: number,
): Promise<number> {
  const customer = provenCustomer(shop, clientId, claimedCustomer);
  const stored = storeInteractions(shop, clientId, customer, rows);
  // Add-to-cart rates of recommendation lists: the theme's product form (not a Facet card) adds to
  // the cart, so the pixel's product_added_to_cart is credited to the shopper's recent click on that
  // product in a list (app/models/recommendationEvent.server.ts creditAddToCarts).
  if (adds.length && stored > 0) {
    try {
      creditAddToCarts(shop, { customerId: customer, clientId }, adds);
    } catch (err) {
      console.error(`ingest: crediting add-to-carts failed: ${(err as Error).message}`);
    }
  }
  if (stored > 0) {
    // Best effort: the events are stored; a queue hiccup must not make the pixel resend them.
    await retrainCheckSoon(shop, now).catch((err) => console.error(`ingest: retrain check not enqueued: ${(err as Error).message}`));
  }
  return stored;
}

export async function handleIngest(request: Request, now = systemClock.nowMs()): Promise<Response> {
  if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: corsHeaders(request) });
  if (request.method !== "POST") return json(request, { error: "POST only" }, 405, { Allow: "POST, OPTIONS" });
  const text = await readLimited(request);
  if (text === null) return json(request, { error: `body over ${MAX_BODY_BYTES} bytes: send fewer events per request` }, 413, TOO_LARGE_HEADERS);
  let batch;
  try {
    batch = parsePixelBatch(text, now);
  } catch (e) {
    if (e instanceof PixelInputError) return json(request, { error: e.message }, 400);
    throw e;
  }
  if (!shopAcceptsEvents(batch.shop)) return json(request, { error: `shop ${batch.shop} is not installed` }, 404);
  if (!batch.consent.analytics) return json(request, { stored: 0, reason: "no analytics consent" }, 202);

  const e = env();
  const rl = await rateLimiter();
  const n = batch.events.length;
  // Redis down: answer 503 at once (the pixel retries later) rather than hang or store unlimited.
  const take = (key: string, limit: number) => within(rl.take(key, n, limit, 60_000, now), 2500, "Redis (REDIS_URL) rate limit");
  try {
    if (!clientKnown(batch.shop, batch.clientId)) {
      const one = (key: string, limit: number) => within(rl.take(key, 1, limit, 60_000, now), 2500, "Redis (REDIS_URL) rate limit");
      const ip = clientIp(request);
      if (ip && !(await one(`newclient:${batch.shop}:ip:${ip}`, e.INGEST_NEW_CLIENTS_PER_IP_PER_MINUTE))) {
        return json(request, { error: "too many new client ids from this address" }, 429, { "Retry-After": "60" });
      }
      if (!(await one(`newclient:${batch.shop}`, e.INGEST_NEW_CLIENTS_PER_SHOP_PER_MINUTE))) {
        return json(request, { error: "too many new client ids for this shop" }, 429, { "Retry-After": "60" });
      }
    }
    if (!(await take(`client:${batch.shop}:${batch.clientId}`, e.INGEST_CLIENT_EVENTS_PER_MINUTE))) {
      return json(request, { error: "too many events from this client" }, 429, { "Retry-After": "60" });
    }
    if (!(await take(`shop:${batch.shop}`, e.INGEST_SHOP_EVENTS_PER_MINUTE))) {
      return json(request, { error: "too many events for this shop" }, 429, { "Retry-After": "60" });
    }
  } catch (err) {
    console.error(`ingest: rate limiter unavailable: ${(err as Error).message}`);
    return json(request, { error: "temporarily unavailable, retry later" }, 503, { "Retry-After": "30" });
  }

  const adds = batch.events.filter((ev) => ev.name === "product_added_to_cart").flatMap((ev) => ev.productIds.map((productId) => ({ productId, at: new Date(ev.timestamp) })));
  const stored = await recordStorefrontEvents(batch.shop, batch.clientId, batchCustomer(batch), interactionsOf(batch), adds, now);
  return json(request, { stored }, 200);
}
