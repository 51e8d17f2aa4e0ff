/** Demo storefront product page with the "You may also like" app block. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { productIdByHandle } from "../models/storefrontShop.server";
import { requireDemo } from "../storefront/demoMode.server";
import { renderDemoPage } from "../storefront/demoStore.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const shop = requireDemo();
  const id = productIdByHandle(shop, params.handle ?? "");
  if (!id) throw new Response(`No product "${params.handle}" in the demo shop.`, { status: 404 });
  return renderDemoPage(request, shop, { kind: "product", productId: id });
}
