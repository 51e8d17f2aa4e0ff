/**
 * Experiments: their definitions, sticky exposures, compact daily block statistics, and the data
 * a results report needs (clicks, orders). The statistics themselves are pure
 * (app/recommend/experiments/); this file only reads and writes rows.
 */
import crypto from "node:crypto";
import { z } from "zod";
import { prisma, rawDb } from "../db.server";
import { PLACEMENTS } from "../recommend/types";

export const variantSchema = z.object({
  id: z.string().min(1).max(40).regex(/^[a-z0-9_-]+$/i, "use letters, digits, - and _"),
  name: z.string().min(1).max(80),
  weight: z.number().positive(),
  holdout: z.boolean().optional(),
  /** Overrides of the placement's settings (weights, rules, diversity) for this variant. */
  settings: z.record(z.unknown()).optional(),
});
export type ExperimentVariant = z.infer<typeof variantSchema>;

export const experimentInputSchema = z.object({
  name: z.string().min(1).max(120),
  placement: z.enum(PLACEMENTS as [string, ...string[]]),
  variants: z.array(variantSchema).min(2, "an experiment needs at least two variants"),
  startAt: z.coerce.date().optional(),
  endAt: z.coerce.date().optional(),
});
export type ExperimentInput = z.infer<typeof experimentInputSchema>;

export interface ExperimentRow {
  id: string;
  shop: string;
  placement: string;
  name: string;
  status: "draft" | "running" | "paused" | "stopped";
  variants: ExperimentVariant[];
  startAt: Date | null;
  endAt: Date | null;
  winner: string | null;
  createdAt: Date;
}

function toRow(r: { variants: string; status: string } & Record<string, unknown>): ExperimentRow {
  return { ...(r as unknown as ExperimentRow), status: r.status as ExperimentRow["status"], variants: JSON.parse(r.variants) };
}

export async function createExperiment(shop: string, input: ExperimentInput): Promise<ExperimentRow> {
  const parsed = experimentInputSchema.parse(input);
  const ids = new Set(parsed.variants.map((v) => v.id));
  if (ids.size !== parsed.variants.length) throw new Error("variant ids must be unique within an experiment");
  const row = await prisma().experiment.create({
    data: {
      id: `exp_${crypto.randomUUID().slice(0, 8)}`,
      shop,
      placement: parsed.placement,
      name: parsed.name,
      status: "draft",
      variants: JSON.stringify(parsed.variants),
      startAt: parsed.startAt ?? null,
      endAt: parsed.endAt ?? null,
    },
  });
  return toRow(row);
}

export async function listExperiments(shop: string): Promise<ExperimentRow[]> {
  const rows = await prisma().experiment.findMany({ where: { shop }, orderBy: { createdAt: "desc" } });
  return rows.map(toRow);
}

export async function getExperiment(shop: string, id: string): Promise<ExperimentRow | null> {
  const row = await prisma().experiment.findFirst({ where: { shop, id } });
  return row ? toRow(row) : null;
}

/** Starts, pauses or stops an experiment. Only one experiment per placement may be running. */
export async function setExperimentStatus(shop: string, id: string, status: "running" | "paused" | "stopped", now = new Date()): Promise<ExperimentRow> {
  return prisma().$transaction(async (tx) => {
    const exp = await tx.experiment.findFirst({ where: { shop, id } });
    if (!exp) throw new Error(`no experiment ${id} in ${shop}`);
    if (exp.status === "stopped") throw new Error(`experiment ${id} is stopped; create a new one to test again`);
    if (status === "running") {
      const other = await tx.experiment.findFirst({ where: { shop, placement: exp.placement, status: "running", NOT: { id } } });
      if (other) throw new Error(`"${other.name}" is already running on the ${exp.placement} placement: pause or stop it first`);
    }
    const row = await tx.experiment.update({
      where: { id },
      data: { status, updatedAt: now, startAt: status === "running" && !exp.startAt ? now : exp.startAt, endAt: status === "stopped" ? now : exp.endAt },
    });
    return toRow(row);
  });
}

export async function setWinner(shop: string, id: string, variant: string): Promise<void> {
  await prisma().experiment.updateMany({ where: { shop, id }, data: { winner: variant, updatedAt: new Date() } });
}

/** Running experiments of a shop whose window includes `now` (the serving snapshot reads this). */
export function runningExperiments(shop: string, now = new Date()): ExperimentRow[] {
  const rows = rawDb()
    .prepare(`SELECT * FROM Experiment WHERE shop = ? AND status = 'running'`)
    .all(shop) as ({ variants: string; status: string; startAt: string | null; endAt: string | null; createdAt: string } & Record<string, unknown>)[];
  return rows
    .map((r) => ({ ...toRow(r), startAt: r.startAt ? new Date(r.startAt) : null, endAt: r.endAt ? new Date(r.endAt) : null, createdAt: new Date(r.createdAt) }))
    .filter((e) => (!e.startAt || e.startAt <= now) && (!e.endAt || e.endAt > now));
}

