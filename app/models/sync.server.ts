/**
 * Single-row writes from Shopify (webhooks and the bulk sync), order-safe and idempotent.
 *
 * - Order-safe: every row carries Shopify's updated_at as `sourceUpdatedAt`; an upsert applies only
 *   when the incoming timestamp is not older than the stored one (compared with julianday(), which
 *   reads both Prisma's "+00:00" and toISOString()'s "Z" forms). A stale delivery is a no-op.
 * - Idempotent: `applyDeliveryOnce` records the webhook id in WebhookDelivery in the same SQLite
 *   transaction as the write, so a delivery retried by Shopify (8 times over 4 hours) or run twice
 *   by the queue applies once.
 * - Deletions leave tombstones: a deleted product keeps its row with deletedAt (and a
 *   sourceUpdatedAt that stale updates cannot beat); a deleted or redacted customer leaves a hashed
 *   marker (never the id itself) so a late retry of customers/update cannot bring them back.
 *
 * Synchronous better-sqlite3 statements inside one transaction: a delivery is all or nothing.
 */
import { protectEmail } from "./customer.server";
import { readSetting } from "./setting.server";
import crypto from "node:crypto";
import type BetterSqlite3 from "better-sqlite3";
import { rawDb } from "../db.server";
import {
  resolveMapping,
  stockStatus,
  type CustomerRow,
  type InventoryItemRow,
  type OrderItemRow,
  type OrderRow,
  type ProductRow,
  type ShopifyMapping,
} from "../shopify/mapping";
import { systemClock } from "../clock";

/** Prepared statements, compiled once per database handle (the bulk sync runs them 100,000 times). */
const statements = new WeakMap<object, Map<string, BetterSqlite3.Statement<unknown[]>>>();
function stmt(sql: string): BetterSqlite3.Statement<unknown[]> {
  const db = rawDb();
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let s = cache.get(sql);
  if (!s) cache.set(sql, (s = db.prepare(sql)));
  return s;
}

export type WriteOutcome = "applied" | "stale" | "duplicate" | "tombstoned";

const iso = (d: Date) => d.toISOString();
/** julianday() on both sides: correct across "Z" and "+00:00" spellings of the same instant. */
const NOT_NEWER = (table: string, param = "@sourceUpdatedAt") =>
  `(${table}.sourceUpdatedAt IS NULL OR ${param} IS NULL OR julianday(${table}.sourceUpdatedAt) <= julianday(${param}))`;

// ---------------------------------------------------------------- idempotency

/**
 * Runs `apply` once per (shop, webhookId): the id is recorded in the same transaction as the
 * write. Returns "duplicate" without calling `apply` when the delivery was already applied.
 */
export function applyDeliveryOnce<T>(shop: string, webhookId: string, topic: string, apply: () => T): { outcome: "duplicate" } | { outcome: "new"; result: T } {
  const db = rawDb();
  return db.transaction(() => {
    const claimed = stmt(`INSERT INTO WebhookDelivery (shop, webhookId, topic, receivedAt) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`)
      .run(shop, webhookId, topic, iso(systemClock.now()));
    if (claimed.changes === 0) return { outcome: "duplicate" as const };
    return { outcome: "new" as const, result: apply() };
  })();
}

export function deliveryApplied(shop: string, webhookId: string): boolean {
  return !!stmt(`SELECT 1 FROM WebhookDelivery WHERE shop = ? AND webhookId = ?`).get(shop, webhookId);
}

/** Deletes delivery records older than Shopify's retry window (4 hours) plus a margin; returns the count. */
export function pruneDeliveries(olderThan: Date): number {
  return stmt(`DELETE FROM WebhookDelivery WHERE topic NOT LIKE 'tombstone/%' AND julianday(receivedAt) < julianday(?)`).run(iso(olderThan)).changes;
}

// ---------------------------------------------------------------- tombstones (hashed, never the raw id)

const tombstoneKey = (shop: string, kind: string, id: string) => `${kind}:${crypto.createHash("sha256").update(`${shop}\u0000${kind}\u0000${id}`).digest("hex")}`;

export function addTombstone(shop: string, kind: "customer", id: string): void {
  stmt(`INSERT INTO WebhookDelivery (shop, webhookId, topic, receivedAt) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`)
    .run(shop, tombstoneKey(shop, kind, id), `tombstone/${kind}`, iso(systemClock.now()));
}

export function hasTombstone(shop: string, kind: "customer", id: string): boolean {
  return !!stmt(`SELECT 1 FROM WebhookDelivery WHERE shop = ? AND webhookId = ?`).get(shop, tombstoneKey(shop, kind, id));
}

