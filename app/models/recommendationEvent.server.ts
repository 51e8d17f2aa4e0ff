/** Impressions and clicks the theme blocks report, kept per recommendation list for attribution. */
import { prisma } from "../db.server";

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
  at: Date;
}

/** One row per product: an impression of a list of 8 is 8 rows, so click-through is a plain ratio. */
export async function recordRecommendationEvents(e: RecommendationEventInput): Promise<number> {
  const rows = e.productIds.map((productId, i) => ({
    shop: e.shop,
    recommendationId: e.recommendationId,
    type: e.type,
    productId,
    placement: e.placement,
    position: e.positions?.[i] ?? null,
    customerId: e.customerId,
    clientId: e.clientId,
    at: e.at,
  }));
  const r = await prisma().recommendationEvent.createMany({ data: rows });
  return r.count;
}

/** Impressions and clicks per placement since `since`, for the dashboard. */
export async function recommendationEventCounts(shop: string, since: Date) {
  const groups = await prisma().recommendationEvent.groupBy({
    by: ["placement", "type"],
    where: { shop, at: { gte: since } },
    _count: { _all: true },
  });
  return groups.map((g) => ({ placement: g.placement, type: g.type, count: g._count._all }));
}
