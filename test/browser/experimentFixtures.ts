/**
 * An experiment with traffic, for the browser tests of the experiment pages: created and started
 * through the backend (app/models/experiment.server.ts), then given exposures, block totals, click
 * rows and orders of the placement's real products, so the results page computes its numbers,
 * intervals and verdict from rows like the storefront's. Deterministic (no Math.random).
 */
import { prisma } from "../../app/db.server";
import { addDailyEvents, createExperiment, recordExposures, setExperimentStatus, type ExperimentVariant } from "../../app/models/experiment.server";

const MINUTE = 60_000;
const DAY = 86_400_000;

export interface ArmPlan {
  variant: string;
  shoppers: number;
  /** Shoppers who click a recommendation and then order the clicked product. */
  converted: number;
  /** Mean value of a converting shopper's order. */
  basket: number;
  impressions: number;
  clicks: number;
  addToCarts: number;
}

export interface SeededExperiment {
  id: string;
  orders: number;
  revenue: number;
}

/** Spread in 0.4..1.6 (mean 1): different baskets, the same for every run. */
const spread = (i: number) => 0.4 + ((i * 7919) % 97) / 80;

export async function seedExperiment(
  shop: string,
  opts: { name: string; placement: "product" | "home" | "cart" | "email"; variants: ExperimentVariant[]; arms: ArmPlan[]; start: Date },
): Promise<SeededExperiment> {
  const exp = await createExperiment(shop, { name: opts.name, placement: opts.placement, variants: opts.variants });
  await setExperimentStatus(shop, exp.id, "running", opts.start);
  const products = (await prisma().product.findMany({ where: { shop, deletedAt: null }, select: { id: true, price: true }, orderBy: { id: "asc" }, take: 40 })).map((p) => p.id);
  if (!products.length) throw new Error(`seedExperiment: ${shop} has no products; seed the demo shop first`);
  const t0 = opts.start.getTime();
  let orders = 0;
  let revenue = 0;
  for (const arm of opts.arms) {
    const exposures = [];
    const clicks = [];
    const orderRows = [];
    const lines = [];
    for (let i = 0; i < arm.shoppers; i++) {
      const shopper = `${exp.id}-${arm.variant}-${i}`;
      const seen = t0 + i * 20 * MINUTE;
      exposures.push({ shop, experimentId: exp.id, shopper, variant: arm.variant, at: new Date(seen) });
      if (i >= arm.converted) continue;
      const product = products[(i * 13) % products.length];
      const total = Math.round(arm.basket * spread(i) * 100) / 100;
      clicks.push({ shop, recommendationId: `${exp.id}-rec-${arm.variant}-${i}`, type: "click", productId: product, placement: opts.placement, position: 1 + (i % 4), customerId: shopper, at: new Date(seen + 30 * MINUTE) });
      const orderId = `${exp.id}-${arm.variant}-o${i}`;
      orderRows.push({ shop, id: orderId, customerId: shopper, orderDate: new Date(seen + DAY), status: "completed", totalAmount: total, numItems: 1 });
      lines.push({ shop, id: `${orderId}-1`, orderId, productId: product, quantity: 1, unitPrice: total, finalPrice: total });
      orders++;
      revenue += total;
    }
    recordExposures(exposures);
    await prisma().recommendationEvent.createMany({ data: clicks });
    await prisma().order.createMany({ data: orderRows });
    await prisma().orderItem.createMany({ data: lines });
    addDailyEvents(shop, [
      { day: opts.start.toISOString().slice(0, 10), placement: opts.placement, experimentId: exp.id, variant: arm.variant, impressions: arm.impressions, clicks: arm.clicks, addToCarts: arm.addToCarts },
    ]);
  }
  return { id: exp.id, orders, revenue };
}

/**
 * The results page's main case: "Visual heavy" against the current blend on the home page, 500
 * shoppers each (above the minimum sample size at a 50 % baseline), the treatment converting more
 * with larger baskets: a winner the statistics must call.
 */
export function winningExperiment(shop: string, now: Date): Promise<SeededExperiment> {
  return seedExperiment(shop, {
    name: "Visual heavy vs. current blend",
    placement: "home",
    variants: [
      { id: "control", name: "Current blend", weight: 50 },
      { id: "visual", name: "Visual heavy", weight: 50, settings: { weights: { visual: 0.7, collaborative: 0.3 } } },
    ],
    arms: [
      { variant: "control", shoppers: 500, converted: 250, basket: 80, impressions: 24_000, clicks: 620, addToCarts: 180 },
      { variant: "visual", shoppers: 500, converted: 320, basket: 95, impressions: 24_500, clicks: 810, addToCarts: 240 },
    ],
    start: new Date(now.getTime() - 20 * DAY),
  });
}

/** A young experiment on the product page with a holdout: far below the minimum sample size. */
export function youngExperiment(shop: string, now: Date): Promise<SeededExperiment> {
  return seedExperiment(shop, {
    name: "Recommendations vs. none (product page)",
    placement: "product",
    variants: [
      { id: "blend", name: "Blend", weight: 90 },
      { id: "holdout", name: "No recommendations", weight: 10, holdout: true },
    ],
    arms: [
      { variant: "blend", shoppers: 36, converted: 5, basket: 70, impressions: 900, clicks: 31, addToCarts: 9 },
      { variant: "holdout", shoppers: 4, converted: 0, basket: 70, impressions: 0, clicks: 0, addToCarts: 0 },
    ],
    start: new Date(now.getTime() - 2 * DAY),
  });
}
