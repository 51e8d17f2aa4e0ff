/**
 * Experiments: their definitions, sticky exposures, compact daily block statistics, and the data
 * a results report needs (clicks, orders). The statistics themselves are pure
 * (app/recommend/experiments/); this file only reads and writes rows.
 */
import crypto from "node:crypto";
import { z } from "zod";
import { prisma, rawDb } from "../db.server";
import { PLACEMENTS } from "../recommend/types";
import { parseSettingsOverride } from "../recommend/settings";
import { DEFAULT_ATTRIBUTION_WINDOW_DAYS } from "../recommend/experiments/attribution";
import { systemClock } from "../clock";
import { settingRow, writeSetting } from "./setting.server";

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
  // A variant's settings are an override of its placement's block: checked now, not at serving time.
  for (const v of parsed.variants) {
    if (v.holdout && v.settings && Object.keys(v.settings).length) throw new Error(`variant ${v.id}: a holdout shows no recommendations, so it takes no settings`);
    if (v.settings) parseSettingsOverride({ placements: { [parsed.placement]: v.settings } }, `variants.${v.id}.settings`);
  }
  if (parsed.endAt && parsed.startAt && parsed.endAt <= parsed.startAt) throw new Error("endAt must be after startAt");
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
export async function setExperimentStatus(shop: string, id: string, status: "running" | "paused" | "stopped", now = systemClock.now()): Promise<ExperimentRow> {
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
  await prisma().experiment.updateMany({ where: { shop, id }, data: { winner: variant, updatedAt: systemClock.now() } });
}

/** Experiments with status running, whatever their window (the snapshot checks start and end per request). */
export function runningExperimentRows(shop: string): ExperimentRow[] {
  const rows = rawDb()
    .prepare(`SELECT * FROM Experiment WHERE shop = ? AND status = 'running'`)
    .all(shop) as ({ variants: string; status: string; startAt: string | number | null; endAt: string | number | null; createdAt: string | number } & Record<string, unknown>)[];
  return rows.map((r) => ({ ...toRow(r), startAt: r.startAt != null ? new Date(r.startAt) : null, endAt: r.endAt != null ? new Date(r.endAt) : null, createdAt: new Date(r.createdAt) }));
}

/** Running experiments of a shop whose window includes `now` (the serving snapshot reads this). */
export function runningExperiments(shop: string, now = systemClock.now()): ExperimentRow[] {
  return runningExperimentRows(shop).filter((e) => (!e.startAt || e.startAt <= now) && (!e.endAt || e.endAt > now));
}

/**
 * A cheap fingerprint of the shop's experiments (count and latest change): the serving snapshot
 * compares it every few seconds and reloads its running experiments when it moves, so starting,
 * pausing and stopping take effect without a restart or a snapshot rebuild.
 */
export function experimentsStamp(shop: string): string {
  return JSON.stringify(rawDb().prepare(`SELECT COUNT(*) AS n, MAX(updatedAt) AS v, GROUP_CONCAT(status) AS s FROM Experiment WHERE shop = ?`).get(shop));
}

/** experimentsStamp of many shops in one query (the change watch); the same text per shop. */
export function experimentsStamps(shops: string[]): Map<string, string> {
  const out = new Map<string, string>(shops.map((s) => [s, JSON.stringify({ n: 0, v: null, s: null })]));
  for (let i = 0; i < shops.length; i += 500) {
    const part = shops.slice(i, i + 500);
    const rows = rawDb()
      .prepare(`SELECT shop, COUNT(*) AS n, MAX(updatedAt) AS v, GROUP_CONCAT(status) AS s FROM Experiment WHERE shop IN (${part.map(() => "?").join(", ")}) GROUP BY shop`)
      .all(...part) as { shop: string; n: number; v: string | null; s: string | null }[];
    for (const r of rows) out.set(r.shop, JSON.stringify({ n: r.n, v: r.v, s: r.s }));
  }
  return out;
}

