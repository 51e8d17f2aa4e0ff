/** Demo admin (outside Shopify, FACET_DEMO): a campaign's export as a download (?format=csv|json; id "new" takes the spec from the query). */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireDemo } from "../storefront/demoMode.server";
import { campaignExport } from "../ui/campaigns.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  return campaignExport(requireDemo(), params.id!, new URL(request.url));
}
