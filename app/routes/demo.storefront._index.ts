/** Demo storefront home page with the "Recommended for you" app block (resource route: a plain HTML theme page). */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireDemo } from "../storefront/demoMode.server";
import { renderDemoPage } from "../storefront/demoStore.server";

export async function loader({ request }: LoaderFunctionArgs) {
  return renderDemoPage(request, requireDemo(), { kind: "home" });
}