// ---------------------------------------------------------------- settings used by the sync

/** The shop's "shopify.mapping" setting merged over the defaults (app/shopify/mapping.ts). */
export function loadMapping(shop: string): ShopifyMapping {
  return resolveMapping(readSetting(shop, "shopify.mapping"));
}


// ---------------------------------------------------------------- shops

/**
 * Records the shop as installed (afterAuth, on install and every re-auth). A shop that was
 * uninstalled starts a new installation: installedAt moves to now. Returns the installation's start,
 * which keys the first sync (a reinstall syncs again; a re-auth of the same installation does not).
 */
export function ensureShop(shop: string, now = systemClock.now()): Date {
  stmt(
      `INSERT INTO Shop (id, installedAt, updatedAt) VALUES (?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET
         installedAt = CASE WHEN Shop.uninstalledAt IS NOT NULL THEN excluded.installedAt ELSE Shop.installedAt END,
         uninstalledAt = NULL, updatedAt = excluded.updatedAt`,
    )
    .run(shop, iso(now), iso(now));
  const row = stmt(`SELECT installedAt FROM Shop WHERE id = ?`).get(shop) as { installedAt: string | number };
  return new Date(row.installedAt);
}

/** Sessions' offline access token for the shop (shopify-app-remix stores it as `offline_<shop>`). */
export function offlineAccessToken(shop: string): string | null {
  const row = stmt(`SELECT accessToken FROM Session WHERE id = ?`).get(`offline_${shop}`) as { accessToken: string } | undefined;
  return row?.accessToken ?? null;
}

/**
 * Whether the shop has an installed session (any session row: OAuth wrote it, app/uninstalled
 * deletes them). Webhooks of other shops are acknowledged and dropped (app/shopify/webhooks.server.ts).
 */
export function hasInstalledSession(shop: string): boolean {
  return stmt(`SELECT 1 FROM Session WHERE shop = ? LIMIT 1`).get(shop) !== undefined;
}

// ---------------------------------------------------------------- products

export function upsertProduct(shop: string, row: ProductRow, items: InventoryItemRow[], mapping: ShopifyMapping): WriteOutcome {
  const now = iso(systemClock.now());
  const params = {
    ...row,
    shop,
    unknownMaterial: mapping.unknownMaterial,
    deletedAt: row.deleted ? (row.sourceUpdatedAt ?? now) : null,
    now,
  };
  delete (params as Partial<typeof params>).deleted;
  const changed = stmt(
      `INSERT INTO Product (shop, id, shopifyGid, handle, title, description, category, brand, collection, price, salePrice,
                            imageUrl, additionalImages, material, color, gender, stoneType, stockStatus, createdDate, tags,
                            sourceUpdatedAt, deletedAt, updatedAt)
       VALUES (@shop, @id, @shopifyGid, @handle, @title, @description, @category, @brand, @collection, @price, @salePrice,
               @imageUrl, @additionalImages, COALESCE(@material, @unknownMaterial), @color, @gender, @stoneType, @stockStatus,
               @createdDate, @tags, @sourceUpdatedAt, @deletedAt, @now)
       ON CONFLICT(shop, id) DO UPDATE SET
         shopifyGid = excluded.shopifyGid, handle = excluded.handle, title = excluded.title,
         description = excluded.description, category = excluded.category, brand = excluded.brand,
         collection = COALESCE(@collection, Product.collection), price = excluded.price, salePrice = excluded.salePrice,
         imageUrl = excluded.imageUrl, additionalImages = excluded.additionalImages,
         material = COALESCE(@material, Product.material), color = COALESCE(@color, Product.color),
         gender = COALESCE(@gender, Product.gender), stoneType = COALESCE(@stoneType, Product.stoneType),
         stockStatus = excluded.stockStatus, createdDate = COALESCE(excluded.createdDate, Product.createdDate),
         tags = excluded.tags, sourceUpdatedAt = excluded.sourceUpdatedAt, deletedAt = excluded.deletedAt,
         updatedAt = excluded.updatedAt
       WHERE ${NOT_NEWER("Product")}`,
    )
    .run(params).changes;
  if (changed === 0) return "stale";
  const keep = new Set(items.map((i) => i.id));
  const existing = stmt(`SELECT id FROM InventoryItem WHERE shop = ? AND productId = ?`).all(shop, row.id) as { id: string }[];
  const drop = stmt(`DELETE FROM InventoryItem WHERE shop = ? AND id = ?`);
  for (const e of existing) if (!keep.has(e.id)) drop.run(shop, e.id);
  const put = stmt(
    `INSERT INTO InventoryItem (shop, id, productId, variantId, available, continueSelling, tracked, updatedAt)
     VALUES (@shop, @id, @productId, @variantId, @available, @continueSelling, @tracked, @now)
     ON CONFLICT(shop, id) DO UPDATE SET productId = excluded.productId, variantId = excluded.variantId,
       available = excluded.available, continueSelling = excluded.continueSelling, tracked = excluded.tracked, updatedAt = excluded.updatedAt`,
  );
  for (const i of items) put.run({ ...i, shop, continueSelling: i.continueSelling ? 1 : 0, tracked: i.tracked ? 1 : 0, now });
  if (items.length) recomputeStock(shop, row.id);
  return "applied";
}

