/**
 * An experiment's results: rows from app/models/experiment.server.ts, statistics from the pure
 * core (attribution, per-variant metrics, significance), one object for the admin and the CLI.
 */
import { experimentData, getExperiment, type ExperimentRow } from "../models/experiment.server";
import { attribute, DEFAULT_ATTRIBUTION_WINDOW_DAYS } from "../recommend/experiments/attribution";
import { compareVariants, variantMetrics, type Comparison, type VariantMetrics } from "../recommend/experiments/report";

export interface ExperimentResults {
  experiment: ExperimentRow;
  windowDays: number;
  variants: VariantMetrics[];
  comparisons: Comparison[];
}

export async function experimentResults(shop: string, id: string, windowDays = DEFAULT_ATTRIBUTION_WINDOW_DAYS): Promise<ExperimentResults> {
  const experiment = await getExperiment(shop, id);
  if (!experiment) throw new Error(`no experiment ${id} in ${shop}`);
  const data = experimentData(shop, experiment);
  const variantOf = new Map(data.exposures.map((e) => [e.shopper, e.variant]));
  const clicks = data.clicks.filter((c) => variantOf.has(c.shopper)).map((c) => ({ ...c, experimentId: id, variant: variantOf.get(c.shopper)! }));
  const exposed = data.orderLines.filter((l) => variantOf.has(l.shopper));
  const attribution = attribute(clicks, exposed, [], windowDays);
  const orders = attribution.orders.map((o) => ({ shopper: o.shopper, orderId: o.orderId, total: o.total, at: exposed.find((l) => l.orderId === o.orderId)!.at }));
  const ids = experiment.variants.map((v) => v.id);
  const metrics = variantMetrics(ids, data.exposures, data.daily, orders, attribution);
  const control = experiment.variants[0].id;
  const comparisons = experiment.variants.slice(1).map((v) => compareVariants(metrics.get(control)!, metrics.get(v.id)!));
  return { experiment, windowDays, variants: experiment.variants.map((v) => metrics.get(v.id)!.metrics), comparisons };
}
