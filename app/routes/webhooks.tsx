/**
 * POST /webhooks: every Shopify webhook topic, including the mandatory compliance topics
 * (shopify.app.toml subscribes each with uri "/webhooks"). One route rather than one per topic:
 * the HMAC check, the answer and the enqueue are the same for all; app/shopify/webhooks.server.ts
 * names the handler of each topic.
 *
 * authenticate.webhook verifies X-Shopify-Hmac-Sha256 over the raw body with the app's secret and
 * throws 401 on a mismatch (400 on missing headers, 405 on other methods) before anything is
 * written. A verified delivery is enqueued and answered 200 at once; an unknown topic is
 * acknowledged too (Shopify would otherwise retry it for 4 hours).
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { enqueueDelivery } from "../shopify/webhooks.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  const { authenticate } = await import("../shopify.server");
  const rawBody = await request.clone().text();
  const { shop, topic, webhookId, payload, triggeredAt } = await authenticate.webhook(request);
  const queued = await enqueueDelivery({ shop, topic, webhookId, payload, rawBody, triggeredAt });
  return Response.json({ ok: true, queued: queued?.job ?? null }, { status: 200 });
};

export const loader = () => new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST" } });
