/** Demo storefront cart with the "Complete your look" app block; POST add=<id> or remove=<id> changes the cart. */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { requireDemo } from "../storefront/demoMode.server";
import { DEMO_CART_COOKIE, DEMO_ROOT, demoCart, demoCookie, renderDemoPage } from "../storefront/demoStore.server";

export async function loader({ request }: LoaderFunctionArgs) {
  return renderDemoPage(request, requireDemo(), { kind: "cart" });
}

export async function action({ request }: ActionFunctionArgs) {
  requireDemo();
  const form = await request.formData();
  const add = String(form.get("add") ?? "");
  const remove = String(form.get("remove") ?? "");
  let cart = demoCart(request).filter((id) => id !== remove);
  if (/^[\w-]{1,64}$/.test(add) && !cart.includes(add)) cart = [...cart, add].slice(-20);
  return redirect(`${DEMO_ROOT}/cart`, { headers: { "Set-Cookie": demoCookie(DEMO_CART_COOKIE, cart.join(",")) } });
}
