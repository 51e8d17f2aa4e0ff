/**
 * Shopify's checkout webhooks (checkouts/create, checkouts/update; REST payloads) mapped to the
 * AbandonedCheckout row: the checkout id (an order's `checkout_id` names it), the customer, the
 * products in cart order, and whether it completed. Pure.
 */
import { idOf } from "./mapping";
import type { CheckoutInput } from "../models/campaign.server";

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export function checkoutFromRest(body: unknown, fallbackTime: Date): CheckoutInput {
  const c = obj(body);
  const checkoutId = idOf(c.id) ?? (typeof c.token === "string" && c.token ? c.token : null);
  if (!checkoutId) throw new Error("checkout payload has neither id nor token");
  const products: string[] = [];
  for (const raw of Array.isArray(c.line_items) ? c.line_items : []) {
    const id = idOf(obj(raw).product_id);
    if (id && !products.includes(id)) products.push(id);
  }
  const time = (v: unknown) => (typeof v === "string" && Number.isFinite(Date.parse(v)) ? new Date(v) : null);
  return {
    checkoutId,
    customerId: idOf(obj(c.customer).id),
    productIds: products,
    updatedAt: time(c.updated_at) ?? time(c.created_at) ?? fallbackTime,
    completedAt: time(c.completed_at),
  };
}
