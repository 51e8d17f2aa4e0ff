/** Customers: bulk upserts for the importer and counts. */
import { rawDb } from "../db.server";
import { shopIds, upsertWriter } from "./bulk.server";

export const CUSTOMER_TABLE = { table: "Customer", key: ["id"], touchesUpdatedAt: true };

/** A writer of customer rows: [shop, ...values in `fields` order]. */
export function customerWriter(fields: string[]): (row: unknown[]) => void {
  return upsertWriter(CUSTOMER_TABLE, fields);
}

export function customerIds(shop: string): Iterable<string> {
  return shopIds("Customer", shop);
}

export function countCustomers(shop: string): number {
  return rawDb().prepare(`SELECT COUNT(*) FROM Customer WHERE shop = ?`).pluck().get(shop) as number;
}
