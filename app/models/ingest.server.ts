/**
 * Storefront behaviour from the web pixel: interactions written durably (one SQLite transaction,
 * committed before the ingest endpoint answers), and anonymous client ids linked to the customer
 * who logs in or buys with them.
 *
 * Interaction ids are derived from the pixel's event id, so a retried POST stores nothing twice.
 * Types: view | add_to_cart | remove_from_cart | purchase for product events (the recommenders'
 * vocabulary), and collection_view / search for the two page-level events, whose productId is
 * "collection:<id>" / "search:<query>" (consumers keep to the types they know).
 */
import { rawDb } from "../db.server";
import { systemClock } from "../clock";

export interface InteractionInput {
  id: string;
  productId: string;
  type: string;
  timestamp: string; // ISO
  sessionId: string | null;
  deviceType: string | null;
  referrerSource: string | null;
}

/** A shop may send events only while installed. */
export function shopAcceptsEvents(shop: string): boolean {
  const row = rawDb().prepare(`SELECT uninstalledAt FROM Shop WHERE id = ?`).get(shop) as { uninstalledAt: string | null } | undefined;
  return !!row && row.uninstalledAt === null;
}

/** The customer a client id was linked to by a signed source (the app proxy), if any. */
export function linkedCustomer(shop: string, clientId: string): string | null {
  const row = rawDb().prepare(`SELECT customerId FROM ClientLink WHERE shop = ? AND clientId = ?`).get(shop, clientId) as { customerId: string } | undefined;
  return row?.customerId ?? null;
}

/**
 * Links a client id to a customer and gives the client's earlier anonymous interactions to them.
 * Only a SIGNED source may call this (issue 15 point 4): the app proxy, whose request Shopify signs
 * with `logged_in_customer_id` (app/storefront/proxy.server.ts). The web pixel's body is written by
 * the browser and never links. A later link (another customer on the same device) wins; earlier
 * attributions stay.
 */
export function linkClient(shop: string, clientId: string, customerId: string): boolean {
  const db = rawDb();
  return db.transaction(() => {
    const current = linkedCustomer(shop, clientId);
    if (current === customerId) return false;
    db.prepare(
      `INSERT INTO ClientLink (shop, clientId, customerId, linkedAt) VALUES (?, ?, ?, ?)
       ON CONFLICT(shop, clientId) DO UPDATE SET customerId = excluded.customerId, linkedAt = excluded.linkedAt`,
    ).run(shop, clientId, customerId, systemClock.now().toISOString());
    db.prepare(`UPDATE Interaction SET customerId = ? WHERE shop = ? AND clientId = ? AND customerId IS NULL`).run(customerId, shop, clientId);
    return true;
  })();
}

/**
 * The customer a pixel batch may be stored under: the one the pixel names only when a signed link
 * (linkClient) already ties this client id to that same customer; anything else is anonymous (null,
 * kept by client id). A forged `customerId` in the body therefore writes into nobody's profile.
 */
export function provenCustomer(shop: string, clientId: string, claimed: string | null): string | null {
  if (!claimed) return null;
  return linkedCustomer(shop, clientId) === claimed ? claimed : null;
}

/** Whether Facet has seen this client id in this shop before (an interaction or a signed link). */
export function clientKnown(shop: string, clientId: string): boolean {
  const db = rawDb();
  return (
    !!db.prepare(`SELECT 1 FROM Interaction WHERE shop = ? AND clientId = ? LIMIT 1`).get(shop, clientId) ||
    !!db.prepare(`SELECT 1 FROM ClientLink WHERE shop = ? AND clientId = ? LIMIT 1`).get(shop, clientId)
  );
}

/**
 * Stores interactions of one client in one transaction; returns how many were new. `claimedCustomer`
 * is what the pixel's body says; it is kept only when provenCustomer confirms it.
 */
export function storeInteractions(shop: string, clientId: string, claimedCustomer: string | null, rows: InteractionInput[]): number {
  const db = rawDb();
  return db.transaction(() => {
    const who = provenCustomer(shop, clientId, claimedCustomer);
    const put = db.prepare(
      `INSERT INTO Interaction (shop, id, customerId, clientId, productId, type, timestamp, sessionId, deviceType, referrerSource)
       VALUES (@shop, @id, @customerId, @clientId, @productId, @type, @timestamp, @sessionId, @deviceType, @referrerSource) ON CONFLICT DO NOTHING`,
    );
    let added = 0;
    for (const r of rows) added += put.run({ ...r, shop, clientId, customerId: who }).changes;
    return added;
  })();
}

/**
 * Distinct real customers with new behaviour since `since` (the retrain threshold's measure, issue 15
 * point 4): customers of orders (signed webhooks; a guest order counts once) and customers of
 * interactions stored under a proven customer (signed link). Anonymous pixel events count for
 * nothing here, so a flood of forged events under rotating client ids cannot trigger a retrain.
 */
export function realCustomersSince(shop: string, since: Date | null): number {
  const t = since ? since.toISOString() : "1970-01-01T00:00:00.000Z";
  const row = rawDb()
    .prepare(
      `SELECT COUNT(*) AS n FROM (
         SELECT 'c:' || customerId AS who FROM Interaction WHERE shop = ? AND customerId IS NOT NULL AND julianday(timestamp) > julianday(?)
         UNION
         SELECT CASE WHEN customerId IS NULL THEN 'o:' || id ELSE 'c:' || customerId END FROM "Order" WHERE shop = ? AND julianday(orderDate) > julianday(?)
       ) AS distinct_real`,
    )
    .get(shop, t, shop, t) as { n: number };
  return row.n;
}

export function interactionCount(shop: string): number {
  return (rawDb().prepare(`SELECT COUNT(*) AS n FROM Interaction WHERE shop = ?`).get(shop) as { n: number }).n;
}
