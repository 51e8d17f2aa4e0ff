/**
 * Email campaigns against a real temporary database: "New arrivals you'll love" keeps to consenting
 * customers of the segment and to products created in the last N days; "Complete your look" comes
 * from abandoned checkouts (the real checkouts/orders webhook path) and skips completed ones; exports
 * and runs write the documented files, and a customer redaction clears them.
 */
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { rawDb } from "../../app/db.server";
import { dataDir } from "../../app/env.server";
import { applyDelivery } from "../../app/jobs/sync.server";
import { redactCustomer } from "../../app/models/privacy.server";
import { buildCampaign, dueCampaigns, exportCampaign, getCampaign, listCampaigns, runCampaign, saveCampaign } from "../../app/campaigns/campaigns.server";
import { CAMPAIGN_CSV_HEADER, isDue } from "../../app/recommend/campaigns";
import { matchesSegment, parseSegmentFilter } from "../../app/serving/batch.server";
import { respond } from "../../app/serving/recommend.server";
import { getSnapshot } from "../../app/serving/snapshot.server";
import campaignJob from "../../app/jobs/campaign.server";
import previewJob from "../../app/jobs/campaignPreview.server";
import { suggestedCampaign } from "../../app/ui/campaigns.server";
import { seedShop, DAY } from "../experiments/fixtures";

useTempDatabase();
const SHOP = "campaigns.myshopify.com";
const NOW = Date.UTC(2026, 10, 20, 12);
let newProducts: string[] = [];

beforeAll(() => {
  newProducts = seedShop(SHOP, NOW).newProducts;
});

const created = (id: string) => Date.parse((rawDb().prepare(`SELECT createdDate FROM Product WHERE shop = ? AND id = ?`).get(SHOP, id) as { createdDate: string }).createdDate);

describe("segment filters", () => {
  it("parse the semicolon form with lifetime value, and stay compatible with the comma form", () => {
    expect(parseSegmentFilter("segment=vip;gender=female;age=26-35,36-45;country=DE;ltv>=500")).toEqual({ segment: ["vip"], gender: ["female"], ageGroup: ["26-35", "36-45"], country: ["de"], ltvMin: 500 });
    expect(parseSegmentFilter("gender=female,country=AT|CH")).toEqual({ gender: ["female"], country: ["at", "ch"] });
    expect(parseSegmentFilter("age=26-35,36-45,ltv<=1000")).toEqual({ ageGroup: ["26-35", "36-45"], ltvMax: 1000 });
    expect(() => parseSegmentFilter("colour=red")).toThrow(/key=value/);
    expect(() => parseSegmentFilter("age>=30")).toThrow(/only ltv/);
    const f = parseSegmentFilter("segment=vip;ltv>500");
    const p = { id: "x", gender: "female", ageGroup: "26-35", country: "DE", avgOrderValue: null, segment: "VIP", lifetimeValue: 500, optOut: false };
    expect(matchesSegment(p, f)).toBe(false);
    expect(matchesSegment({ ...p, lifetimeValue: 500.01 }, f)).toBe(true);
    expect(matchesSegment({ ...p, lifetimeValue: null }, f)).toBe(false);
  });
});