/** Records the first variant a shopper saw; later calls keep the first (sticky). */
export function recordExposure(shop: string, experimentId: string, shopper: string, variant: string, at = systemClock.now()): void {
  rawDb()
    .prepare(`INSERT INTO ExperimentExposure (shop, experimentId, shopper, variant, firstSeenAt) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
    .run(shop, experimentId, shopper, variant, at.toISOString());
}

/** Records many first exposures in one transaction (the serving path buffers them). */
export function recordExposures(rows: { shop: string; experimentId: string; shopper: string; variant: string; at: Date }[]): void {
  if (!rows.length) return;
  const db = rawDb();
  const stmt = db.prepare(`INSERT INTO ExperimentExposure (shop, experimentId, shopper, variant, firstSeenAt) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`);
  db.transaction(() => {
    for (const r of rows) stmt.run(r.shop, r.experimentId, r.shopper, r.variant, r.at.toISOString());
  })();
}

export const ATTRIBUTION_DAYS_KEY = "experiments.attributionDays";

/**
 * The attribution window in days (Setting "experiments.attributionDays", default 7): an order line
 * counts for a recommendation when the shopper clicked that product in a list at most this long before.
 */
export function attributionDays(shop: string): number {
  const r = settingRow(shop, ATTRIBUTION_DAYS_KEY);
  const n = r ? Number(JSON.parse(r.value)) : NaN;
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_ATTRIBUTION_WINDOW_DAYS;
}

export function setAttributionDays(shop: string, days: number): void {
  if (!(Number.isFinite(days) && days > 0 && days <= 90)) throw new Error(`the attribution window must be 1-90 days (got ${days})`);
  writeSetting(shop, ATTRIBUTION_DAYS_KEY, days);
}

/** Adds block events to the daily aggregate of their placement and variant. */
export function addDailyEvents(
  shop: string,
  rows: { day: string; placement: string; experimentId?: string; variant?: string; impressions?: number; clicks?: number; addToCarts?: number }[],
): void {
  const db = rawDb();
  const stmt = db.prepare(
    `INSERT INTO RecEventDaily (shop, day, placement, experimentId, variant, impressions, clicks, addToCarts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(shop, day, placement, experimentId, variant) DO UPDATE SET impressions = RecEventDaily.impressions + excluded.impressions,
       clicks = RecEventDaily.clicks + excluded.clicks, addToCarts = RecEventDaily.addToCarts + excluded.addToCarts`,
  );
  db.transaction(() => {
    for (const r of rows) stmt.run(shop, r.day, r.placement, r.experimentId ?? "", r.variant ?? "", r.impressions ?? 0, r.clicks ?? 0, r.addToCarts ?? 0);
  })();
}

export interface ExperimentData {
  exposures: { shopper: string; variant: string; firstSeenAt: number }[];
  daily: { variant: string; impressions: number; clicks: number; addToCarts: number }[];
  clicks: { shopper: string; productId: string; recommendationId: string; placement: string; experimentId: string | null; variant: string | null; at: number }[];
  orderLines: { orderId: string; lineId: string; shopper: string; productId: string; quantity: number; revenue: number; at: number; cancelled: boolean }[];
}

/** Anonymous client ids -> the customers they were linked to (ClientLink). */
function shopperResolver(shop: string): (s: string) => string {
  const links = new Map((rawDb().prepare(`SELECT clientId, customerId FROM ClientLink WHERE shop = ?`).all(shop) as { clientId: string; customerId: string }[]).map((r) => [r.clientId, r.customerId]));
  return (s: string) => links.get(s) ?? s;
}

/**
 * Recommendation clicks (of one placement, or all) since `from`, shoppers resolved to customers.
 * A click's shopper is its customer id, else its anonymous client id.
 */
export function recommendationClicks(shop: string, from: Date, placement?: string): ExperimentData["clicks"] {
  const who = shopperResolver(shop);
  const rows = rawDb()
    .prepare(
      `SELECT COALESCE(customerId, clientId) AS shopper, productId, recommendationId, placement, experimentId, variant, at FROM RecommendationEvent
       WHERE shop = ? AND type = 'click' AND at >= ?${placement ? " AND placement = ?" : ""}`,
    )
    .all(shop, storedTime(from), ...(placement ? [placement] : [])) as { shopper: string | null; productId: string; recommendationId: string; placement: string; experimentId: string | null; variant: string | null; at: string | number }[];
  return rows.filter((r) => r.shopper).map((r) => ({ ...r, shopper: who(r.shopper!), at: new Date(r.at).getTime() }));
}

/**
 * Order lines of known customers since `from`. Refunds are already in the rows: refunds/create
 * (app/models/sync.server.ts applyRefund) lowers a line's quantity and final price, removes a fully
 * refunded line and marks a fully refunded order "returned"; cancelled and returned orders count as
 * cancelled (no revenue). Repeated webhook deliveries rewrite the same rows (one line id each).
 */
export function customerOrderLines(shop: string, from: Date): ExperimentData["orderLines"] {
  return (rawDb()
    .prepare(
      `SELECT o.id AS orderId, i.id AS lineId, o.customerId AS shopper, i.productId, i.quantity, COALESCE(i.finalPrice, i.unitPrice * i.quantity) AS revenue,
              o.orderDate AS at, o.status
       FROM OrderItem i JOIN "Order" o ON o.shop = i.shop AND o.id = i.orderId
       WHERE i.shop = ? AND o.customerId IS NOT NULL AND o.orderDate >= ?`,
    )
    .all(shop, storedTime(from)) as { orderId: string; lineId: string; shopper: string; productId: string; quantity: number; revenue: number; at: string | number; status: string }[]).map(({ status, ...r }) => ({
    ...r,
    at: new Date(r.at).getTime(),
    cancelled: status === "cancelled" || status === "returned",
  }));
}

/** Block totals (impressions, clicks, add-to-carts) since `fromDay` (YYYY-MM-DD), from the daily aggregates. */
export function blockTotals(shop: string, fromDay: string): { impressions: number; clicks: number; addToCarts: number } {
  const r = rawDb()
    .prepare(`SELECT COALESCE(SUM(impressions), 0) AS impressions, COALESCE(SUM(clicks), 0) AS clicks, COALESCE(SUM(addToCarts), 0) AS addToCarts FROM RecEventDaily WHERE shop = ? AND day >= ?`)
    .get(shop, fromDay) as { impressions: number; clicks: number; addToCarts: number };
  return r;
}

/**
 * How DateTime columns compare in SQL: Prisma's SQLite adapter and the raw writers both store ISO
 * strings, so a bound ISO string compares in time order.
 */
function storedTime(d: Date): string {
  return d.toISOString();
}

/**
 * Everything a results report needs, with anonymous client ids resolved to the customers they
 * were linked to (ClientLink), so a click before logging in still meets the order after it.
 */
export function experimentData(shop: string, exp: ExperimentRow): ExperimentData {
  const db = rawDb();
  const from = exp.startAt ?? exp.createdAt;
  const who = shopperResolver(shop);
  const exposures = (db.prepare(`SELECT shopper, variant, firstSeenAt FROM ExperimentExposure WHERE shop = ? AND experimentId = ?`).all(shop, exp.id) as { shopper: string; variant: string; firstSeenAt: string }[]).map((r) => ({
    shopper: who(r.shopper),
    variant: r.variant,
    firstSeenAt: Date.parse(r.firstSeenAt),
  }));
  const daily = db
    .prepare(`SELECT variant, SUM(impressions) AS impressions, SUM(clicks) AS clicks, SUM(addToCarts) AS addToCarts FROM RecEventDaily WHERE shop = ? AND experimentId = ? GROUP BY variant`)
    .all(shop, exp.id) as ExperimentData["daily"];
  return { exposures, daily, clicks: recommendationClicks(shop, from, exp.placement), orderLines: customerOrderLines(shop, from) };
}
