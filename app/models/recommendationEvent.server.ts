/**
 * What the theme blocks report about recommendation lists, stored compactly:
 * - impressions only as daily aggregates: per day, placement, experiment and variant (RecEventDaily)
 *   and per day and product (ProductImpressionDaily, what exploration's "rarely shown" counts);
 * - clicks and add-to-carts as rows (RecommendationEvent, attribution needs who clicked what, when)
 *   and in the daily aggregates (click-through and add-to-cart rates per variant).
 * Rows written before the aggregation (one impression row per product) still count everywhere.
 */
import { prisma, rawDb } from "../db.server";

export type RecommendationEventType = "impression" | "click" | "add_to_cart";

export interface RecommendationEventInput {
  shop: string;
  recommendationId: string;
  type: RecommendationEventType;
  placement: string;
  productIds: string[];
  positions?: (number | null)[];
  customerId: string | null;
  clientId: string | null;
  /** The experiment and variant the list was served under (from its recommendation id), if any. */
  experimentId?: string | null;
  variant?: string | null;
  at: Date;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Stores one block event in one transaction; returns the number of products it counted (an
 * impression of a list of 8 counts 8: click-through is clicks over products shown).
 */
export function recordRecommendationEvents(e: RecommendationEventInput): number {
  const db = rawDb();
  const d = day(e.at);
  const experimentId = e.experimentId ?? "";
  const variant = experimentId ? e.variant ?? "" : "";
  const n = e.productIds.length;
  const daily = db.prepare(
    `INSERT INTO RecEventDaily (shop, day, placement, experimentId, variant, impressions, clicks, addToCarts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(shop, day, placement, experimentId, variant) DO UPDATE SET impressions = RecEventDaily.impressions + excluded.impressions,
       clicks = RecEventDaily.clicks + excluded.clicks, addToCarts = RecEventDaily.addToCarts + excluded.addToCarts`,
  );
  db.transaction(() => {
    if (e.type === "impression") {
      daily.run(e.shop, d, e.placement, experimentId, variant, n, 0, 0);
      const perProduct = db.prepare(
        `INSERT INTO ProductImpressionDaily (shop, day, productId, impressions) VALUES (?, ?, ?, 1)
         ON CONFLICT(shop, day, productId) DO UPDATE SET impressions = ProductImpressionDaily.impressions + 1`,
      );
      for (const p of e.productIds) perProduct.run(e.shop, d, p);
      return;
    }
    daily.run(e.shop, d, e.placement, experimentId, variant, 0, e.type === "click" ? n : 0, e.type === "add_to_cart" ? n : 0);
    const row = db.prepare(
      `INSERT INTO RecommendationEvent (shop, recommendationId, type, productId, placement, position, customerId, clientId, experimentId, variant, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    e.productIds.forEach((p, i) => row.run(e.shop, e.recommendationId, e.type, p, e.placement, e.positions?.[i] ?? null, e.customerId, e.clientId, experimentId || null, variant || null, e.at.toISOString()));
  })();
  return n;
}

/** A recommendation click an add-to-cart can be credited to. */
export interface CreditedClick {
  recommendationId: string;
  placement: string;
  experimentId: string | null;
  variant: string | null;
}

/**
 * Add-to-carts reported by the web pixel (product_added_to_cart), credited to recommendation lists:
 * when the same shopper (customer id, the pixel's client id, or a client id linked to the customer)
 * clicked that product in a list within `windowMs` before the add, the add counts for that list's
 * latest click (once per list and product: adding it again, or a second quantity, is not a second
 * conversion of the card). Returns how many adds were credited.
 */
export function creditAddToCarts(shop: string, shopper: { customerId: string | null; clientId: string }, adds: { productId: string; at: Date }[], windowMs = 86_400_000): number {
  if (!adds.length) return 0;
  const db = rawDb();
  const clients = [shopper.clientId];
  if (shopper.customerId) {
    for (const r of db.prepare(`SELECT clientId FROM ClientLink WHERE shop = ? AND customerId = ?`).all(shop, shopper.customerId) as { clientId: string }[]) clients.push(r.clientId);
  }
  const inClients = `(${clients.map(() => "?").join(", ")})`;
  const findClick = db.prepare(
    `SELECT recommendationId, placement, experimentId, variant FROM RecommendationEvent
     WHERE shop = ? AND type = 'click' AND productId = ? AND at <= ? AND at >= ?
       AND (clientId IN ${inClients}${shopper.customerId ? " OR customerId = ?" : ""})
     ORDER BY at DESC LIMIT 1`,
  );
  const already = db.prepare(`SELECT 1 FROM RecommendationEvent WHERE shop = ? AND type = 'add_to_cart' AND recommendationId = ? AND productId = ? LIMIT 1`);
  let credited = 0;
  for (const add of adds) {
    const click = findClick.get(shop, add.productId, add.at.toISOString(), new Date(add.at.getTime() - windowMs).toISOString(), ...clients, ...(shopper.customerId ? [shopper.customerId] : [])) as
      | CreditedClick
      | undefined;
    if (!click || already.get(shop, click.recommendationId, add.productId)) continue;
    recordRecommendationEvents({
      shop,
      recommendationId: click.recommendationId,
      type: "add_to_cart",
      placement: click.placement,
      productIds: [add.productId],
      customerId: shopper.customerId,
      clientId: shopper.clientId,
      experimentId: click.experimentId,
      variant: click.variant,
      at: add.at,
    });
    credited++;
  }
  return credited;
}

/** Whether an experiment of the shop has this variant (a block event's recommendation id is client-supplied). */
export function experimentHasVariant(shop: string, experimentId: string, variant: string): boolean {
  const r = rawDb().prepare(`SELECT variants FROM Experiment WHERE shop = ? AND id = ?`).get(shop, experimentId) as { variants: string } | undefined;
  if (!r) return false;
  try {
    return (JSON.parse(r.variants) as { id: string }[]).some((v) => v.id === variant);
  } catch {
    return false;
  }
}

/** Impressions, clicks and add-to-carts per placement since `since`, for the dashboard. */
export async function recommendationEventCounts(shop: string, since: Date) {
  const db = rawDb();
  const counts = new Map<string, number>();
  const add = (placement: string, type: string, n: number) => counts.set(`${placement}\u0000${type}`, (counts.get(`${placement}\u0000${type}`) ?? 0) + n);
  const impressions = db
    .prepare(`SELECT placement, SUM(impressions) AS n FROM RecEventDaily WHERE shop = ? AND day >= ? GROUP BY placement`)
    .all(shop, day(since)) as { placement: string; n: number }[];
  for (const r of impressions) if (r.n) add(r.placement, "impression", r.n);
  // Clicks and add-to-carts are rows; so were impressions before the aggregation.
  const groups = await prisma().recommendationEvent.groupBy({
    by: ["placement", "type"],
    where: { shop, at: { gte: since } },
    _count: { _all: true },
  });
  for (const g of groups) add(g.placement, g.type, g._count._all);
  return [...counts].map(([k, count]) => {
    const [placement, type] = k.split("\u0000");
    return { placement, type, count };
  });
}

/** What each placement's block has reported since it was added (all days): the onboarding checklist's "blocks added" and "first impressions". */
export function placementActivity(shop: string): { placement: string; firstDay: string; impressions: number; clicks: number }[] {
  return (rawDb()
    .prepare(`SELECT placement, MIN(day) AS firstDay, COALESCE(SUM(impressions), 0) AS impressions, COALESCE(SUM(clicks), 0) AS clicks FROM RecEventDaily WHERE shop = ? GROUP BY placement ORDER BY placement`)
    .all(shop) as { placement: string; firstDay: string; impressions: number | string; clicks: number | string }[]).map((r) => ({ ...r, impressions: Number(r.impressions), clicks: Number(r.clicks) }));
}
