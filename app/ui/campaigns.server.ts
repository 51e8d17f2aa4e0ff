/**
 * The campaigns page's loader, actions and the export download (shared by /app and /demo): read
 * the form, call app/campaigns/campaigns.server.ts, return serialisable data. Pictures go through
 * imageSrc (the same /media route the preview page uses), prices through the shop's format.
 */
import crypto from "node:crypto";
import { buildCampaign, deleteCampaign, exportCampaign, getCampaign, listCampaigns, runCampaign, saveCampaign, type CampaignRow, type CampaignSpec } from "../campaigns/campaigns.server";
import type { CampaignPreviewResult } from "../jobs/campaignPreview.server";
import { consentingGroups, newestProductDates } from "../models/campaign.server";
import { jobRunOf } from "../models/jobRun.server";
import { loadShopSettings } from "../models/settings.server";
import { shopLocale } from "../models/storefrontShop.server";
import { queue } from "../queues/index.server";
import { CAMPAIGN_KINDS, DEFAULT_CAMPAIGN_DAYS, DEFAULT_CAMPAIGN_K, parseCampaignSpec } from "../recommend/campaigns";
import { parseSegmentFilter } from "../serving/batch.server";
import { formatPrice } from "../storefront/fragment.server";
import { imageSrc } from "../serving/images.server";
import type { CampaignActionResult, CampaignPreview, CampaignPreviewJob, CampaignsData, CampaignSummary } from "./CampaignsPage";
import { systemClock } from "../clock";

/** Recipients drawn in the preview (the counts and the downloads cover all of them). */
export const PREVIEW_RECIPIENTS = 8;

function summary(c: CampaignRow): CampaignSummary {
  return {
    id: c.id,
    name: c.name,
    kind: c.spec.kind,
    segment: c.spec.segment ?? null,
    days: c.spec.days ?? DEFAULT_CAMPAIGN_DAYS,
    k: c.spec.k ?? DEFAULT_CAMPAIGN_K,
    schedule: c.schedule,
    lastRunAt: c.lastRunAt ? new Date(c.lastRunAt).toISOString() : null,
    lastExport: c.lastExport,
    createdAt: new Date(c.createdAt).toISOString(),
  };
}

const DAY_MS = 86_400_000;
/** New products the suggested "days" should take in (so the first preview has something to show). */
const SUGGESTED_NEW_PRODUCTS = 12;

/**
 * The builder's first values, from the shop's data: the customer group and gender with the most
 * customers who agreed to marketing emails, and enough days back to take in the newest products
 * (at most the shop's newArrivalDays, beyond which no product counts as new).
 */
export function suggestedCampaign(shop: string, now: Date): CampaignsData["defaults"] {
  const group = consentingGroups(shop)[0] ?? null;
  const newest = newestProductDates(shop, SUGGESTED_NEW_PRODUCTS);
  const limit = loadShopSettings(shop).global.newArrivalDays;
  const oldest = newest.filter((d) => d.getTime() <= now.getTime()).at(-1);
  const needed = oldest ? Math.ceil((now.getTime() - oldest.getTime()) / DAY_MS) : DEFAULT_CAMPAIGN_DAYS;
  return {
    days: Math.max(1, Math.min(limit, Math.max(DEFAULT_CAMPAIGN_DAYS, needed))),
    k: DEFAULT_CAMPAIGN_K,
    segment: group ? `segment=${group.segment};gender=${group.gender}` : "",
    group: group ? { segment: group.segment, gender: group.gender, customers: group.customers } : null,
  };
}

/** The page's data; `?previewJob=<id>` adds that preview job's progress (and, once done, its preview). */
export async function campaignsData(shop: string, url?: URL, now = systemClock.now()): Promise<CampaignsData> {
  const jobId = url?.searchParams.get("previewJob") ?? null;
  return { campaigns: (await listCampaigns(shop)).map(summary), defaults: suggestedCampaign(shop, now), previewJob: jobId ? await previewJob(shop, jobId) : null };
}

/** A preview job's state as the page polls it. */
export async function previewJob(shop: string, id: string): Promise<CampaignPreviewJob | null> {
  const row = await jobRunOf(shop, id);
  if (!row || row.name !== "campaignPreview") return null;
  let done: CampaignPreviewResult | null = null;
  if (row.status === "completed" && row.result) done = JSON.parse(row.result) as CampaignPreviewResult;
  return {
    id: row.id,
    status: row.status,
    progress: row.progress,
    message: row.message,
    error: row.error,
    preview: done ? preview(shop, done) : null,
  };
}

function text(form: FormData | URLSearchParams, field: string): string {
  return String(form.get(field) ?? "").trim();
}

function intField(form: FormData | URLSearchParams, field: string, label: string): number | undefined {
  const raw = text(form, field);
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`${label}: "${raw}" is not a whole number; enter one (or leave it empty for the default).`);
  return n;
}

/** kind, segment, days, k from the builder form (or the export link's query), validated by the backend's schema. */
export function specFromForm(form: FormData | URLSearchParams): CampaignSpec {
  const kind = text(form, "kind");
  if (!(CAMPAIGN_KINDS as readonly string[]).includes(kind)) throw new Error(`Campaign type: choose one of ${CAMPAIGN_KINDS.join(", ")}.`);
  const segment = text(form, "segment");
  const spec = { kind, segment: segment || undefined, days: intField(form, "days", "Days"), k: intField(form, "k", "Products per customer") };
  return parseCampaignSpec(spec);
}

