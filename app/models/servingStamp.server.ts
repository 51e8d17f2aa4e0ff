/**
 * A cheap fingerprint of everything a serving snapshot is built from, so that the snapshot can ask
 * every few seconds "has anything changed?": one primary-key read of the shop's change counters
 * (ServingChange, bumped by triggers on every write of published model versions, settings,
 * products, product vectors, customers, interactions and orders; migration 20261203_serving_change),
 * not COUNT(*)/MAX aggregates over the big tables (issue 17: 6.4 ms at 20,000 products, about 25 ms
 * at full size, on the request path). Parts, in this order (snapshot.server.ts needsRebuild reads
 * them by position): models|settings|catalog|vectors|customers|interactions|orders.
 */
import { rawDb } from "../db.server";

const STAMP_SQL = `SELECT models, settings, catalog, vectors, customers, interactions, orders FROM ServingChange WHERE shop = ?`;

const statements = new WeakMap<object, { raw(): { get(shop: string): unknown } }>();

export function servingStamp(shop: string): string {
  const db = rawDb();
  let stmt = statements.get(db);
  if (!stmt) statements.set(db, (stmt = db.prepare(STAMP_SQL)));
  const r = stmt.raw().get(shop) as number[] | undefined;
  return (r ?? [0, 0, 0, 0, 0, 0, 0]).join("|");
}

/**
 * servingStamp of many shops in one query (a web process's change watch reads every shop it serves
 * at once, issue 16 point 4); shops without counters get the zero stamp.
 */
export function servingStamps(shops: string[]): Map<string, string> {
  const out = new Map<string, string>(shops.map((s) => [s, "0|0|0|0|0|0|0"]));
  for (let i = 0; i < shops.length; i += 500) {
    const part = shops.slice(i, i + 500);
    const rows = rawDb()
      .prepare(`SELECT shop, models, settings, catalog, vectors, customers, interactions, orders FROM ServingChange WHERE shop IN (${part.map(() => "?").join(", ")})`)
      .raw()
      .all(...part) as [string, ...number[]][];
    for (const [shop, ...counts] of rows) out.set(shop, counts.join("|"));
  }
  return out;
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
