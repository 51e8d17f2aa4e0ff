/**
 * The app proxy's two endpoints, as plain Request -> Response functions so that the Remix routes
 * (app/routes/proxy.*.ts) and the demo's stand-in for Shopify's proxy (app/routes/apps.facet.*.ts)
 * run the same code, signature check included.
 */
import { BODY_LIMITS, BodyTooLarge, TOO_LARGE_HEADERS, readTextLimited } from "../http/body.server";
import { isbot } from "isbot";
import { z } from "zod";
import { env } from "../env.server";
import { experimentHasVariant, recordRecommendationEvents } from "../models/recommendationEvent.server";
import { parseRecommendationId } from "../recommend/experiments/serving";
import { rateLimiter } from "../shopify/ingest.server";
import { linkClient, linkedCustomer } from "../models/ingest.server";
import { renderCards } from "./fragment.server";
import { verifyProxySignature, type ProxyVerdict } from "./proxySignature.server";
import { RecommendInputError } from "../serving/recommend.server";
import { storefrontList } from "./recommendations.server";
import type { StorefrontList } from "./types";

export interface ProxyOptions {
  /** The app's API secret (Shopify signs proxied requests with it). */
  secret: string;
  nowMs: number;
}

const STOREFRONT_PLACEMENTS = ["product", "home", "cart"] as const;
const CLIENT_ID = z.string().regex(/^[\w.-]{8,100}$/, "8-100 letters, digits, '.', '_' or '-'");

const listQuery = z.object({
  placement: z.enum(STOREFRONT_PLACEMENTS),
  product_id: z.string().regex(/^[\w-]{1,64}$/).optional(),
  cart: z
    .string()
    .regex(/^[\w-]{1,64}(,[\w-]{1,64}){0,99}$/)
    .optional(),
  limit: z.coerce.number().int().min(1).max(24).default(4),
  format: z.enum(["json", "html"]).default("json"),
  locale: z.string().regex(/^[a-zA-Z]{2}(-[a-zA-Z]{2})?$/).optional(),
  // routes.root_url: "/" or a locale's "/de" (the demo storefront's is "/demo/storefront"); a path, never "//host".
  root: z.string().max(40).regex(/^(\/[a-zA-Z0-9-]+)*\/?$/).default("/"),
  reasons: z.enum(["0", "1"]).default("0"),
  // facet.js's first-party anonymous id: sticky experiment variants for shoppers who are not logged in.
  client_id: CLIENT_ID.optional(),
});

function json(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", ...headers },
  });
}

function refuse(verdict: Extract<ProxyVerdict, { ok: false }>): Response {
  const messages: Record<typeof verdict.reason, string> = {
    "no-secret": "The app's API secret is not configured (SHOPIFY_API_SECRET): no proxied request can be verified.",
    "missing-signature": "Missing signature: this endpoint answers only requests proxied by Shopify (/apps/facet/...).",
    "bad-signature": "The signature does not match this request.",
    stale: "The signature's timestamp is too old (or in the future): the request may be a replay.",
    "missing-shop": "The signed request names no valid shop.",
  };
  return json({ error: verdict.reason, message: messages[verdict.reason] }, verdict.reason === "no-secret" ? 503 : 401);
}

/**
 * Personalised answers (a logged-in customer) must never be stored by a shared cache; anonymous ones
 * may be for a minute. `Vary: Cookie` because Shopify derives the customer from the shopper's session.
 */
export function cacheHeaders(personalised: boolean): Record<string, string> {
  return {
    "Cache-Control": personalised ? "private, no-store" : "public, max-age=60, stale-while-revalidate=300",
    Vary: "Cookie, Accept",
  };
}

/**
 * The signed link (issue 15 point 4): Shopify signs `logged_in_customer_id` into the proxied query,
 * so a request that carries it and facet.js's client id (Shopify's `_shopify_y`, the web pixel's
 * clientId) proves that this browser belongs to that customer. Only this links a client id to a
 * customer; the web pixel's own `customerId` counts only when it matches such a link.
 */
function linkSigned(shop: string, customerId: string | null, clientId: string | null | undefined): void {
  if (!customerId || !clientId) return;
  try {
    if (linkedCustomer(shop, clientId) !== customerId) linkClient(shop, clientId, customerId);
  } catch (e) {
    console.error(`app proxy: linking client ${clientId} of ${shop} failed: ${(e as Error).message}`);
  }
}

