/**
 * Email campaigns (SEED use cases 3 and 4): definitions, building a campaign's recipient lists
 * through the serving snapshot's `respond` (the same ranking as the API), exports for an email tool,
 * and runs that write the exports under `${dataDir()}/exports/<shop>/`.
 *
 * - new-arrivals: every customer of the segment with marketing consent gets the email placement's
 *   list (50 % demographic + 50 % visual similarity to past purchases; the placement is restricted
 *   to new products), kept to products created in the last `days` days. The placement's own pool
 *   is the products created within global.newArrivalDays (default 60): a `days` above that finds no
 *   older products.
 * - complete-your-look: every customer with an abandoned checkout (not completed, idle for at least
 *   ABANDONED_AFTER_MS, updated in the last `days` days; their newest one) gets the cart placement's
 *   list from the checkout's products (80 % visual + 20 % cross-sell), the checkout's products
 *   themselves excluded by the cart rules.
 * Customers without marketing consent (false or unknown) are never included.
 */
import fs from "node:fs";
import path from "node:path";
import { dataDir, env } from "../env.server";
import { abandonedCheckouts, campaignRow, campaignRows, customerEmailHashes, deleteCampaignRow, markCampaignRun, scheduledCampaigns, upsertCampaignRow, type CampaignRow } from "../models/campaign.server";
import { shopLocale } from "../models/storefrontShop.server";
import { imageSrc } from "../serving/images.server";
import {
  campaignCsv,
  campaignJson,
  DEFAULT_CAMPAIGN_DAYS,
  DEFAULT_CAMPAIGN_K,
  isDue,
  parseCampaignSpec,
  parseSchedule,
  scheduleEveryMs,
  type CampaignProduct,
  type CampaignRecipient,
  type CampaignResult,
  type CampaignSpec,
} from "../recommend/campaigns";
import type { CustomerProfile, Placement } from "../recommend/types";
import { matchesSegment, parseSegmentFilter, type SegmentFilter } from "../serving/batch.server";
import { MAX_LIMIT, respond } from "../serving/recommend.server";
import { getSnapshot, type Snapshot } from "../serving/snapshot.server";
import { systemClock } from "../clock";
import { recordExportFile } from "../models/exportFile.server";

export type { CampaignResult, CampaignSpec, CampaignSchedule } from "../recommend/campaigns";
export type { CampaignRow } from "../models/campaign.server";

const DAY_MS = 86_400_000;
/** A checkout idle this long without an order counts as abandoned. */
export const ABANDONED_AFTER_MS = 60 * 60 * 1000;

// ---------------------------------------------------------------- definitions

export interface CampaignInput {
  /** Given: updates that campaign; absent: creates one. */
  id?: string;
  name: string;
  spec: unknown;
  /** "daily" | "weekly" | null (run by hand). */
  schedule?: string | null;
}

/** Validates and stores a campaign; with REDIS_URL its repeatable job is registered (or removed). */
export async function saveCampaign(shop: string, input: CampaignInput): Promise<CampaignRow> {
  const name = String(input.name ?? "").trim();
  if (!name || name.length > 120) throw new Error("a campaign needs a name (1-120 characters)");
  const spec = parseCampaignSpec(input.spec);
  if (spec.segment) parseSegmentFilter(spec.segment); // a bad filter fails now, not at the first run
  const row = await upsertCampaignRow(shop, { id: input.id, name, spec, schedule: parseSchedule(input.schedule) });
  await syncCampaignScheduler(row).catch((e) => console.error(`[campaigns] ${shop}: scheduling ${row.id} failed: ${(e as Error).message}`));
  return row;
}

export async function listCampaigns(shop: string): Promise<CampaignRow[]> {
  return campaignRows(shop);
}

export async function getCampaign(shop: string, id: string): Promise<CampaignRow | null> {
  return campaignRow(shop, id);
}

export async function deleteCampaign(shop: string, id: string): Promise<boolean> {
  const row = await campaignRow(shop, id);
  if (!row) return false;
  await syncCampaignScheduler({ ...row, schedule: null }).catch(() => undefined);
  return deleteCampaignRow(shop, id);
}

// ---------------------------------------------------------------- building

interface BuildContext {
  snapshot: Snapshot;
  spec: Required<Pick<CampaignSpec, "days" | "k">> & CampaignSpec;
  segment: SegmentFilter | null;
  hashes: Map<string, string>;
  locale: "de" | "en";
  now: number;
}

/** How far a build is: customers looked at, of how many. */
export type BuildProgress = (done: number, total: number) => Promise<void> | void;

/** Customers between progress reports; the build also yields to the event loop there (the server keeps answering). */
const PROGRESS_EVERY = 200;

