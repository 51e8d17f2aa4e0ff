/** Embedded admin: a campaign's export as a download (?format=csv|json; id "new" takes the spec from the query). */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminShop } from "../ui/adminAuth.server";
import { campaignExport } from "../ui/campaigns.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  return campaignExport(await adminShop(request), params.id!, new URL(request.url));
}
