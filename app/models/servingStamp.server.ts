/**
 * A cheap fingerprint of everything a serving snapshot is built from, so that the snapshot can ask
 * every few seconds "has anything changed?" with a handful of indexed aggregate reads instead of
 * reloading: the published model version, the settings, the catalogue, the product vectors, the
 * customers (profiles, opt-outs) and the newest interaction and order.
 */
import { rawDb } from "../db.server";

export function servingStamp(shop: string): string {
  const db = rawDb();
  const one = (sql: string) => JSON.stringify(db.prepare(sql).get(shop));
  return [
    one(`SELECT MAX(id) AS v FROM ModelVersion WHERE shop = ? AND status = 'published'`),
    one(`SELECT MAX(updatedAt) AS v FROM Setting WHERE shop = ?`),
    one(`SELECT COUNT(*) AS n, MAX(updatedAt) AS v FROM Product WHERE shop = ?`),
    one(`SELECT COUNT(*) AS n, MAX(createdAt) AS v FROM ProductEmbedding WHERE shop = ?`),
    one(`SELECT COUNT(*) AS n, MAX(updatedAt) AS v FROM Customer WHERE shop = ?`),
    one(`SELECT MAX(timestamp) AS v FROM Interaction WHERE shop = ?`),
    one(`SELECT COUNT(*) AS n FROM "Order" WHERE shop = ?`),
  ].join("|");
}

/** The shop's currency (EUR when the shop row does not exist yet, as for an imported demo shop). */
export function shopCurrency(shop: string): string {
  const r = rawDb().prepare(`SELECT currency FROM Shop WHERE id = ?`).get(shop) as { currency: string } | undefined;
  return r?.currency ?? "EUR";
}

export interface LiveInteraction {
  customerId: string;
  productId: string;
  type: string;
  timestamp: string;
}

/** The newest interaction's time (ISO), or null: where a snapshot's live tail starts. */
export function latestInteractionTime(shop: string): string | null {
  return (rawDb().prepare(`SELECT MAX(timestamp) FROM Interaction WHERE shop = ?`).pluck().get(shop) as string | null) ?? null;
}

/**
 * Customers' interactions newer than `since` (ISO), oldest first, at most `limit`: the live tail a
 * snapshot adds to its customers' histories between rebuilds (indexed by shop and timestamp).
 */
export function interactionsSince(shop: string, since: string | null, limit = 10_000): LiveInteraction[] {
  return rawDb()
    .prepare(
      `SELECT customerId, productId, type, timestamp FROM Interaction
       WHERE shop = ? AND timestamp > ? AND customerId IS NOT NULL ORDER BY timestamp LIMIT ?`,
    )
    .all(shop, since ?? "", limit) as LiveInteraction[];
}

/**
 * Impressions per product over the last `days` (storefront blocks report them): the exploration
 * slot prefers products rarely shown. Keyed by product id. From the daily aggregates, plus the
 * one-row-per-product impressions stored before the aggregation.
 */
export function impressionCounts(shop: string, sinceIso: string): Map<string, number> {
  const db = rawDb();
  const out = new Map<string, number>();
  const add = (rows: { productId: string; n: number }[]) => {
    for (const r of rows) out.set(r.productId, (out.get(r.productId) ?? 0) + r.n);
  };
  add(db.prepare(`SELECT productId, SUM(impressions) AS n FROM ProductImpressionDaily WHERE shop = ? AND day >= ? GROUP BY productId`).all(shop, sinceIso.slice(0, 10)) as { productId: string; n: number }[]);
  add(db.prepare(`SELECT productId, COUNT(*) AS n FROM RecommendationEvent WHERE shop = ? AND type = 'impression' AND at >= ? GROUP BY productId`).all(shop, sinceIso) as { productId: string; n: number }[]);
  return out;
}