/** Records the first variant a shopper saw; later calls keep the first (sticky). */
export function recordExposure(shop: string, experimentId: string, shopper: string, variant: string, at = new Date()): void {
  rawDb()
    .prepare(`INSERT INTO ExperimentExposure (shop, experimentId, shopper, variant, firstSeenAt) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
    .run(shop, experimentId, shopper, variant, at.toISOString());
}

/** Adds block events to the daily aggregate of their placement and variant. */
export function addDailyEvents(
  shop: string,
  rows: { day: string; placement: string; experimentId?: string; variant?: string; impressions?: number; clicks?: number; addToCarts?: number }[],
): void {
  const db = rawDb();
  const stmt = db.prepare(
    `INSERT INTO RecEventDaily (shop, day, placement, experimentId, variant, impressions, clicks, addToCarts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(shop, day, placement, experimentId, variant) DO UPDATE SET impressions = impressions + excluded.impressions,
       clicks = clicks + excluded.clicks, addToCarts = addToCarts + excluded.addToCarts`,
  );
  db.transaction(() => {
    for (const r of rows) stmt.run(shop, r.day, r.placement, r.experimentId ?? "", r.variant ?? "", r.impressions ?? 0, r.clicks ?? 0, r.addToCarts ?? 0);
  })();
}

export interface ExperimentData {
  exposures: { shopper: string; variant: string; firstSeenAt: number }[];
  daily: { variant: string; impressions: number; clicks: number; addToCarts: number }[];
  clicks: { shopper: string; productId: string; recommendationId: string; placement: string; at: number }[];
  orderLines: { orderId: string; lineId: string; shopper: string; productId: string; quantity: number; revenue: number; at: number; cancelled: boolean }[];
}

/**
 * Everything a results report needs, with anonymous client ids resolved to the customers they
 * were linked to (ClientLink), so a click before logging in still meets the order after it.
 */
export function experimentData(shop: string, exp: ExperimentRow): ExperimentData {
  const db = rawDb();
  const from = (exp.startAt ?? exp.createdAt).toISOString();
  const links = new Map((db.prepare(`SELECT clientId, customerId FROM ClientLink WHERE shop = ?`).all(shop) as { clientId: string; customerId: string }[]).map((r) => [r.clientId, r.customerId]));
  const who = (s: string) => links.get(s) ?? s;
  const exposures = (db.prepare(`SELECT shopper, variant, firstSeenAt FROM ExperimentExposure WHERE shop = ? AND experimentId = ?`).all(shop, exp.id) as { shopper: string; variant: string; firstSeenAt: string }[]).map((r) => ({
    shopper: who(r.shopper),
    variant: r.variant,
    firstSeenAt: Date.parse(r.firstSeenAt),
  }));
  const daily = db
    .prepare(`SELECT variant, SUM(impressions) AS impressions, SUM(clicks) AS clicks, SUM(addToCarts) AS addToCarts FROM RecEventDaily WHERE shop = ? AND experimentId = ? GROUP BY variant`)
    .all(shop, exp.id) as ExperimentData["daily"];
  const clicks = (db
    .prepare(`SELECT COALESCE(customerId, clientId) AS shopper, productId, recommendationId, placement, at FROM RecommendationEvent WHERE shop = ? AND type = 'click' AND placement = ? AND at >= ?`)
    .all(shop, exp.placement, from) as { shopper: string | null; productId: string; recommendationId: string; placement: string; at: string }[])
    .filter((r) => r.shopper)
    .map((r) => ({ shopper: who(r.shopper!), productId: r.productId, recommendationId: r.recommendationId, placement: r.placement, at: Date.parse(r.at) }));
  const orderLines = (db
    .prepare(
      `SELECT o.id AS orderId, i.id AS lineId, o.customerId AS shopper, i.productId, i.quantity, COALESCE(i.finalPrice, i.unitPrice * i.quantity) AS revenue,
              o.orderDate AS at, o.status
       FROM OrderItem i JOIN "Order" o ON o.shop = i.shop AND o.id = i.orderId
       WHERE i.shop = ? AND o.customerId IS NOT NULL AND o.orderDate >= ?`,
    )
    .all(shop, from) as { orderId: string; lineId: string; shopper: string; productId: string; quantity: number; revenue: number; at: string; status: string }[]).map((r) => ({
    ...r,
    at: Date.parse(r.at),
    cancelled: r.status === "cancelled" || r.status === "returned",
  }));
  return { exposures, daily, clicks, orderLines };
}
