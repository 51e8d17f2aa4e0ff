/** Interactions (views, clicks, carts, wishlists, purchases): bulk upserts for the importer. */
import { rawDb } from "../db.server";
import { upsertWriter } from "./bulk.server";

export const INTERACTION_TABLE = { table: "Interaction", key: ["id"], touchesUpdatedAt: false };

/** A writer of interaction rows: [shop, ...values in `fields` order]. */
export function interactionWriter(fields: string[]): (row: unknown[]) => void {
  return upsertWriter(INTERACTION_TABLE, fields);
}

export function countInteractions(shop: string): number {
  return rawDb().prepare(`SELECT COUNT(*) FROM Interaction WHERE shop = ?`).pluck().get(shop) as number;
}
