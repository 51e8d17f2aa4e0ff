/**
 * An experiment's results: rows from app/models/experiment.server.ts, statistics from the pure
 * core (attribution, per-variant metrics, significance), one object for the admin and the CLI.
 * The attribution window is the shop's Setting "experiments.attributionDays" (default 7) unless
 * the caller names one.
 */
import { attributionDays, blockTotals, customerOrderLines, experimentData, getExperiment, recommendationClicks, type ExperimentRow } from "../models/experiment.server";
import { shopCurrency } from "../models/servingStamp.server";
import { attribute } from "../recommend/experiments/attribution";
import { compareVariants, variantMetrics, type Comparison, type VariantMetrics } from "../recommend/experiments/report";
import { systemClock } from "../clock";

export interface ExperimentResults {
  experiment: ExperimentRow;
  windowDays: number;
  variants: VariantMetrics[];
  comparisons: Comparison[];
}

export async function experimentResults(shop: string, id: string, windowDays?: number): Promise<ExperimentResults> {
  const experiment = await getExperiment(shop, id);
  if (!experiment) throw new Error(`no experiment ${id} in ${shop}`);
  const window = windowDays ?? attributionDays(shop);
  const data = experimentData(shop, experiment);
  const variantOf = new Map(data.exposures.map((e) => [e.shopper, e.variant]));
  // A shopper's clicks count for the variant they were assigned (sticky), whatever the click row says.
  const clicks = data.clicks.filter((c) => variantOf.has(c.shopper)).map((c) => ({ ...c, experimentId: id, variant: variantOf.get(c.shopper)! }));
  const exposed = data.orderLines.filter((l) => variantOf.has(l.shopper));
  const attribution = attribute(clicks, exposed, [], window);
  const orderAt = new Map(exposed.map((l) => [l.orderId, l.at]));
  const orders = attribution.orders.map((o) => ({ shopper: o.shopper, orderId: o.orderId, total: o.total, at: orderAt.get(o.orderId)! }));
  const ids = experiment.variants.map((v) => v.id);
  const metrics = variantMetrics(ids, data.exposures, data.daily, orders, attribution);
  const control = experiment.variants[0].id;
  const comparisons = experiment.variants.slice(1).map((v) => compareVariants(metrics.get(control)!, metrics.get(v.id)!));
  return { experiment, windowDays: window, variants: experiment.variants.map((v) => metrics.get(v.id)!.metrics), comparisons };
}

export interface RevenueHeadline {
  /** Revenue of order lines attributed to a recommendation click (last click, attribution window), net of refunds. */
  revenue: number;
  /** Orders with at least one attributed line. */
  orders: number;
  currency: string;
  impressions: number;
  clicks: number;
  days: number;
  windowDays: number;
}

/** The dashboard's headline: what recommendations earned over the last `days` days, all placements. */
export async function attributedRevenueHeadline(shop: string, days = 30, now: Date = systemClock.now()): Promise<RevenueHeadline> {
  const windowDays = attributionDays(shop);
  const from = new Date(now.getTime() - days * 86_400_000);
  // Clicks up to one window before the period can still earn an order inside it.
  const clicks = recommendationClicks(shop, new Date(from.getTime() - windowDays * 86_400_000));
  const lines = customerOrderLines(shop, from).filter((l) => l.at <= now.getTime());
  const attribution = attribute(clicks, lines, [], windowDays);
  const revenue = attribution.lines.reduce((s, l) => s + l.revenue, 0);
  const totals = blockTotals(shop, from.toISOString().slice(0, 10));
  return {
    revenue: Math.round(revenue * 100) / 100,
    orders: attribution.orders.filter((o) => o.attributed).length,
    currency: shopCurrency(shop),
    impressions: totals.impressions,
    clicks: totals.clicks,
    days,
    windowDays,
  };
}