async function step(i: number, total: number, onProgress?: BuildProgress): Promise<void> {
  if (i % PROGRESS_EVERY !== 0 || i === 0) return;
  await onProgress?.(i, total);
  await new Promise((r) => setImmediate(r));
}

/** Builds a campaign's recipients at `now` (nothing is written); `onProgress` hears every few hundred customers. */
export async function buildCampaign(shop: string, specInput: CampaignSpec, now: Date = systemClock.now(), onProgress?: BuildProgress): Promise<CampaignResult> {
  const spec = parseCampaignSpec(specInput);
  const t = now.getTime();
  const snapshot = await getSnapshot(shop, t);
  const ctx: BuildContext = {
    snapshot,
    spec: { ...spec, days: spec.days ?? DEFAULT_CAMPAIGN_DAYS, k: spec.k ?? DEFAULT_CAMPAIGN_K },
    segment: spec.segment ? parseSegmentFilter(spec.segment) : null,
    hashes: customerEmailHashes(shop),
    locale: shopLocale(shop).locale.toLowerCase().startsWith("de") ? "de" : "en",
    now: t,
  };
  const result: CampaignResult = { spec, generatedAt: now.toISOString(), recipients: [], skipped: { noConsent: 0, noProducts: 0, outsideSegment: 0 } };
  if (spec.kind === "new-arrivals") await buildNewArrivals(ctx, result, onProgress);
  else await buildCompleteYourLook(ctx, result, onProgress);
  return result;
}

/** Segment first, then consent (the batch's order), so the counts say why each customer is out. */
function admit(ctx: BuildContext, profile: CustomerProfile | undefined, result: CampaignResult): boolean {
  if (ctx.segment && !matchesSegment(profile, ctx.segment)) {
    result.skipped.outsideSegment++;
    return false;
  }
  if (profile?.marketingConsent !== true) {
    result.skipped.noConsent++;
    return false;
  }
  return true;
}

async function buildNewArrivals(ctx: BuildContext, result: CampaignResult, onProgress?: BuildProgress): Promise<void> {
  const w = ctx.snapshot.world;
  // "New" counted back from the shop's time, as the new-arrivals source does (sources/common.ts
  // shopTime; issue 14 point 2): the build's time, but never past the shop's latest event or
  // product. A live shop's is about now; an imported history is read at its own last day instead
  // of having no new arrivals at all.
  const at = Math.min(ctx.now, w.dataNow);
  const newFrom = at - ctx.spec.days * DAY_MS;
  const isNew = (id: string) => {
    const i = w.catalog.index.get(id);
    const created = i === undefined ? NaN : w.catalog.createdAt[i];
    return created >= newFrom && created <= at;
  };
  const ask = Math.min(MAX_LIMIT, Math.max(ctx.spec.k * 4, 24)); // room for the fill's older products we drop
  const ids = w.customerIds;
  for (let i = 0; i < ids.length; i++) {
    await step(i, ids.length, onProgress);
    const id = ids[i];
    if (!admit(ctx, w.profiles.get(id), result)) continue;
    const products = list(ctx, "email", { customerId: id }, ask).filter((p) => isNew(p.id)).slice(0, ctx.spec.k);
    addRecipient(ctx, result, id, products);
  }
}

async function buildCompleteYourLook(ctx: BuildContext, result: CampaignResult, onProgress?: BuildProgress): Promise<void> {
  const w = ctx.snapshot.world;
  const checkouts = abandonedCheckouts(ctx.snapshot.shop, new Date(ctx.now - ctx.spec.days * DAY_MS), new Date(ctx.now - ABANDONED_AFTER_MS));
  const seen = new Set<string>();
  for (let i = 0; i < checkouts.length; i++) {
    await step(i, checkouts.length, onProgress);
    const c = checkouts[i];
    if (seen.has(c.customerId)) continue; // newest checkout per customer (the list is newest first)
    seen.add(c.customerId);
    if (!admit(ctx, w.profiles.get(c.customerId), result)) continue;
    const cart = c.productIds.filter((id) => w.catalog.index.has(id));
    const products = cart.length ? list(ctx, "cart", { customerId: c.customerId, cart }, ctx.spec.k) : [];
    addRecipient(ctx, result, c.customerId, products);
  }
}

function list(ctx: BuildContext, placement: Placement, who: { customerId: string; cart?: string[] }, limit: number): CampaignProduct[] {
  const shop = ctx.snapshot.shop;
  const res = respond(ctx.snapshot, { shop, placement, customerId: who.customerId, cart: who.cart, limit, locale: ctx.locale, now: ctx.now, experiments: false }, "campaign");
  return res.products.map((p) => ({
    id: p.id,
    title: p.title,
    // CDN URLs as they are; a local picture (an imported shop) through the app's /media route.
    image: imageSrc(shop, p.id, p.image) ?? "",
    price: p.price,
    currency: p.currency,
    url: `https://${shop}/products/${encodeURIComponent(p.handle ?? p.id)}`,
    reasons: p.reasons,
  }));
}

