/**
 * The handler of GET /api/recommendations (served by app/http/front.server.ts; the Remix route
 * app/routes/api.recommendations.ts wraps the same functions): recommendations for headless storefronts and direct callers.
 *   ?placement=product|home|cart|email|general &customer_id= &product_id= &cart=<ids,> &limit=
 *   &locale=en|de|fr|it (the reasons' language; a region such as fr-CH is fine) &gift=1 &recent=<viewed ids, oldest first> &shop=<domain>
 *   &client_id=<the anonymous shopper's stable id> (assigns an experiment's variant without customer_id)
 * Authentication (app/shopify/identity.server.ts): a per-shop API key created in the admin, in a
 * header (`Authorization: Bearer <key>` or `X-Facet-Key`; in the query string: 400). A key of
 * another shop: 403. customer_id is honoured only with a valid customer token
 * (`X-Facet-Customer-Token`, signed by the merchant's backend); otherwise the answer is the
 * anonymous one and the header `X-Facet-Identity: anonymous` says so.
 * The shop comes from `shop` in the query or the `X-Facet-Shop` header.
 * Answers JSON (app/serving/recommend.server.ts RecommendResponse) with CORS headers and
 * `Cache-Control: private` (answers may be personal).
 */
import { systemClock } from "../clock";
import { authenticateApiRequest } from "../shopify/identity.server";
import { RecommendInputError, recommendFor } from "../serving/recommend.server";
import type { Placement } from "../recommend/types";
import { SHOPPER_LANGUAGES, shopperLanguage } from "../serving/reasonText";

const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, OPTIONS",
  "Access-Control-Allow-Headers": "Authorization, X-Facet-Key, X-Facet-Shop, X-Facet-Customer-Token, Content-Type",
  "Access-Control-Max-Age": "600",
};

function json(body: unknown, status: number, extra: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "private, no-store", Vary: "Authorization, X-Facet-Key, X-Facet-Shop, X-Facet-Customer-Token", ...CORS, ...extra },
  });
}

const SHOP = /^[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)+$/i;
const ID = /^[\w.:/-]{1,128}$/;

function list(v: string | null, name: string): string[] {
  if (!v) return [];
  const ids = v.split(",").map((s) => s.trim()).filter(Boolean);
  const bad = ids.find((id) => !ID.test(id));
  if (bad !== undefined || ids.length > 100) throw new RecommendInputError(`${name} must be up to 100 product ids separated by commas (bad: ${JSON.stringify(bad ?? v)})`);
  return ids;
}

/** GET (and HEAD) /api/recommendations. */
export async function handleApiRecommendations(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const q = url.searchParams;
  const shop = q.get("shop") ?? request.headers.get("X-Facet-Shop") ?? "";
  if (!SHOP.test(shop)) return json({ error: "bad-request", message: `shop must be a shop domain such as demo.myshopify.com (query shop= or header X-Facet-Shop; got ${JSON.stringify(shop)})` }, 400);
  const claimed = q.get("customer_id");
  if (claimed !== null && !ID.test(claimed)) return json({ error: "bad-request", message: `customer_id is not a valid id (got ${JSON.stringify(claimed)})` }, 400);
  const caller = authenticateApiRequest(request, url, shop, claimed, systemClock.now());
  if (!caller.ok) return json({ error: caller.error, message: caller.message }, caller.status);
  try {
    const limitRaw = q.get("limit");
    const locale = shopperLanguage(q.get("locale") ?? "en");
    if (!locale) throw new RecommendInputError(`locale must be one of ${SHOPPER_LANGUAGES.join(", ")} (got ${JSON.stringify(q.get("locale"))})`);
    const one = (name: string) => {
      const v = q.get(name);
      if (v !== null && !ID.test(v)) throw new RecommendInputError(`${name} is not a valid id (got ${JSON.stringify(v)})`);
      return v;
    };
    const body = await recommendFor({
      shop,
      placement: (q.get("placement") ?? "general") as Placement,
      customerId: caller.customerId,
      clientId: one("client_id"),
      productId: one("product_id"),
      cart: list(q.get("cart"), "cart"),
      recent: list(q.get("recent"), "recent"),
      limit: limitRaw === null ? undefined : Number(limitRaw),
      locale,
      gift: q.get("gift") === "1" || q.get("gift") === "true",
    });
    return json(body, 200, { "X-Facet-Identity": caller.identity });
  } catch (e) {
    if (e instanceof RecommendInputError) return json({ error: e.status === 404 ? "not-found" : "bad-request", message: e.message }, e.status);
    console.error(`[api.recommendations] ${shop}: ${(e as Error).stack ?? e}`);
    return json({ error: "internal", message: "The recommender failed; the error is logged." }, 500);
  }
}

/** Every other method: the CORS preflight (OPTIONS) or 405. */
export async function handleApiOtherMethod(request: Request): Promise<Response> {
  if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: CORS });
  return json({ error: "method-not-allowed", message: "Use GET." }, 405);
}
