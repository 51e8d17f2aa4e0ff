/** Demo admin (outside Shopify, FACET_DEMO): a customer's data as JSON (?q=id or email), the customers/data_request document. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireDemo } from "../storefront/demoMode.server";
import { privacyExport } from "../ui/privacy.server";

export async function loader({ request }: LoaderFunctionArgs) {
  return privacyExport(requireDemo(), new URL(request.url));
}
