/**
 * The demo's stand-in for Shopify's app proxy. A real storefront's /apps/facet/* is forwarded by
 * Shopify to the app's /proxy/* with shop, logged_in_customer_id, path_prefix, timestamp and a
 * signature added. Here the demo server does the same for the demo shop, with a secret made for
 * this process, and hands the signed request to the very handlers the real proxy routes use.
 */
import { randomBytes } from "node:crypto";
import { signProxyParams } from "./proxySignature.server";
import type { ProxyOptions } from "./proxy.server";
import { systemClock } from "../clock";

const DEMO_SECRET = randomBytes(32).toString("hex");
/** The demo storefront's "logged-in customer" (Shopify keeps it in its session; the demo in a cookie). */
export const DEMO_CUSTOMER_COOKIE = "facet_demo_customer";

export function cookieValue(request: Request, name: string): string | null {
  const header = request.headers.get("Cookie") ?? "";
  for (const part of header.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return null;
}

export function demoCustomer(request: Request): string | null {
  const id = cookieValue(request, DEMO_CUSTOMER_COOKIE);
  return id && /^[\w-]{1,64}$/.test(id) ? id : null;
}

export async function forwardAsShopifyProxy(
  request: Request,
  shop: string,
  subpath: string,
  handler: (request: Request, opts: ProxyOptions) => Promise<Response>,
): Promise<Response> {
  const incoming = new URL(request.url);
  const params = new URLSearchParams();
  for (const [k, v] of incoming.searchParams) {
    // Shopify overwrites these; a shopper cannot smuggle them in.
    if (!["shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature"].includes(k)) params.append(k, v);
  }
  const nowMs = systemClock.nowMs();
  params.set("shop", shop);
  params.set("logged_in_customer_id", demoCustomer(request) ?? "");
  params.set("path_prefix", "/apps/facet");
  params.set("timestamp", String(Math.floor(nowMs / 1000)));
  params.set("signature", signProxyParams(params, DEMO_SECRET));
  const target = new URL(`/proxy/${subpath}?${params}`, incoming);
  const headers = new Headers(request.headers);
  headers.delete("content-length");
  const init: RequestInit = { method: request.method, headers };
  if (request.method !== "GET" && request.method !== "HEAD") init.body = await request.text();
  return handler(new Request(target, init), { secret: DEMO_SECRET, nowMs });
}
