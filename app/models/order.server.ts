/** Orders and their line items: bulk upserts for the importer and counts. */
import { rawDb } from "../db.server";
import { shopIds, upsertWriter } from "./bulk.server";

export const ORDER_TABLE = { table: "Order", key: ["id"], touchesUpdatedAt: false };
export const ORDER_ITEM_TABLE = { table: "OrderItem", key: ["id"], touchesUpdatedAt: false };

/** A writer of order rows: [shop, ...values in `fields` order]. */
export function orderWriter(fields: string[]): (row: unknown[]) => void {
  return upsertWriter(ORDER_TABLE, fields);
}

/** A writer of order item rows: [shop, ...values in `fields` order]. */
export function orderItemWriter(fields: string[]): (row: unknown[]) => void {
  return upsertWriter(ORDER_ITEM_TABLE, fields);
}

export function orderIds(shop: string): Iterable<string> {
  return shopIds("Order", shop);
}

export function countOrders(shop: string): number {
  return rawDb().prepare(`SELECT COUNT(*) FROM "Order" WHERE shop = ?`).pluck().get(shop) as number;
}

/** One stored order's total and line count (the demo storefront's thank-you note shows what Facet stored), or null. */
export function orderSummary(shop: string, id: string): { id: string; totalAmount: number; items: number; customerId: string | null } | null {
  const o = rawDb().prepare(`SELECT id, "totalAmount", "customerId" FROM "Order" WHERE shop = ? AND id = ?`).get(shop, id) as { id: string; totalAmount: number; customerId: string | null } | undefined;
  if (!o) return null;
  const items = rawDb().prepare(`SELECT COUNT(*) FROM OrderItem WHERE shop = ? AND "orderId" = ?`).pluck().get(shop, id) as number;
  return { ...o, totalAmount: Number(o.totalAmount), items: Number(items) };
}