/** products/delete: soft delete with a tombstone timestamp, even for a product never seen. */
export function deleteProduct(shop: string, id: string, at: Date): WriteOutcome {
  const t = iso(at);
  const changed = stmt(
      `INSERT INTO Product (shop, id, title, category, brand, price, imageUrl, material, stockStatus, sourceUpdatedAt, deletedAt, updatedAt)
       VALUES (@shop, @id, '', '', '', 0, '', 'unknown', 'out_of_stock', @t, @t, @t)
       ON CONFLICT(shop, id) DO UPDATE SET deletedAt = @t, sourceUpdatedAt = @t, updatedAt = @t
       WHERE ${NOT_NEWER("Product", "@t")}`,
    )
    .run({ shop, id, t }).changes;
  if (changed === 0) return "stale";
  stmt(`DELETE FROM InventoryItem WHERE shop = ? AND productId = ?`).run(shop, id);
  return "applied";
}

/**
 * Stock per item: the sum of its known location levels when any arrived (inventory_levels/update),
 * else the variant's reported total. Exact for single-location shops; see the decision record.
 */
export function recomputeStock(shop: string, productId: string): void {
  const items = stmt(
      `SELECT i.available AS reported, i.continueSelling, i.tracked,
              (SELECT SUM(l.available) FROM InventoryLevel l WHERE l.shop = i.shop AND l.inventoryItemId = i.id) AS levels
       FROM InventoryItem i WHERE i.shop = ? AND i.productId = ?`,
    )
    .all(shop, productId) as { reported: number | null; continueSelling: number; tracked: number; levels: number | null }[];
  if (items.length === 0) return;
  const status = stockStatus(items.map((i) => ({ available: i.levels ?? i.reported, continueSelling: !!i.continueSelling, tracked: !!i.tracked })));
  stmt(`UPDATE Product SET stockStatus = ? WHERE shop = ? AND id = ?`).run(status, shop, productId);
}

/** inventory_levels/update; returns the product whose stock may have changed (null when unknown yet). */
export function upsertInventoryLevel(
  shop: string,
  level: { inventoryItemId: string; locationId: string; available: number; sourceUpdatedAt: string | null },
): { outcome: WriteOutcome; productId: string | null } {
  const changed = stmt(
      `INSERT INTO InventoryLevel (shop, inventoryItemId, locationId, available, sourceUpdatedAt)
       VALUES (@shop, @inventoryItemId, @locationId, @available, @sourceUpdatedAt)
       ON CONFLICT(shop, inventoryItemId, locationId) DO UPDATE SET available = excluded.available, sourceUpdatedAt = excluded.sourceUpdatedAt
       WHERE ${NOT_NEWER("InventoryLevel")}`,
    )
    .run({ shop, ...level }).changes;
  const item = stmt(`SELECT productId FROM InventoryItem WHERE shop = ? AND id = ?`).get(shop, level.inventoryItemId) as { productId: string } | undefined;
  if (changed === 0) return { outcome: "stale", productId: item?.productId ?? null };
  if (item) recomputeStock(shop, item.productId);
  return { outcome: "applied", productId: item?.productId ?? null };
}

// ---------------------------------------------------------------- customers

