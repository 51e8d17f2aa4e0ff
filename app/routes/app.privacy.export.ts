/** Embedded admin: a customer's data as JSON (?q=id or email), the customers/data_request document. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminShop } from "../ui/adminAuth.server";
import { privacyExport } from "../ui/privacy.server";

export async function loader({ request }: LoaderFunctionArgs) {
  return privacyExport(await adminShop(request), new URL(request.url));
}
