/**
 * Demo mode (env FACET_DEMO): the admin pages outside Shopify, the demo storefront and the stand-in
 * for Shopify's app proxy. They serve the configured demo shop to anyone, so they are off in
 * production unless FACET_DEMO=1 says otherwise.
 */
import { env } from "../env.server";

export function demoEnabled(): boolean {
  const flag = env().FACET_DEMO;
  if (flag === "1") return true;
  if (flag === "0") return false;
  return process.env.NODE_ENV !== "production";
}

/** Loaders of demo routes call this first: a 404 when demo mode is off. Returns the demo shop. */
export function requireDemo(): string {
  if (!demoEnabled()) {
    throw new Response("Not found (demo mode is off: set FACET_DEMO=1 or run `npm run demo`).", { status: 404 });
  }
  return env().FACET_SHOP;
}
