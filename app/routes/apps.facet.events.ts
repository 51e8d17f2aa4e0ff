/** Demo mode only: /apps/facet/events, standing in for Shopify's app proxy (see apps.facet.recommendations.ts). */
import type { ActionFunctionArgs } from "@remix-run/node";
import { forwardAsShopifyProxy } from "../storefront/demoProxy.server";
import { requireDemo } from "../storefront/demoMode.server";
import { handleEvents } from "../storefront/proxy.server";

export async function action({ request }: ActionFunctionArgs) {
  return forwardAsShopifyProxy(request, requireDemo(), "events", handleEvents);
}
