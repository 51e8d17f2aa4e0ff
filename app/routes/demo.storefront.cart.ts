/** Demo storefront cart with the "Complete your look" app block; POST add=<id> (reported as the pixel would) or remove=<id> changes the cart; ?ordered=<id> thanks for a placed order. */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { requireDemo } from "../storefront/demoMode.server";
import { demoAddToCart } from "../storefront/demoCheckout.server";
import { DEMO_CART_COOKIE, DEMO_ROOT, demoCart, demoCookie, renderDemoPage } from "../storefront/demoStore.server";

export async function loader({ request }: LoaderFunctionArgs) {
  return renderDemoPage(request, requireDemo(), { kind: "cart", ordered: new URL(request.url).searchParams.get("ordered") });
}

export async function action({ request }: ActionFunctionArgs) {
  const shop = requireDemo();
  const form = await request.formData();
  const add = String(form.get("add") ?? "");
  const remove = String(form.get("remove") ?? "");
  let cart = demoCart(request).filter((id) => id !== remove);
  if (/^[\w-]{1,64}$/.test(add) && !cart.includes(add)) {
    cart = [...cart, add].slice(-20);
    await demoAddToCart(request, shop, add); // what the web pixel's product_added_to_cart reports on a real store
  }
  return redirect(`${DEMO_ROOT}/cart`, { headers: { "Set-Cookie": demoCookie(DEMO_CART_COOKIE, cart.join(",")) } });
}
