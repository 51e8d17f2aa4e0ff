/**
 * Online metrics per variant and the verdict of an experiment. Shoppers are the unit of
 * randomisation, so conversion and revenue are compared per shopper (every order a shopper placed
 * after first seeing the placement counts, attributed or not: this is what a holdout can be
 * compared on); click-through and add-to-cart rates are per impression; attributed revenue and
 * RPM (revenue per thousand impressions) come from the last-click attribution.
 */
import type { AttributionResult } from "./attribution";
import { bootstrapDifference, minimumSampleSize, twoProportionTest, welchTest, wilsonInterval, type TestResult } from "./stats";

export interface Exposure {
  shopper: string;
  variant: string;
  firstSeenAt: number;
}

/** Block statistics of a variant (from the daily aggregates). */
export interface BlockCounts {
  variant: string;
  impressions: number;
  clicks: number;
  addToCarts: number;
}

export interface ShopperOrder {
  shopper: string;
  orderId: string;
  total: number;
  at: number;
}

export interface VariantMetrics {
  variant: string;
  shoppers: number;
  impressions: number;
  clicks: number;
  addToCarts: number;
  ctr: number;
  ctrCi: [number, number];
  addToCartRate: number;
  convertedShoppers: number;
  conversionRate: number;
  conversionCi: [number, number];
  revenue: number;
  revenuePerShopper: number;
  attributedRevenue: number;
  rpm: number;
  aovWithRecommended: number | null;
  aovWithoutRecommended: number | null;
}

export interface Comparison {
  control: string;
  treatment: string;
  ctr: TestResult;
  /** Add-to-carts per impression (two-proportion test). */
  addToCart: TestResult;
  conversion: TestResult;
  revenuePerShopper: TestResult & { bootstrapCi: [number, number] };
  minimumShoppersPerArm: number;
  enoughData: boolean;
  verdict: "treatment wins" | "control wins" | "no significant difference" | "not enough data yet";
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);

export function variantMetrics(
  variantIds: string[],
  exposures: Exposure[],
  counts: BlockCounts[],
  orders: ShopperOrder[],
  attribution: AttributionResult,
): Map<string, { metrics: VariantMetrics; revenueSamples: number[] }> {
  const variantOf = new Map<string, Exposure>();
  for (const e of exposures) {
    const prev = variantOf.get(e.shopper);
    if (!prev || e.firstSeenAt < prev.firstSeenAt) variantOf.set(e.shopper, e);
  }
  const out = new Map<string, { metrics: VariantMetrics; revenueSamples: number[]; revenueByShopper: Map<string, number> }>();
  const bucket = (variant: string) => {
    let b = out.get(variant);
    if (!b) {
      b = {
        metrics: { variant, shoppers: 0, impressions: 0, clicks: 0, addToCarts: 0, ctr: 0, ctrCi: [0, 0], addToCartRate: 0, convertedShoppers: 0, conversionRate: 0, conversionCi: [0, 0], revenue: 0, revenuePerShopper: 0, attributedRevenue: 0, rpm: 0, aovWithRecommended: null, aovWithoutRecommended: null },
        revenueSamples: [],
        revenueByShopper: new Map(),
      };
      out.set(variant, b);
    }
    return b;
  };
  for (const id of variantIds) bucket(id);
  for (const e of variantOf.values()) {
    const b = bucket(e.variant);
    b.metrics.shoppers++;
    b.revenueByShopper.set(e.shopper, 0);
  }
  for (const c of counts) {
    const b = bucket(c.variant);
    b.metrics.impressions += c.impressions;
    b.metrics.clicks += c.clicks;
    b.metrics.addToCarts += c.addToCarts;
  }
  for (const o of orders) {
    const exp = variantOf.get(o.shopper);
    if (!exp || o.at < exp.firstSeenAt) continue;
    const b = bucket(exp.variant);
    b.revenueByShopper.set(o.shopper, (b.revenueByShopper.get(o.shopper) ?? 0) + o.total);
    b.metrics.revenue += o.total;
  }
  for (const line of attribution.lines) {
    const exp = variantOf.get(line.shopper);
    const variant = line.click.variant ?? exp?.variant;
    if (variant) bucket(variant).metrics.attributedRevenue += line.revenue;
  }
  const aov = new Map<string, { with: number[]; without: number[] }>();
  for (const o of attribution.orders) {
    const exp = variantOf.get(o.shopper);
    if (!exp) continue;
    const a = aov.get(exp.variant) ?? { with: [], without: [] };
    (o.attributed ? a.with : a.without).push(o.total);
    aov.set(exp.variant, a);
  }
  for (const [variant, b] of out) {
    const m = b.metrics;
    b.revenueSamples = [...b.revenueByShopper.values()];
    m.convertedShoppers = b.revenueSamples.filter((r) => r > 0).length;
    m.ctr = m.impressions ? m.clicks / m.impressions : 0;
    m.ctrCi = wilsonInterval(m.clicks, m.impressions);
    m.addToCartRate = m.impressions ? m.addToCarts / m.impressions : 0;
    m.conversionRate = m.shoppers ? m.convertedShoppers / m.shoppers : 0;
    m.conversionCi = wilsonInterval(m.convertedShoppers, m.shoppers);
    m.revenuePerShopper = m.shoppers ? m.revenue / m.shoppers : 0;
    m.rpm = m.impressions ? (m.attributedRevenue / m.impressions) * 1000 : 0;
    m.aovWithRecommended = mean(aov.get(variant)?.with ?? []);
    m.aovWithoutRecommended = mean(aov.get(variant)?.without ?? []);
  }
  return new Map([...out].map(([k, v]) => [k, { metrics: v.metrics, revenueSamples: v.revenueSamples }]));
}

