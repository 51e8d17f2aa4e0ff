/** Products: bulk upserts for the importer and counts. (Per-product reads live in catalog.server.ts.) */
import { rawDb } from "../db.server";
import { shopIds, upsertWriter } from "./bulk.server";

export const PRODUCT_TABLE = { table: "Product", key: ["id"], touchesUpdatedAt: true, onChange: `"deletedAt" = NULL` };

/** A writer of product rows: [shop, ...values in `fields` order] (DB field names, e.g. imageUrl). */
export function productWriter(fields: string[]): (row: unknown[]) => void {
  return upsertWriter(PRODUCT_TABLE, fields);
}

export function productIds(shop: string): Iterable<string> {
  return shopIds("Product", shop);
}

export function countProducts(shop: string): number {
  return rawDb().prepare(`SELECT COUNT(*) FROM Product WHERE shop = ? AND deletedAt IS NULL`).pluck().get(shop) as number;
}
