/**
 * Behaviour as columns (EventTable of app/recommend/types.ts) for training, evaluation and the
 * popularity signals: storefront interactions plus order lines (as purchase events), streamed
 * with better-sqlite3's iterate() into growable typed arrays, so a million rows cost a few tens of
 * megabytes and no ORM objects.
 *
 * - Only products of `catalog` (dense indices); rows of other products are skipped.
 * - Customers are densely indexed in id order (deterministic across runs).
 * - Anonymous interactions (customerId null) are attributed to the customer their pixel clientId
 *   is linked to (ClientLink); unlinked ones keep customer -1: they still feed viewed-together
 *   (sessions) but not ALS. Fold-in serves anonymous sessions at request time instead.
 * - Order lines: quantity, cancelled = 1 for cancelled or returned orders, basket = order index.
 *   Interactions: quantity 1, basket = session index, numbered after the orders so the two never
 *   collide; -1 without a session.
 */
import { rawDb } from "../db.server";
import { INTERACTION_TYPES, type Catalog, type EventTable } from "../recommend/types";

/** Epoch ms of a stored DateTime: ISO strings, "YYYY-MM-DD HH:MM:SS" (taken as UTC) or epoch ms. */
export function parseStoredTime(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v !== "string") return NaN;
  if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v)) return Date.parse(v.replace(" ", "T") + "Z");
  return Date.parse(v);
}

/** Growable columns. */
class Columns {
  length = 0;
  customer = new Int32Array(1024);
  item = new Int32Array(1024);
  type = new Uint8Array(1024);
  at = new Float64Array(1024);
  quantity = new Float32Array(1024);
  duration = new Float32Array(1024);
  basket = new Int32Array(1024);
  fromOrder = new Uint8Array(1024);
  cancelled = new Uint8Array(1024);

  push(customer: number, item: number, type: number, at: number, quantity: number, duration: number, basket: number, fromOrder: number, cancelled: number): void {
    if (this.length === this.item.length) this.grow();
    const n = this.length++;
    this.customer[n] = customer;
    this.item[n] = item;
    this.type[n] = type;
    this.at[n] = at;
    this.quantity[n] = quantity;
    this.duration[n] = duration;
    this.basket[n] = basket;
    this.fromOrder[n] = fromOrder;
    this.cancelled[n] = cancelled;
  }

  private grow(): void {
    const cap = this.item.length * 2;
    const g = <T extends Int32Array | Uint8Array | Float64Array | Float32Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a as never);
      return b;
    };
    this.customer = g(this.customer);
    this.item = g(this.item);
    this.type = g(this.type);
    this.at = g(this.at);
    this.quantity = g(this.quantity);
    this.duration = g(this.duration);
    this.basket = g(this.basket);
    this.fromOrder = g(this.fromOrder);
    this.cancelled = g(this.cancelled);
  }
}

export function loadEventTable(shop: string, catalog: Catalog, opts: { from?: number; until?: number } = {}): EventTable {
  const db = rawDb();
  const from = opts.from ?? -Infinity;
  const until = opts.until ?? Infinity;
  const inWindow = (t: number) => t >= from && t < until;
  const cols = new Columns();
  // Customers get a provisional index in order of appearance, renumbered in id order at the end.
  const provisional = new Map<string, number>();
  const customerOf = (id: string | null) => {
    if (!id) return -1;
    let c = provisional.get(id);
    if (c === undefined) provisional.set(id, (c = provisional.size));
    return c;
  };
  const typeIndex = new Map(INTERACTION_TYPES.map((t, i) => [t as string, i]));
  const purchase = typeIndex.get("purchase")!;

  const orderIndex = new Map<string, number>();
  const orders = db.prepare(
    `SELECT oi.productId AS productId, oi.quantity AS quantity, o.id AS orderId, o.customerId AS customerId,
            o.orderDate AS orderDate, o.status AS status
     FROM OrderItem oi JOIN "Order" o ON o.shop = oi.shop AND o.id = oi.orderId
     WHERE oi.shop = ? ORDER BY o.orderDate, o.id, oi.id`,
  );
  for (const r of orders.iterate(shop) as Iterable<{ productId: string; quantity: number; orderId: string; customerId: string | null; orderDate: unknown; status: string }>) {
    const item = catalog.index.get(r.productId);
    const at = parseStoredTime(r.orderDate);
    if (item === undefined || !inWindow(at)) continue;
    let basket = orderIndex.get(r.orderId);
    if (basket === undefined) orderIndex.set(r.orderId, (basket = orderIndex.size));
    const cancelled = r.status === "cancelled" || r.status === "returned" ? 1 : 0;
    cols.push(customerOf(r.customerId), item, purchase, at, r.quantity > 0 ? r.quantity : 1, NaN, basket, 1, cancelled);
  }

  const sessionIndex = new Map<string, number>();
  const interactions = db.prepare(
    `SELECT i.productId AS productId, i.type AS type, i.timestamp AS timestamp, i.sessionId AS sessionId,
            i.duration AS duration, COALESCE(i.customerId, l.customerId) AS customerId
     FROM Interaction i LEFT JOIN ClientLink l ON i.customerId IS NULL AND l.shop = i.shop AND l.clientId = i.clientId
     WHERE i.shop = ? ORDER BY i.timestamp, i.id`,
  );
  for (const r of interactions.iterate(shop) as Iterable<{ productId: string; type: string; timestamp: unknown; sessionId: string | null; duration: number | null; customerId: string | null }>) {
    const item = catalog.index.get(r.productId);
    const type = typeIndex.get(r.type);
    const at = parseStoredTime(r.timestamp);
    if (item === undefined || type === undefined || !inWindow(at)) continue;
    let basket = -1;
    if (r.sessionId) {
      const s = sessionIndex.get(r.sessionId);
      if (s === undefined) sessionIndex.set(r.sessionId, (basket = orderIndex.size + sessionIndex.size));
      else basket = s;
    }
    cols.push(customerOf(r.customerId), item, type, at, 1, r.duration ?? NaN, basket, 0, 0);
  }

  const customers = [...provisional.keys()].sort();
  const renumber = new Int32Array(provisional.size);
  customers.forEach((id, i) => (renumber[provisional.get(id)!] = i));
  for (let e = 0; e < cols.length; e++) if (cols.customer[e] >= 0) cols.customer[e] = renumber[cols.customer[e]];
  const n = cols.length;
  return {
    length: n,
    customers,
    customer: cols.customer.slice(0, n),
    item: cols.item.slice(0, n),
    type: cols.type.slice(0, n),
    at: cols.at.slice(0, n),
    quantity: cols.quantity.slice(0, n),
    duration: cols.duration.slice(0, n),
    basket: cols.basket.slice(0, n),
    fromOrder: cols.fromOrder.slice(0, n),
    cancelled: cols.cancelled.slice(0, n),
  };
}