/** The export links' query for a spec (so an unsaved preview can be downloaded too). */
export function specQuery(spec: CampaignSpec): string {
  const q = new URLSearchParams({ kind: spec.kind });
  if (spec.segment) q.set("segment", spec.segment);
  if (spec.days) q.set("days", String(spec.days));
  if (spec.k) q.set("k", String(spec.k));
  return q.toString();
}

function preview(shop: string, result: CampaignPreviewResult): CampaignPreview {
  const loc = shopLocale(shop);
  return {
    campaignId: result.campaignId,
    name: result.name,
    spec: result.spec,
    generatedAt: result.generatedAt,
    total: result.total,
    products: result.products,
    skipped: result.skipped,
    query: specQuery(result.spec),
    recipients: result.recipients.slice(0, PREVIEW_RECIPIENTS).map((r) => ({
      customerId: r.customerId,
      emailHash: r.emailHash,
      products: r.products.map((p) => ({ id: p.id, title: p.title, image: imageSrc(shop, p.id, p.image), price: formatPrice(p.price, p.currency, loc.locale), url: p.url, reasons: p.reasons })),
    })),
  };
}

// The form's own checks (name, segment filter, schedule) say what to fix in English; the page puts the catalogue's title above.
const fail = (e: unknown): CampaignActionResult => ({ ok: false, message: (e as Error).message, key: "camp.msg.failed", vars: { detail: (e as Error).message } });

/** intent = preview (the form's spec, or a saved campaign's with id), save, run (id) or delete (id). */
export async function campaignsAction(shop: string, form: FormData, now = systemClock.now()): Promise<CampaignActionResult> {
  const intent = text(form, "intent");
  const id = text(form, "id");
  try {
    if (intent === "preview") {
      const saved = id ? await getCampaign(shop, id) : null;
      if (id && !saved) return { ok: false, message: `No campaign ${id} in this shop.`, key: "camp.msg.missing", vars: { id } };
      const spec = saved ? saved.spec : specFromForm(form);
      if (spec.segment) parseSegmentFilter(spec.segment); // a bad filter is said at once, not by a failed job
      // Ranking every customer of a big segment takes seconds: a job builds it, the page shows its progress.
      const job = await (await queue()).enqueue(
        "campaignPreview",
        { shop, spec, sample: PREVIEW_RECIPIENTS, campaignId: saved?.id, name: saved?.name, now: now.toISOString() },
        { jobId: `campaignPreview-${crypto.randomBytes(6).toString("hex")}`, attempts: 1 },
      );
      return { ok: true, message: "", previewJob: job.id };
    }
    if (intent === "save") {
      const row = await saveCampaign(shop, { name: text(form, "name"), spec: specFromForm(form), schedule: text(form, "schedule") || null });
      return {
        ok: true,
        message: `Campaign "${row.name}" saved${row.schedule ? `; it runs ${row.schedule} and writes its export each time` : ""}.`,
        key: row.schedule ? `camp.msg.saved.${row.schedule}` : "camp.msg.saved",
        vars: { name: row.name },
      };
    }
    if (intent === "run") {
      const run = await runCampaign(shop, id, now);
      return {
        ok: true,
        message: `Built ${run.recipients} recipients (skipped: ${run.skipped.noConsent} without consent, ${run.skipped.outsideSegment} outside the segment, ${run.skipped.noProducts} without products). Export written to ${run.path} and ${run.csvPath}.`,
        key: "camp.msg.built",
        vars: { recipients: run.recipients, noConsent: run.skipped.noConsent, outside: run.skipped.outsideSegment, noProducts: run.skipped.noProducts, json: run.path, csv: run.csvPath },
      };
    }
    if (intent === "delete") {
      return (await deleteCampaign(shop, id)) ? { ok: true, message: "Campaign deleted.", key: "camp.msg.deleted" } : { ok: false, message: `No campaign ${id} in this shop.`, key: "camp.msg.missing", vars: { id } };
    }
    return { ok: false, message: `Unknown action "${intent}".`, key: "camp.msg.unknown" };
  } catch (e) {
    return fail(e);
  }
}

/**
 * The export download: a saved campaign (id) or, with id "new", the spec in the query. Built fresh
 * at request time; `format` is csv (one line per recipient and product) or json.
 */
export async function campaignExport(shop: string, id: string, url: URL, now = systemClock.now()): Promise<Response> {
  const format = url.searchParams.get("format") ?? "csv";
  if (format !== "csv" && format !== "json") return new Response(`format must be csv or json (got "${format}")`, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  let spec: CampaignSpec;
  let base: string;
  if (id === "new") {
    try {
      spec = specFromForm(url.searchParams);
    } catch (e) {
      return new Response((e as Error).message, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    }
    base = `campaign-${spec.kind}`;
  } else {
    const row = await getCampaign(shop, id);
    if (!row) return new Response(`No campaign ${id} in this shop.`, { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    spec = row.spec;
    base = `${row.id}-${row.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "")}`;
  }
  const body = exportCampaign(await buildCampaign(shop, spec, now), format);
  const file = `${base}-${now.toISOString().slice(0, 10)}.${format}`;
  return new Response(body, {
    headers: {
      "Content-Type": format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${file}"`,
      "Cache-Control": "no-store",
    },
  });
}