export function upsertCustomer(shop: string, row: CustomerRow): WriteOutcome {
  if (hasTombstone(shop, "customer", row.id)) return "tombstoned";
  const changed = stmt(
      `INSERT INTO Customer (shop, id, shopifyGid, email, emailHash, registrationDate, gender, age, ageGroup, country, state, city,
                             postalCode, preferredLanguage, segment, lifetimeValue, totalOrders, avgOrderValue, marketingConsent,
                             sourceUpdatedAt, updatedAt)
       VALUES (@shop, @id, @shopifyGid, @email, @emailHash, @registrationDate, @gender, @age, @ageGroup, @country, @state, @city,
               @postalCode, @preferredLanguage, @segment, @lifetimeValue, @totalOrders, @avgOrderValue, @marketingConsent,
               @sourceUpdatedAt, @now)
       ON CONFLICT(shop, id) DO UPDATE SET
         shopifyGid = excluded.shopifyGid, email = excluded.email, emailHash = excluded.emailHash,
         registrationDate = COALESCE(excluded.registrationDate, Customer.registrationDate),
         gender = COALESCE(@gender, Customer.gender), age = COALESCE(@age, Customer.age), ageGroup = COALESCE(@ageGroup, Customer.ageGroup),
         country = excluded.country, state = excluded.state, city = excluded.city, postalCode = excluded.postalCode,
         preferredLanguage = excluded.preferredLanguage, segment = COALESCE(excluded.segment, Customer.segment),
         lifetimeValue = excluded.lifetimeValue, totalOrders = excluded.totalOrders, avgOrderValue = excluded.avgOrderValue,
         marketingConsent = excluded.marketingConsent, sourceUpdatedAt = excluded.sourceUpdatedAt, updatedAt = excluded.updatedAt
       WHERE ${NOT_NEWER("Customer")}`,
    )
    .run({ ...row, ...protectEmail(shop, row.email, row.email ? null : row.emailHash), shop, marketingConsent: row.marketingConsent === null ? null : row.marketingConsent ? 1 : 0, now: iso(systemClock.now()) }).changes;
  return changed === 0 ? "stale" : "applied";
}

// ---------------------------------------------------------------- orders

export function upsertOrder(shop: string, order: OrderRow, items: OrderItemRow[]): WriteOutcome {
  // An order of a redacted customer keeps no link to them (a late retry of orders/create).
  const redacted = order.customerId !== null && hasTombstone(shop, "customer", order.customerId);
  const row = redacted ? { ...order, customerId: null, email: null } : order;
  const changed = stmt(
      `INSERT INTO "Order" (shop, id, customerId, orderDate, status, totalAmount, discountAmount, paymentMethod, shippingMethod,
                           numItems, isGift, occasion, email, emailHash, sourceUpdatedAt)
       VALUES (@shop, @id, @customerId, @orderDate, @status, @totalAmount, @discountAmount, @paymentMethod, @shippingMethod,
               @numItems, @isGift, @occasion, @email, @emailHash, @sourceUpdatedAt)
       ON CONFLICT(shop, id) DO UPDATE SET
         customerId = excluded.customerId, orderDate = excluded.orderDate, status = excluded.status,
         totalAmount = excluded.totalAmount, discountAmount = excluded.discountAmount, paymentMethod = excluded.paymentMethod,
         shippingMethod = excluded.shippingMethod, numItems = excluded.numItems, isGift = excluded.isGift,
         occasion = excluded.occasion, email = excluded.email, emailHash = excluded.emailHash, sourceUpdatedAt = excluded.sourceUpdatedAt
       WHERE ${NOT_NEWER('"Order"')}`,
    )
    .run({ ...row, ...protectEmail(shop, row.email), shop, isGift: row.isGift === null ? null : row.isGift ? 1 : 0 }).changes;
  if (changed === 0) return "stale";
  replaceOrderItems(shop, order.id, items);
  return "applied";
}

function replaceOrderItems(shop: string, orderId: string, items: OrderItemRow[]): void {
  stmt(`DELETE FROM OrderItem WHERE shop = ? AND orderId = ?`).run(shop, orderId);
  const put = stmt(
    `INSERT INTO OrderItem (shop, id, orderId, productId, quantity, unitPrice, discountApplied, finalPrice)
     VALUES (@shop, @id, @orderId, @productId, @quantity, @unitPrice, @discountApplied, @finalPrice)
     ON CONFLICT (shop, id) DO UPDATE SET orderId = excluded.orderId, productId = excluded.productId, quantity = excluded.quantity,
       unitPrice = excluded.unitPrice, discountApplied = excluded.discountApplied, finalPrice = excluded.finalPrice`,
  );
  for (const i of items) put.run({ ...i, shop });
}

/**
 * refunds/create: subtracts refunded quantities from the order's items. Applied only when the
 * refund is newer than the stored order (an order payload already counts every refund created
 * before its updated_at), and once per refund id.
 */
