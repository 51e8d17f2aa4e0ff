/**
 * The embedded admin's authentication: authenticate.admin (session token / OAuth) and the shop it
 * names. shopify.server is imported on first use, so that the demo and the storefront run on a
 * server without Shopify credentials; without them the admin says so instead of failing obscurely.
 */
import { env } from "../env.server";

export async function adminShop(request: Request): Promise<string> {
  const e = env();
  if (!e.SHOPIFY_API_KEY || !e.SHOPIFY_API_SECRET) {
    throw new Response(
      "The embedded admin needs the Shopify app's credentials (SHOPIFY_API_KEY, SHOPIFY_API_SECRET). Without a Shopify app, run `npm run demo` and open /demo.",
      { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } },
    );
  }
  const { authenticate } = await import("../shopify.server");
  const { session } = await authenticate.admin(request);
  return session.shop;
}
