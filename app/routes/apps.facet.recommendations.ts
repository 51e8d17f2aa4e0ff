/**
 * Demo mode only: /apps/facet/recommendations on the demo storefront, standing in for Shopify's app
 * proxy (signs the request for the demo shop and runs the same handler as /proxy/recommendations).
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { forwardAsShopifyProxy } from "../storefront/demoProxy.server";
import { requireDemo } from "../storefront/demoMode.server";
import { handleRecommendations } from "../storefront/proxy.server";

export async function loader({ request }: LoaderFunctionArgs) {
  return forwardAsShopifyProxy(request, requireDemo(), "recommendations", handleRecommendations);
}
