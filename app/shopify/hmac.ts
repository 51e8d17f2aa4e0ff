/**
 * Test helpers ONLY: signatures as Shopify makes them, so tests can deliver webhooks that the
 * library verifies. The app never verifies with these (shopify-app-remix does, in constant time).
 */
import crypto from "node:crypto";
import { systemClock } from "../clock";
import { SHOPIFY_API_VERSION } from "./apiVersion";

/** X-Shopify-Hmac-Sha256: base64 HMAC-SHA256 of the raw body with the app's client secret. */
export function signWebhookBody(body: string, secret: string): string {
  return crypto.createHmac("sha256", secret).update(body, "utf8").digest("base64");
}

export interface WebhookRequestOptions {
  url?: string;
  topic: string; // "products/update"
  shop: string;
  body: string;
  secret: string;
  webhookId?: string;
  apiVersion?: string;
  triggeredAt?: string;
  eventId?: string;
  /** Sign this text instead of `body` (a tampered delivery). */
  signAs?: string;
}

/** A POST as Shopify delivers it, with every header of a real delivery. */
export function webhookRequest(o: WebhookRequestOptions): Request {
  return new Request(o.url ?? "https://app.example.com/webhooks", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Topic": o.topic,
      "X-Shopify-Hmac-Sha256": signWebhookBody(o.signAs ?? o.body, o.secret),
      "X-Shopify-Shop-Domain": o.shop,
      "X-Shopify-API-Version": o.apiVersion ?? SHOPIFY_API_VERSION,
      "X-Shopify-Webhook-Id": o.webhookId ?? crypto.randomUUID(),
      "X-Shopify-Triggered-At": o.triggeredAt ?? systemClock.now().toISOString(),
      "X-Shopify-Event-Id": o.eventId ?? crypto.randomUUID(),
    },
    body: o.body,
  });
}
