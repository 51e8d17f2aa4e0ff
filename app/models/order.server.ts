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