export function applyRefund(shop: string, refund: { id: string; orderId: string; createdAt: string | null; refunded: Map<string, number> }): WriteOutcome {
  const order = stmt(`SELECT sourceUpdatedAt FROM "Order" WHERE shop = ? AND id = ?`).get(shop, refund.orderId) as { sourceUpdatedAt: string | null } | undefined;
  if (!order) return "stale"; // the order arrives later, refunds included
  if (order.sourceUpdatedAt && refund.createdAt && Date.parse(order.sourceUpdatedAt) >= Date.parse(refund.createdAt)) return "stale";
  const claimed = stmt(`INSERT INTO WebhookDelivery (shop, webhookId, topic, receivedAt) VALUES (?, ?, 'refund', ?) ON CONFLICT DO NOTHING`)
    .run(shop, `refund:${refund.id}`, iso(systemClock.now())).changes;
  if (claimed === 0) return "duplicate";
  const items = stmt(`SELECT id, quantity, unitPrice, discountApplied FROM OrderItem WHERE shop = ? AND orderId = ?`).all(shop, refund.orderId) as {
    id: string;
    quantity: number;
    unitPrice: number;
    discountApplied: number | null;
  }[];
  let remaining = 0;
  for (const item of items) {
    const back = refund.refunded.get(item.id) ?? 0;
    const quantity = Math.max(0, item.quantity - back);
    remaining += quantity;
    if (back === 0) continue;
    if (quantity === 0) stmt(`DELETE FROM OrderItem WHERE shop = ? AND id = ?`).run(shop, item.id);
    else {
      const discount = item.discountApplied ? (item.discountApplied * quantity) / item.quantity : 0;
      stmt(`UPDATE OrderItem SET quantity = ?, discountApplied = ?, finalPrice = ? WHERE shop = ? AND id = ?`).run(
        quantity,
        discount || null,
        item.unitPrice * quantity - discount,
        shop,
        item.id,
      );
    }
  }
  stmt(`UPDATE "Order" SET numItems = ?, status = CASE WHEN ? = 0 THEN 'returned' ELSE status END WHERE shop = ? AND id = ?`).run(
    remaining,
    remaining,
    shop,
    refund.orderId,
  );
  return "applied";
}

// ---------------------------------------------------------------- bulk batches

/** Runs a batch of writes in one transaction (the bulk sync writes 500 records at a time). */
export function inTransaction<T>(fn: () => T): T {
  return rawDb().transaction(fn)();
}

// ---------------------------------------------------------------- freshness

/** Interactions and orders newer than `since`: what the retrain threshold counts. */
export function newEventsSince(shop: string, since: Date | null): number {
  const t = since ? iso(since) : "1970-01-01T00:00:00.000Z";
  const a = stmt(`SELECT COUNT(*) AS n FROM Interaction WHERE shop = ? AND julianday(timestamp) > julianday(?)`).get(shop, t) as { n: number };
  const b = stmt(`SELECT COUNT(*) AS n FROM "Order" WHERE shop = ? AND julianday(orderDate) > julianday(?)`).get(shop, t) as { n: number };
  return a.n + b.n;
}

/** The newest model version's creation time (published or training), or null when none was trained. */
export function lastTrainStarted(shop: string): { version: string; createdAt: Date } | null {
  const row = stmt(`SELECT version, createdAt FROM ModelVersion WHERE shop = ? AND status IN ('published', 'training', 'superseded') ORDER BY createdAt DESC LIMIT 1`)
    .get(shop) as { version: string; createdAt: string | number } | undefined;
  return row ? { version: row.version, createdAt: new Date(row.createdAt) } : null;
}

/** For the admin: counts of what the sync holds for a shop. */
export function syncCounts(shop: string): { products: number; customers: number; orders: number; interactions: number } {
  const count = (sql: string) => (stmt(sql).get(shop) as { n: number }).n;
  return {
    products: count(`SELECT COUNT(*) AS n FROM Product WHERE shop = ? AND deletedAt IS NULL`),
    customers: count(`SELECT COUNT(*) AS n FROM Customer WHERE shop = ?`),
    orders: count(`SELECT COUNT(*) AS n FROM "Order" WHERE shop = ?`),
    interactions: count(`SELECT COUNT(*) AS n FROM Interaction WHERE shop = ?`),
  };
}

/**
 * For the admin's sync panel: each resource's first-sync state (stage, records written of total,
 * started/finished) and the shop's row counts. Job progress is in JobRun (jobRun.server recentJobs).
 */
export function bulkSyncStatus(shop: string): {
  resources: Record<"products" | "customers" | "orders", unknown>;
  counts: ReturnType<typeof syncCounts>;
} {
  return {
    resources: {
      products: readSetting(shop, "shopify.sync.products") ?? null,
      customers: readSetting(shop, "shopify.sync.customers") ?? null,
      orders: readSetting(shop, "shopify.sync.orders") ?? null,
    },
    counts: syncCounts(shop),
  };
}
