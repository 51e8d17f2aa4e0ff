/**
 * POST /webhooks: every Shopify webhook topic, including the mandatory compliance topics
 * (shopify.app.toml subscribes each with uri "/webhooks"). One route rather than one per topic:
 * the HMAC check, the answer and the enqueue are the same for all; app/shopify/webhooks.server.ts
 * names the handler of each topic.
 *
 * The body is read first, bounded (BODY_LIMITS.webhooks, 413 while reading: an unsigned 200 MB
 * POST is never buffered), then authenticate.webhook verifies X-Shopify-Hmac-Sha256 over exactly
 * those bytes and throws 401 on a mismatch (400 on missing headers) before anything is written.
 * A verified delivery is enqueued and answered 200 at once; an unknown topic, and a non-compliance
 * topic of a shop that has no installed session, are acknowledged without writing anything
 * (Shopify would otherwise retry them for 4 hours).
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { BODY_LIMITS, BodyTooLarge, TOO_LARGE_HEADERS, jsonResponse, readBodyLimited } from "../http/body.server";
import { enqueueDelivery } from "../shopify/webhooks.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  let body: Buffer;
  try {
    body = await readBodyLimited(request, BODY_LIMITS.webhooks);
  } catch (e) {
    if (e instanceof BodyTooLarge) return jsonResponse({ error: e.message }, { status: 413, headers: TOO_LARGE_HEADERS });
    throw e;
  }
  const { authenticate } = await import("../shopify.server");
  const verified = new Request(request.url, { method: request.method, headers: request.headers, body: new Uint8Array(body) });
  let delivery: Awaited<ReturnType<typeof authenticate.webhook>>;
  try {
    delivery = await authenticate.webhook(verified); // 401/400 Responses for bad signatures or headers
  } catch (e) {
    // The library checks the HMAC before anything else: what it throws after that (a signed body
    // that is not JSON, a shop header that is not a shop domain) is a malformed delivery, 400.
    if (e instanceof Response) throw e;
    const what = isJson(body) ? `malformed delivery: ${(e as Error).message}` : "the body is not JSON";
    return jsonResponse({ error: what }, { status: 400 });
  }
  const { shop, topic, webhookId, payload, triggeredAt } = delivery;
  try {
    const queued = await enqueueDelivery({ shop, topic, webhookId, payload, rawBody: body.toString("utf8"), triggeredAt });
    return jsonResponse({ ok: true, queued: queued?.job ?? null });
  } catch (e) {
    // The queue (Redis) does not answer: 503 now, and Shopify retries the delivery later.
    console.error(`webhooks: ${topic} for ${shop} not enqueued: ${(e as Error).message}`);
    return jsonResponse({ error: "temporarily unavailable" }, { status: 503, headers: { "Retry-After": "30" } });
  }
};

function isJson(body: Buffer): boolean {
  try {
    JSON.parse(body.toString("utf8"));
    return true;
  } catch {
    return false;
  }
}

export const loader = () => new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST" } });