/**
 * Compares a treatment with the control. A winner is called only when both arms reached the
 * minimum sample size for detecting `minimumDetectableLift` (absolute, on conversion) and the
 * revenue-per-shopper or conversion difference is significant at `alpha`.
 */
export function compareVariants(
  control: { metrics: VariantMetrics; revenueSamples: number[] },
  treatment: { metrics: VariantMetrics; revenueSamples: number[] },
  opts: { alpha?: number; minimumDetectableLift?: number; seed?: number } = {},
): Comparison {
  const alpha = opts.alpha ?? 0.05;
  const c = control.metrics;
  const t = treatment.metrics;
  const ctr = twoProportionTest(c.clicks, c.impressions, t.clicks, t.impressions, 1 - alpha);
  const addToCart = twoProportionTest(c.addToCarts, c.impressions, t.addToCarts, t.impressions, 1 - alpha);
  const conversion = twoProportionTest(c.convertedShoppers, c.shoppers, t.convertedShoppers, t.shoppers, 1 - alpha);
  const revenue = welchTest(control.revenueSamples, treatment.revenueSamples, 1 - alpha);
  const bootstrapCi = bootstrapDifference(control.revenueSamples, treatment.revenueSamples, 2000, opts.seed ?? 1, 1 - alpha);
  const baseline = Math.min(0.99, Math.max(0.001, c.conversionRate || 0.02));
  const minimumShoppersPerArm = minimumSampleSize(baseline, opts.minimumDetectableLift ?? Math.max(0.005, baseline * 0.2), alpha);
  const enoughData = c.shoppers >= minimumShoppersPerArm && t.shoppers >= minimumShoppersPerArm;
  let verdict: Comparison["verdict"] = "not enough data yet";
  if (enoughData) {
    const primary = revenue.pValue < alpha ? revenue.difference : conversion.pValue < alpha ? conversion.difference : 0;
    verdict = primary > 0 ? "treatment wins" : primary < 0 ? "control wins" : "no significant difference";
  }
  return { control: c.variant, treatment: t.variant, ctr, addToCart, conversion, revenuePerShopper: { ...revenue, bootstrapCi }, minimumShoppersPerArm, enoughData, verdict };
}
