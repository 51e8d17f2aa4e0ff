/** Demo storefront checkout: POST places the cart's order through the orders/create webhook path, empties the cart, thanks the shopper. */
import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { requireDemo } from "../storefront/demoMode.server";
import { demoCheckout } from "../storefront/demoCheckout.server";
import { DEMO_CART_COOKIE, DEMO_ROOT, demoCart, demoCookie } from "../storefront/demoStore.server";

export async function loader() {
  return redirect(`${DEMO_ROOT}/cart`);
}

export async function action({ request }: ActionFunctionArgs) {
  const shop = requireDemo();
  const order = await demoCheckout(request, shop, demoCart(request));
  if (!order) return redirect(`${DEMO_ROOT}/cart`);
  return redirect(`${DEMO_ROOT}/cart?ordered=${encodeURIComponent(order.orderId)}`, { headers: { "Set-Cookie": demoCookie(DEMO_CART_COOKIE, "") } });
}