describe("new arrivals you'll love", () => {
  it("goes only to customers with marketing consent, with products created in the last N days", async () => {
    const r = await buildCampaign(SHOP, { kind: "new-arrivals", days: 5, k: 6 }, new Date(NOW));
    expect(r.skipped.noConsent).toBe(3); // C3, C7, C11
    expect(r.recipients.length).toBeGreaterThan(0);
    expect(r.recipients.length + r.skipped.noProducts).toBe(9);
    const ids = new Set(r.recipients.map((x) => x.customerId));
    for (const c of ["C3", "C7", "C11"]) expect(ids.has(c)).toBe(false);
    const all = r.recipients.flatMap((x) => x.products);
    expect(all.length).toBeGreaterThan(0);
    // New means created within 5 days of the shop's time (its latest event or product, at most NOW).
    const shopTime = Math.min(NOW, (await getSnapshot(SHOP, NOW)).world.dataNow);
    expect(shopTime).toBeGreaterThanOrEqual(NOW - 2 * DAY); // the seeded shop's latest event is 2 days old
    for (const p of all) {
      expect(created(p.id)).toBeGreaterThanOrEqual(shopTime - 5 * DAY);
      expect(p).toMatchObject({ currency: "EUR", url: `https://${SHOP}/products/p-${p.id.slice(1)}` });
      expect(p.image).toMatch(/^https:\/\/img\.example\//);
      expect(p.reasons.length).toBeGreaterThan(0);
    }
    // New products 6-8 days old exist, and a 5-day campaign leaves them out.
    expect(newProducts.some((id) => created(id) < NOW - 5 * DAY)).toBe(true);
    for (const x of r.recipients) {
      expect(x.products.length).toBeLessThanOrEqual(6);
      expect(new Set(x.products.map((p) => p.id)).size).toBe(x.products.length);
      expect(x.emailHash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it("keeps to the segment (VIP women with lifetime value over 500)", async () => {
    const r = await buildCampaign(SHOP, { kind: "new-arrivals", segment: "segment=vip;gender=female;ltv>=500", days: 10 }, new Date(NOW));
    expect(r.recipients.map((x) => x.customerId).sort()).toEqual(["C0", "C4", "C8"]);
    expect(r.skipped).toEqual({ noConsent: 0, noProducts: 0, outsideSegment: 9 });
    expect(r.recipients.every((x) => x.products.length === 6)).toBe(true);
  });
});

function checkoutPayload(id: string, customer: string, products: string[], updatedAt: number) {
  return {
    id,
    token: `tok-${id}`,
    customer: { id: customer },
    line_items: products.map((p, i) => ({ product_id: p, variant_id: `${p}-v`, quantity: 1 + i, price: "10.00" })),
    created_at: new Date(updatedAt - 600_000).toISOString(),
    updated_at: new Date(updatedAt).toISOString(),
    completed_at: null,
  };
}

let delivery = 0;
const deliver = (topic: string, payload: unknown) => applyDelivery({ shop: SHOP, topic, webhookId: `wh-${++delivery}`, payload: JSON.stringify(payload) });

describe("the admin's preview (issue 18 point 7)", () => {
  it("suggests the largest group of consenting customers and days that take in the newest products: its preview has recipients", async () => {
    const d = suggestedCampaign(SHOP, new Date(NOW));
    expect(d.group).not.toBeNull();
    expect(d.segment).toBe(`segment=${d.group!.segment};gender=${d.group!.gender}`);
    expect(d.days).toBeGreaterThanOrEqual(30);
    expect(d.days).toBeLessThanOrEqual(60); // never beyond newArrivalDays
    const r = await buildCampaign(SHOP, { kind: "new-arrivals", segment: d.segment, days: d.days, k: d.k }, new Date(NOW));
    expect(r.recipients.length).toBeGreaterThan(0);
  });

  it("runs as the campaignPreview job: progress, the counts of the whole campaign, the first recipients only", async () => {
    const full = await buildCampaign(SHOP, { kind: "new-arrivals", days: 10 }, new Date(NOW));
    const reports: number[] = [];
    const ctx = { jobId: "t", attempt: 1, progress: (f: number) => void reports.push(f), log: () => undefined };
    const out = await previewJob({ shop: SHOP, spec: { kind: "new-arrivals", days: 10 }, sample: 2, now: new Date(NOW).toISOString() }, ctx);
    expect(out.total).toBe(full.recipients.length);
    expect(out.skipped).toEqual(full.skipped);
    expect(out.recipients).toEqual(full.recipients.slice(0, 2));
    expect(reports[0]).toBe(0);
    expect(reports.at(-1)).toBe(1);
  });
});

describe("complete your look", () => {
  beforeAll(async () => {
    await deliver("checkouts/create", checkoutPayload("K1", "C2", ["P1"], NOW - 3 * DAY));
    await deliver("checkouts/update", checkoutPayload("K1", "C2", ["P1", "P4"], NOW - 2 * DAY)); // the newer cart wins
    await deliver("checkouts/update", checkoutPayload("K1", "C2", ["P1"], NOW - 4 * DAY)); // an older update arriving late: ignored
    await deliver("checkouts/create", checkoutPayload("K2", "C6", ["P2"], NOW - 2 * DAY));
    await deliver("checkouts/create", checkoutPayload("K3", "C3", ["P5"], NOW - 2 * DAY)); // C3: no consent
    await deliver("checkouts/create", checkoutPayload("K4", "C10", ["P8"], NOW - 10 * 60_000)); // still shopping
    // C6 bought: orders/create names the checkout.
    await deliver("orders/create", {
      id: 990001,
      checkout_id: "K2",
      customer: { id: "C6" },
      created_at: new Date(NOW - DAY).toISOString(),
      updated_at: new Date(NOW - DAY).toISOString(),
      financial_status: "paid",
      total_price: "50.00",
      line_items: [{ id: 1, product_id: "P2", quantity: 1, price: "50.00", total_discount: "0.00" }],
    });
  });

  it("stores checkouts order-safely and completes the one an order names", () => {
    const rows = rawDb().prepare(`SELECT checkoutId, customerId, productIds, completedAt IS NOT NULL AS done FROM AbandonedCheckout WHERE shop = ? ORDER BY checkoutId`).all(SHOP);
    expect(rows).toEqual([
      { checkoutId: "K1", customerId: "C2", productIds: "P1,P4", done: 0 },
      { checkoutId: "K2", customerId: "C6", productIds: "P2", done: 1 },
      { checkoutId: "K3", customerId: "C3", productIds: "P5", done: 0 },
      { checkoutId: "K4", customerId: "C10", productIds: "P8", done: 0 },
    ]);
  });

  it("recommends from the abandoned checkout's products and skips completed checkouts and customers without consent", async () => {
    const r = await buildCampaign(SHOP, { kind: "complete-your-look", k: 4 }, new Date(NOW));
    expect(r.recipients.map((x) => x.customerId)).toEqual(["C2"]);
    expect(r.skipped).toEqual({ noConsent: 1, noProducts: 0, outsideSegment: 0 });
    const ids = r.recipients[0].products.map((p) => p.id);
    expect(ids.length).toBe(4);
    expect(ids).not.toContain("P1");
    expect(ids).not.toContain("P4");
    const snapshot = await getSnapshot(SHOP, NOW);
    const cart = respond(snapshot, { shop: SHOP, placement: "cart", customerId: "C2", cart: ["P1", "P4"], limit: 4, locale: "de", now: NOW, experiments: false });
    expect(ids).toEqual(cart.products.map((p) => p.id));
  });
});

describe("exports, stored campaigns and runs", () => {
  it("exports CSV with the documented header and JSON for an email tool", async () => {
    const r = await buildCampaign(SHOP, { kind: "new-arrivals", segment: "segment=vip", days: 10, k: 2 }, new Date(NOW));
    const csv = exportCampaign(r, "csv").trim().split("\n");
    expect(csv[0]).toBe(CAMPAIGN_CSV_HEADER);
    expect(csv.length).toBe(1 + r.recipients.length * 2);
    expect(csv[1].split(",").slice(0, 4)).toEqual([r.recipients[0].customerId, r.recipients[0].emailHash, "1", r.recipients[0].products[0].id]);
    const doc = JSON.parse(exportCampaign(r, "json"));
    expect(doc.recipients[0]).toMatchObject({ customerId: r.recipients[0].customerId, emailHash: r.recipients[0].emailHash });
    expect(Object.keys(doc.recipients[0].products[0]).sort()).toEqual(["currency", "id", "image", "price", "reasons", "title", "url"]);
  });

  it("stores, schedules, runs (also as the job) and lists campaigns; refuses bad specs", async () => {
    await expect(saveCampaign(SHOP, { name: "x", spec: { kind: "birthday" } })).rejects.toThrow(/kind/);
    await expect(saveCampaign(SHOP, { name: "x", spec: { kind: "new-arrivals", segment: "colour=red" } })).rejects.toThrow(/key=value/);
    await expect(saveCampaign(SHOP, { name: "x", spec: { kind: "new-arrivals" }, schedule: "hourly" })).rejects.toThrow(/schedule/);
    const c = await saveCampaign(SHOP, { name: "VIP new arrivals", spec: { kind: "new-arrivals", segment: "segment=vip", days: 10 }, schedule: "weekly" });
    expect(await getCampaign(SHOP, c.id)).toMatchObject({ name: "VIP new arrivals", schedule: "weekly", lastRunAt: null });
    expect((await listCampaigns(SHOP)).map((x) => x.id)).toEqual([c.id]);
    expect((await dueCampaigns(SHOP, new Date(NOW))).map((x) => x.id)).toEqual([c.id]);

    const run = await runCampaign(SHOP, c.id, new Date(NOW));
    expect(path.dirname(run.path)).toBe(path.join(dataDir(), "exports", SHOP));
    expect(JSON.parse(fs.readFileSync(run.path, "utf8")).recipients.length).toBe(run.recipients);
    expect(fs.readFileSync(run.csvPath, "utf8").split("\n")[0]).toBe(CAMPAIGN_CSV_HEADER);
    expect(await getCampaign(SHOP, c.id)).toMatchObject({ lastExport: run.path });
    expect(await dueCampaigns(SHOP, new Date(NOW + DAY))).toEqual([]);
    expect(isDue("weekly", NOW, NOW + 7 * DAY)).toBe(true);

    const viaJob = await campaignJob({ shop: SHOP, campaignId: c.id, now: new Date(NOW).toISOString() }, { jobId: "t", attempt: 1, progress: () => undefined, log: () => undefined });
    expect(viaJob.recipients).toBe(run.recipients);
    await expect(campaignJob({ shop: SHOP, campaignId: c.id, now: "next week" }, { jobId: "t", attempt: 1, progress: () => undefined, log: () => undefined })).rejects.toThrow(/not an ISO 8601 time/);
  });

  it("a customer redaction removes them from campaign exports and their checkouts", async () => {
    const c = await saveCampaign(SHOP, { name: "look", spec: { kind: "complete-your-look" } });
    const run = await runCampaign(SHOP, c.id, new Date(NOW));
    expect(fs.readFileSync(run.csvPath, "utf8")).toContain("C2,");
    const report = redactCustomer(SHOP, { customerId: "C2" });
    expect(report.remainingTraces).toEqual([]);
    expect(fs.readFileSync(run.csvPath, "utf8")).not.toMatch(/^C2,/m);
    expect(JSON.parse(fs.readFileSync(run.path, "utf8")).recipients).toEqual([]);
    expect(rawDb().prepare(`SELECT COUNT(*) AS n FROM AbandonedCheckout WHERE shop = ? AND customerId = 'C2'`).get(SHOP)).toEqual({ n: 0 });
  });
});
