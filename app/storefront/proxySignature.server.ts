/**
 * Shopify app proxy signatures. Shopify forwards /apps/facet/* on the shop's domain to /proxy/* and
 * adds `shop`, `logged_in_customer_id`, `path_prefix`, `timestamp` and `signature` to the query.
 * The signature is HMAC-SHA256 (hex) with the app's API secret over the other parameters, sorted
 * by name, each written "key=value" (a repeated key's values joined with ","), concatenated with no
 * separator. https://shopify.dev/docs/apps/build/online-store/display-dynamic-data#calculate-a-digital-signature
 * Pure: the secret and the clock are parameters.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** Requests signed longer ago than this are refused as replays (Shopify's own libraries use 90 s). */
export const PROXY_MAX_AGE_SECONDS = 90;

export type ProxyVerdict =
  | { ok: true; shop: string; customerId: string | null; timestamp: number }
  | { ok: false; reason: "no-secret" | "missing-signature" | "bad-signature" | "stale" | "missing-shop" };

/** The message Shopify signs: every parameter but `signature`, sorted, "k=v" concatenated. */
export function proxyMessage(params: URLSearchParams): string {
  const grouped = new Map<string, string[]>();
  for (const [k, v] of params) {
    if (k === "signature") continue;
    grouped.set(k, [...(grouped.get(k) ?? []), v]);
  }
  return [...grouped.keys()]
    .sort()
    .map((k) => `${k}=${grouped.get(k)!.join(",")}`)
    .join("");
}

export function signProxyParams(params: URLSearchParams, secret: string): string {
  return createHmac("sha256", secret).update(proxyMessage(params)).digest("hex");
}

/** Verifies a proxied request's query string; `nowMs` is the server's clock. */
export function verifyProxySignature(params: URLSearchParams, secret: string, nowMs: number): ProxyVerdict {
  if (!secret) return { ok: false, reason: "no-secret" };
  const given = params.get("signature");
  if (!given) return { ok: false, reason: "missing-signature" };
  const expected = signProxyParams(params, secret);
  const a = Buffer.from(given, "utf8");
  const b = Buffer.from(expected, "utf8");
  if (a.length !== b.length || !timingSafeEqual(a, b)) return { ok: false, reason: "bad-signature" };
  const timestamp = Number(params.get("timestamp"));
  if (!Number.isFinite(timestamp) || Math.abs(nowMs / 1000 - timestamp) > PROXY_MAX_AGE_SECONDS) {
    return { ok: false, reason: "stale" };
  }
  const shop = params.get("shop") ?? "";
  if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i.test(shop)) return { ok: false, reason: "missing-shop" };
  const customerId = params.get("logged_in_customer_id") || null;
  return { ok: true, shop: shop.toLowerCase(), customerId, timestamp };
}