/** GET /apps/facet/recommendations (proxied to /proxy/recommendations). */
export async function handleRecommendations(request: Request, opts: ProxyOptions): Promise<Response> {
  const url = new URL(request.url);
  const verdict = verifyProxySignature(url.searchParams, opts.secret, opts.nowMs);
  if (!verdict.ok) return refuse(verdict);
  const parsed = listQuery.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    return json({ error: "bad-request", message: `Invalid query parameter(s): ${where}` }, 400);
  }
  const q = parsed.data;
  linkSigned(verdict.shop, verdict.customerId, q.client_id);
  let list: StorefrontList;
  try {
    list = await storefrontList({
      shop: verdict.shop,
      placement: q.placement,
      customerId: verdict.customerId,
      clientId: q.client_id ?? null,
      productId: q.product_id ?? null,
      cart: q.cart ? q.cart.split(",") : [],
      limit: q.limit,
      language: q.locale ?? null,
      root: q.root,
      nowMs: opts.nowMs,
    });
  } catch (e) {
    // A client's mistake (unknown product, empty cart) says so; anything else is ours. Either way
    // facet.js hides the block and the page stays as the theme rendered it.
    if (e instanceof RecommendInputError) return json({ error: "bad-request", message: e.message }, e.status);
    console.error(`app proxy: recommendations for ${verdict.shop} failed:`, e);
    return json({ error: "unavailable", message: "Recommendations are unavailable right now." }, 503);
  }
  const headers = cacheHeaders(verdict.customerId !== null);
  if (q.format === "html") {
    return new Response(renderCards(list, { reasons: q.reasons === "1" }), {
      status: 200,
      headers: { "Content-Type": "text/html; charset=utf-8", ...headers },
    });
  }
  return json(list, 200, headers);
}

const eventBody = z.object({
  type: z.enum(["impression", "click", "add_to_cart"]),
  recommendationId: z.string().min(1).max(100),
  placement: z.enum(STOREFRONT_PLACEMENTS),
  productIds: z.array(z.string().regex(/^[\w-]{1,64}$/)).min(1).max(50),
  position: z.number().int().min(1).max(100).optional(),
  clientId: CLIENT_ID.optional(),
});

/**
 * The shopper an event's rate limit counts against: the client id, else the logged-in customer,
 * else the address Shopify's proxy forwarded (shared by a household, so only a generous limit).
 */
function rateKey(request: Request, shop: string, customerId: string | null, clientId: string | undefined): string {
  if (clientId) return `blk:${shop}:c:${clientId}`;
  if (customerId) return `blk:${shop}:u:${customerId}`;
  const ip = (request.headers.get("x-forwarded-for") ?? "").split(",")[0].trim() || request.headers.get("x-real-ip") || "unknown";
  return `blk:${shop}:ip:${ip}`;
}

/**
 * POST /apps/facet/events: impressions, clicks and add-to-carts from facet.js (sendBeacon,
 * text/plain JSON). Bots (isbot on the user agent) and shoppers over
 * BLOCK_EVENTS_PER_CLIENT_PER_MINUTE are answered 202 like everyone else but nothing is counted,
 * so a crawler learns nothing and inflates no rate. The experiment and variant come from the
 * recommendation id (checked against the shop's experiments: the id is client-supplied).
 */
export async function handleEvents(request: Request, opts: ProxyOptions): Promise<Response> {
  if (request.method !== "POST") return json({ error: "method", message: "POST a JSON event." }, 405, { Allow: "POST" });
  const verdict = verifyProxySignature(new URL(request.url).searchParams, opts.secret, opts.nowMs);
  if (!verdict.ok) return refuse(verdict);
  let text: string;
  try {
    text = await readTextLimited(request, BODY_LIMITS.proxyEvents);
  } catch (e) {
    if (e instanceof BodyTooLarge) return json({ error: "too-large", message: `Event bodies are at most ${BODY_LIMITS.proxyEvents / 1000} KB.` }, 413, TOO_LARGE_HEADERS);
    throw e;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return json({ error: "bad-request", message: "The body is not JSON." }, 400);
  }
  const parsed = eventBody.safeParse(raw);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    return json({ error: "bad-request", message: `Invalid event: ${where}` }, 400);
  }
  const e = parsed.data;
  if (isbot(request.headers.get("user-agent") ?? "")) return json({ stored: 0 }, 202);
  const limiter = await rateLimiter();
  if (!(await limiter.take(rateKey(request, verdict.shop, verdict.customerId, e.clientId), 1, env().BLOCK_EVENTS_PER_CLIENT_PER_MINUTE, 60_000, opts.nowMs))) {
    return json({ stored: 0 }, 202);
  }
  linkSigned(verdict.shop, verdict.customerId, e.clientId);
  const tagged = parseRecommendationId(e.recommendationId);
  const inExperiment = tagged !== null && experimentHasVariant(verdict.shop, tagged.experimentId, tagged.variant);
  const stored = recordRecommendationEvents({
    shop: verdict.shop,
    recommendationId: e.recommendationId,
    type: e.type,
    placement: e.placement,
    productIds: e.type === "impression" ? e.productIds : e.productIds.slice(0, 1),
    positions: e.type === "impression" ? e.productIds.map((_, i) => i + 1) : [e.position ?? null],
    customerId: verdict.customerId,
    clientId: e.clientId ?? null,
    experimentId: inExperiment ? tagged.experimentId : null,
    variant: inExperiment ? tagged.variant : null,
    at: new Date(opts.nowMs),
  });
  return json({ stored }, 202);
}
