/**
 * Who asks the headless API (issue 15 point 3), shared by the Remix route and the lean storefront
 * front (e17serving), so both answer the same:
 *  - the shop: an API key of that shop (app/models/apiKey.server.ts), sent in a header
 *    (`Authorization: Bearer <key>` or `X-Facet-Key`), never in the query string (it would land in
 *    access logs: a key there is refused with 400);
 *  - the customer: a personalised answer for customer_id needs a customer token the merchant's
 *    backend signs with the shop's identity secret (shown in the admin under API keys). Without a
 *    valid token the answer is the anonymous one.
 *
 * Customer token (header `X-Facet-Customer-Token`, or query `customer_token`, it is short-lived):
 *   payload = base64url(UTF-8 "<shop>|<customerId>|<exp>")   exp: Unix seconds
 *   token   = payload + "." + base64url(HMAC-SHA256(identitySecret, payload))
 * valid while now < exp and exp - now <= 24 h (a token cannot be minted for ever).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { IDENTITY_SECRET_KEY, insertIdentitySecret, readIdentitySecret, replaceIdentitySecret } from "../models/identitySecret.server";
import { env } from "../env.server";
import { demoEnabled } from "../storefront/demoMode.server";
import { verifyApiKey } from "../models/apiKey.server";

export { IDENTITY_SECRET_KEY };
export const MAX_TOKEN_LIFETIME_S = 24 * 3600;

/** The shop's identity secret (created on first use: 32 random bytes, hex). */
export function identitySecret(shop: string, now: Date): string {
  const have = readIdentitySecret(shop);
  if (have) return have;
  const fresh = randomBytes(32).toString("hex");
  insertIdentitySecret(shop, fresh, now);
  return readIdentitySecret(shop) ?? fresh;
}

/** A new identity secret: every token signed with the old one stops working. */
export function rotateIdentitySecret(shop: string, now: Date): string {
  const fresh = randomBytes(32).toString("hex");
  replaceIdentitySecret(shop, fresh, now);
  return fresh;
}

const mac = (secret: string, payload: string) => createHmac("sha256", secret).update(payload, "utf8").digest("base64url");

/** Signs a customer token (what the merchant's backend does; used by tests and the admin's example). */
export function signCustomerToken(secret: string, shop: string, customerId: string, expSeconds: number): string {
  const payload = Buffer.from(`${shop}|${customerId}|${expSeconds}`, "utf8").toString("base64url");
  return `${payload}.${mac(secret, payload)}`;
}

/** The customer a token proves for this shop, or null (bad format, signature, shop, expiry or lifetime). */
export function verifyCustomerToken(secret: string, token: string, shop: string, nowMs: number): string | null {
  if (token.length > 1024) return null;
  const dot = token.indexOf(".");
  if (dot <= 0) return null;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), "utf8");
  const want = Buffer.from(mac(secret, payload), "utf8");
  if (given.length !== want.length || !timingSafeEqual(given, want)) return null;
  const parts = Buffer.from(payload, "base64url").toString("utf8").split("|");
  if (parts.length !== 3) return null;
  const [tokenShop, customerId, expRaw] = parts;
  const exp = Number(expRaw);
  const nowS = nowMs / 1000;
  if (tokenShop !== shop || !customerId || !Number.isInteger(exp) || exp <= nowS || exp - nowS > MAX_TOKEN_LIFETIME_S) return null;
  return customerId;
}

export type ApiCaller = { ok: true; shop: string; customerId: string | null; identity: "verified" | "anonymous" | "none" } | { ok: false; status: number; error: string; message: string };

/** The key a request presents in its headers ("" when none). */
export function presentedKey(request: Request): string {
  const auth = request.headers.get("Authorization") ?? "";
  const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  return m ? m[1] : (request.headers.get("X-Facet-Key") ?? "").trim();
}

/**
 * Authenticates a headless API request for `shop` and resolves the customer it may be answered
 * for. `claimedCustomer` is the query's customer_id; it is kept only with a valid customer token.
 * The demo's FACET_API_KEY is accepted only in demo mode and only for the demo shop (FACET_SHOP).
 */
export function authenticateApiRequest(request: Request, url: URL, shop: string, claimedCustomer: string | null, now: Date): ApiCaller {
  if (url.searchParams.has("api_key")) {
    return { ok: false, status: 400, error: "key-in-query", message: "Send the API key in a header (Authorization: Bearer <key> or X-Facet-Key), not in the query string: query strings land in access logs. Revoke this key in the admin and create a new one." };
  }
  const key = presentedKey(request);
  if (!key) return { ok: false, status: 401, error: "unauthorized", message: "Missing API key: send `Authorization: Bearer <key>` or `X-Facet-Key: <key>` (create one in the admin under API keys)." };
  const demoKey = env().FACET_API_KEY;
  const isDemoKey = !!demoKey && demoEnabled() && sameString(key, demoKey);
  if (isDemoKey) {
    if (shop !== env().FACET_SHOP) return { ok: false, status: 403, error: "forbidden", message: "The demo key opens the demo shop only." };
  } else {
    const v = verifyApiKey(key, shop, now);
    if (!v.ok) return { ok: false, status: v.status, error: v.status === 403 ? "forbidden" : "unauthorized", message: v.reason };
  }
  if (!claimedCustomer) return { ok: true, shop, customerId: null, identity: "none" };
  const token = request.headers.get("X-Facet-Customer-Token") ?? url.searchParams.get("customer_token") ?? "";
  const secret = token ? readIdentitySecret(shop) : null;
  const proven = secret ? verifyCustomerToken(secret, token, shop, now.getTime()) : null;
  return proven !== null && proven === claimedCustomer
    ? { ok: true, shop, customerId: proven, identity: "verified" }
    : { ok: true, shop, customerId: null, identity: "anonymous" };
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
