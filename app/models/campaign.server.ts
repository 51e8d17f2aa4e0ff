/**
 * Rows behind email campaigns: campaign definitions (Campaign), the checkouts Shopify reports
 * (AbandonedCheckout, from checkouts/create and checkouts/update; orders/create completes them), and
 * the customers' email hashes. The campaigns themselves are built in app/campaigns/.
 */
import crypto from "node:crypto";
import { prisma, rawDb } from "../db.server";
import { parseCampaignSpec, parseSchedule, type CampaignSchedule, type CampaignSpec } from "../recommend/campaigns";

export interface CampaignRow {
  id: string;
  shop: string;
  name: string;
  spec: CampaignSpec;
  schedule: CampaignSchedule;
  lastRunAt: Date | null;
  lastExport: string | null;
  createdAt: Date;
}

function toRow(r: { id: string; shop: string; name: string; spec: string; schedule: string | null; lastRunAt: Date | null; lastExport: string | null; createdAt: Date }): CampaignRow {
  return { ...r, spec: parseCampaignSpec(JSON.parse(r.spec), `campaign ${r.id}`), schedule: parseSchedule(r.schedule) };
}

/** Creates a campaign, or updates it when `input.id` names an existing one of the shop. */
export async function upsertCampaignRow(shop: string, input: { id?: string; name: string; spec: CampaignSpec; schedule: CampaignSchedule }): Promise<CampaignRow> {
  const data = { name: input.name, spec: JSON.stringify(input.spec), schedule: input.schedule };
  if (input.id) {
    const existing = await prisma().campaign.findFirst({ where: { shop, id: input.id } });
    if (!existing) throw new Error(`no campaign ${input.id} in ${shop}`);
    return toRow(await prisma().campaign.update({ where: { id: input.id }, data }));
  }
  return toRow(await prisma().campaign.create({ data: { id: `cmp_${crypto.randomUUID().slice(0, 8)}`, shop, ...data } }));
}

export async function campaignRows(shop: string): Promise<CampaignRow[]> {
  return (await prisma().campaign.findMany({ where: { shop }, orderBy: { createdAt: "desc" } })).map(toRow);
}

export async function campaignRow(shop: string, id: string): Promise<CampaignRow | null> {
  const r = await prisma().campaign.findFirst({ where: { shop, id } });
  return r ? toRow(r) : null;
}

export async function deleteCampaignRow(shop: string, id: string): Promise<boolean> {
  return (await prisma().campaign.deleteMany({ where: { shop, id } })).count > 0;
}

/** Every scheduled campaign of every shop (the scheduler registers them; `campaign run --due` runs the due ones). */
export async function scheduledCampaigns(shop?: string): Promise<CampaignRow[]> {
  return (await prisma().campaign.findMany({ where: { schedule: { not: null }, ...(shop ? { shop } : {}) } })).map(toRow);
}

export async function markCampaignRun(shop: string, id: string, at: Date, exportPath: string): Promise<void> {
  await prisma().campaign.updateMany({ where: { shop, id }, data: { lastRunAt: at, lastExport: exportPath } });
}

// ---------------------------------------------------------------- email hashes

const sha256 = (s: string) => crypto.createHash("sha256").update(s.trim().toLowerCase()).digest("hex");

/**
 * Email hashes per customer: the stored hash (imports carry hashed emails), else the sha256 of the
 * synced email (trimmed, lower-cased: the form email tools match on).
 */
export function customerEmailHashes(shop: string): Map<string, string> {
  const rows = rawDb().prepare(`SELECT id, email, emailHash FROM Customer WHERE shop = ?`).all(shop) as { id: string; email: string | null; emailHash: string | null }[];
  const out = new Map<string, string>();
  for (const r of rows) {
    const h = r.emailHash ?? (r.email && r.email.includes("@") ? sha256(r.email) : r.email);
    if (h) out.set(r.id, h);
  }
  return out;
}

// ---------------------------------------------------------------- checkouts

export interface CheckoutInput {
  checkoutId: string;
  customerId: string | null;
  productIds: string[];
  updatedAt: Date;
  completedAt: Date | null;
}

