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

/** The customer an anonymous client id was linked to, if any. */
export function linkedCustomer(shop: string, clientId: string): string | null {
  const row = rawDb().prepare(`SELECT customerId FROM ClientLink WHERE shop = ? AND clientId = ?`).get(shop, clientId) as { customerId: string } | undefined;
  return row?.customerId ?? null;
}

/**
 * Links a client id to a customer and gives the client's earlier anonymous interactions to them.
 * A later link (another customer on the same device) wins; earlier attributions stay.
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
 * Stores interactions of one client in one transaction; returns how many were new. The customer is
 * the one the pixel names (logged in) or the one the client was linked to before.
 */
export function storeInteractions(shop: string, clientId: string, customerId: string | null, rows: InteractionInput[]): number {
  const db = rawDb();
  return db.transaction(() => {
    if (customerId) linkClient(shop, clientId, customerId);
    const who = customerId ?? linkedCustomer(shop, clientId);
    const put = db.prepare(
      `INSERT INTO Interaction (shop, id, customerId, clientId, productId, type, timestamp, sessionId, deviceType, referrerSource)
       VALUES (@shop, @id, @customerId, @clientId, @productId, @type, @timestamp, @sessionId, @deviceType, @referrerSource) ON CONFLICT DO NOTHING`,
    );
    let added = 0;
    for (const r of rows) added += put.run({ ...r, shop, clientId, customerId: who }).changes;
    return added;
  })();
}

export function interactionCount(shop: string): number {
  return (rawDb().prepare(`SELECT COUNT(*) AS n FROM Interaction WHERE shop = ?`).get(shop) as { n: number }).n;
}
