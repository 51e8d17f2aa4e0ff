/** POST /proxy/events: impressions and clicks the theme blocks report (storefront /apps/facet/events). */
import type { ActionFunctionArgs } from "@remix-run/node";
import { env } from "../env.server";
import { handleEvents } from "../storefront/proxy.server";
import { systemClock } from "../clock";

export async function action({ request }: ActionFunctionArgs) {
  return handleEvents(request, { secret: env().SHOPIFY_API_SECRET, nowMs: systemClock.nowMs() });
}

export async function loader() {
  return new Response(JSON.stringify({ error: "method", message: "POST a JSON event." }), {
    status: 405,
    headers: { Allow: "POST", "Content-Type": "application/json" },
  });
}