/**
 * checkouts/create and checkouts/update: order-safe (an older update never overwrites a newer one),
 * and a completed checkout stays completed.
 */
export function upsertCheckout(shop: string, c: CheckoutInput): "applied" | "stale" {
  const changed = rawDb()
    .prepare(
      `INSERT INTO AbandonedCheckout (shop, checkoutId, customerId, productIds, updatedAt, completedAt) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(shop, checkoutId) DO UPDATE SET customerId = COALESCE(excluded.customerId, AbandonedCheckout.customerId), productIds = excluded.productIds,
         updatedAt = excluded.updatedAt, completedAt = COALESCE(AbandonedCheckout.completedAt, excluded.completedAt)
       WHERE excluded.updatedAt >= AbandonedCheckout.updatedAt`,
    )
    .run(shop, c.checkoutId, c.customerId, c.productIds.join(","), c.updatedAt.toISOString(), c.completedAt?.toISOString() ?? null).changes;
  return changed ? "applied" : "stale";
}

/**
 * orders/create: the order's checkout (by checkout id, else the customer's open checkouts updated
 * before the order) is completed, so no "Complete your look" goes to a shopper who bought.
 */
export function completeCheckouts(shop: string, o: { checkoutId: string | null; customerId: string | null; at: Date }): number {
  const db = rawDb();
  let n = 0;
  if (o.checkoutId) n += db.prepare(`UPDATE AbandonedCheckout SET completedAt = ? WHERE shop = ? AND checkoutId = ? AND completedAt IS NULL`).run(o.at.toISOString(), shop, o.checkoutId).changes;
  if (o.customerId) {
    n += db
      .prepare(`UPDATE AbandonedCheckout SET completedAt = ? WHERE shop = ? AND customerId = ? AND completedAt IS NULL AND updatedAt <= ?`)
      .run(o.at.toISOString(), shop, o.customerId, o.at.toISOString()).changes;
  }
  return n;
}

export interface OpenCheckout {
  checkoutId: string;
  customerId: string;
  productIds: string[];
  updatedAt: Date;
}

/**
 * Checkouts of known customers, not completed, last updated between `from` and `until` (a checkout
 * counts as abandoned once it has been idle for a while), newest first.
 */
export function abandonedCheckouts(shop: string, from: Date, until: Date): OpenCheckout[] {
  const rows = rawDb()
    .prepare(
      `SELECT checkoutId, customerId, productIds, updatedAt FROM AbandonedCheckout
       WHERE shop = ? AND completedAt IS NULL AND customerId IS NOT NULL AND updatedAt >= ? AND updatedAt <= ? ORDER BY updatedAt DESC`,
    )
    .all(shop, from.toISOString(), until.toISOString()) as { checkoutId: string; customerId: string; productIds: string; updatedAt: string }[];
  return rows.map((r) => ({ checkoutId: r.checkoutId, customerId: r.customerId, productIds: r.productIds.split(",").filter(Boolean), updatedAt: new Date(r.updatedAt) }));
}

/** Customers with marketing consent per customer group and gender, largest first (the campaign builder's suggested segment). */
export function consentingGroups(shop: string): { segment: string; gender: string; customers: number }[] {
  return (rawDb()
    .prepare(
      `SELECT segment, gender, COUNT(*) AS customers FROM Customer
       WHERE shop = ? AND "marketingConsent" = TRUE AND segment IS NOT NULL AND gender IS NOT NULL
       GROUP BY segment, gender ORDER BY COUNT(*) DESC, segment, gender`,
    )
    .all(shop) as { segment: string; gender: string; customers: number | string }[]).map((r) => ({ ...r, customers: Number(r.customers) }));
}

/** Creation dates of the shop's newest products (live ones), newest first. */
export function newestProductDates(shop: string, take: number): Date[] {
  return (rawDb()
    .prepare(`SELECT "createdDate" AS d FROM Product WHERE shop = ? AND "deletedAt" IS NULL AND "createdDate" IS NOT NULL ORDER BY "createdDate" DESC LIMIT ?`)
    .all(shop, take) as { d: string | Date }[]).map((r) => new Date(r.d));
}
