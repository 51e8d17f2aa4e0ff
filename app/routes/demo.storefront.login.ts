/** The demo storefront's "log in as": remembers a demo customer in a cookie, as Shopify's session would. */
import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { DEMO_CUSTOMER_COOKIE } from "../storefront/demoProxy.server";
import { requireDemo } from "../storefront/demoMode.server";
import { DEMO_ROOT, demoCookie } from "../storefront/demoStore.server";

export async function action({ request }: ActionFunctionArgs) {
  requireDemo();
  const form = await request.formData();
  const customer = String(form.get("customer") ?? "");
  const back = String(form.get("back") ?? DEMO_ROOT);
  const safeBack = back.startsWith(`${DEMO_ROOT}`) ? back : DEMO_ROOT; // never redirect off-site
  const value = /^[\w-]{1,64}$/.test(customer) ? customer : "";
  return redirect(safeBack, { headers: { "Set-Cookie": demoCookie(DEMO_CUSTOMER_COOKIE, value) } });
}
