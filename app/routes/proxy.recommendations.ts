/**
 * GET /proxy/recommendations: the app proxy's list endpoint. Shopify forwards the storefront's
 * /apps/facet/recommendations here (shopify.app.toml: [app_proxy] url = "<app>/proxy",
 * prefix = "apps", subpath = "facet"); the signature is verified before anything is read.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { env } from "../env.server";
import { handleRecommendations } from "../storefront/proxy.server";
import { systemClock } from "../clock";

export async function loader({ request }: LoaderFunctionArgs) {
  return handleRecommendations(request, { secret: env().SHOPIFY_API_SECRET, nowMs: systemClock.nowMs() });
}