function addRecipient(ctx: BuildContext, result: CampaignResult, customerId: string, products: CampaignProduct[]): void {
  if (products.length === 0) {
    result.skipped.noProducts++;
    return;
  }
  const r: CampaignRecipient = { customerId, emailHash: ctx.hashes.get(customerId) ?? null, products };
  result.recipients.push(r);
}

// ---------------------------------------------------------------- exports and runs

export function exportCampaign(result: CampaignResult, format: "csv" | "json"): string {
  if (format === "csv") return campaignCsv(result);
  if (format === "json") return campaignJson(result);
  throw new Error(`export format must be csv or json (got ${JSON.stringify(format)})`);
}

export function exportDir(shop: string): string {
  return path.join(dataDir(), "exports", shop);
}

/**
 * Writes a campaign export (recipients: customer ids) atomically, readable by the owner only, and
 * records it in the export registry, so that customers/redact and shop/redact reach it wherever it
 * was written (issue 15 point 7). Every campaign file Facet writes goes through here.
 */
export function writeCampaignExport(shop: string, file: string, text: string, now: Date): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
  recordExportFile(shop, file, "campaign", now);
}

export interface CampaignRun {
  /** The JSON export; the CSV is the same path with .csv. */
  path: string;
  csvPath: string;
  recipients: number;
  skipped: CampaignResult["skipped"];
}

/** Builds a stored campaign and writes `<campaign id>-<time>.json` and `.csv` into the shop's export folder. */
export async function runCampaign(shop: string, id: string, now: Date = systemClock.now()): Promise<CampaignRun> {
  const row = await campaignRow(shop, id);
  if (!row) throw new Error(`no campaign ${id} in ${shop}`);
  const result = await buildCampaign(shop, row.spec, now);
  const base = path.join(exportDir(shop), `${row.id}-${now.toISOString().replace(/[:.]/g, "-")}`);
  writeCampaignExport(shop, `${base}.json`, exportCampaign(result, "json"), now);
  writeCampaignExport(shop, `${base}.csv`, exportCampaign(result, "csv"), now);
  await markCampaignRun(shop, row.id, now, `${base}.json`);
  return { path: `${base}.json`, csvPath: `${base}.csv`, recipients: result.recipients.length, skipped: result.skipped };
}

/** Scheduled campaigns that are due at `now` (in-process scheduling: `facet campaign run --due` from cron). */
export async function dueCampaigns(shop: string | undefined, now: Date = systemClock.now()): Promise<CampaignRow[]> {
  return (await scheduledCampaigns(shop)).filter((c) => isDue(c.schedule, c.lastRunAt?.getTime() ?? null, now.getTime()));
}

// ---------------------------------------------------------------- BullMQ scheduling

const safeId = (s: string) => s.replace(/[^\w.-]/g, "_");
export const campaignSchedulerId = (row: Pick<CampaignRow, "shop" | "id">) => `campaign-${safeId(row.shop)}-${safeId(row.id)}`;

/**
 * With REDIS_URL: registers the campaign's repeatable `campaign` job (BullMQ job scheduler, every
 * day or week), or removes it when the campaign has no schedule. Returns false without Redis.
 */
export async function syncCampaignScheduler(row: Pick<CampaignRow, "shop" | "id" | "schedule">, prefix = env().FACET_QUEUE_PREFIX, redisUrl = env().REDIS_URL): Promise<boolean> {
  if (!redisUrl) return false;
  const { removeRepeatable, upsertRepeatable } = await import("../queues/bullmq.server");
  if (!row.schedule) await removeRepeatable("campaign", campaignSchedulerId(row), prefix, redisUrl);
  else {
    await upsertRepeatable(
      { schedulerId: campaignSchedulerId(row), name: "campaign", everyMs: scheduleEveryMs(row.schedule), data: { shop: row.shop, campaignId: row.id }, attempts: 2, keep: 20 },
      prefix,
      redisUrl,
    );
  }
  return true;
}

/** app/uninstalled: removes the shop's campaign schedulers (saving a campaign registers them again). */
export async function unscheduleCampaigns(shop: string): Promise<number> {
  if (!env().REDIS_URL) return 0;
  let n = 0;
  for (const row of await scheduledCampaigns(shop)) if (await syncCampaignScheduler({ ...row, schedule: null })) n++;
  return n;
}
