/**
 * Experiments on the serving path, against a real temporary database and the real routes: the API
 * answers with the variant, holdouts get empty lists, assignment is sticky, pausing takes effect
 * without a restart, exposures are recorded, block events aggregate per day and variant, bots are
 * dropped, pixel add-to-carts are credited to clicks, and promoting a winner writes its settings.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { rawDb } from "../../app/db.server";
import { resetEnvForTests } from "../../app/env.server";
import { createExperiment, setExperimentStatus, getExperiment, setAttributionDays } from "../../app/models/experiment.server";
import { loadShopSettings } from "../../app/models/settings.server";
import { creditAddToCarts } from "../../app/models/recommendationEvent.server";
import { impressionCounts } from "../../app/models/servingStamp.server";
import { promoteWinner } from "../../app/experiments/actions.server";
import { attributedRevenueHeadline, experimentResults } from "../../app/experiments/results.server";
import { flushExposures } from "../../app/experiments/exposures.server";
import { recommendFor, type RecommendResponse } from "../../app/serving/recommend.server";
import { CHECK_INTERVAL_MS, dropSnapshot } from "../../app/serving/snapshot.server";
import { assignVariant } from "../../app/recommend/experiments/assign";
import { parseRecommendationId } from "../../app/recommend/experiments/serving";
import { signProxyParams } from "../../app/storefront/proxySignature.server";
import { handleEvents, handleRecommendations } from "../../app/storefront/proxy.server";
import { loader } from "../../app/routes/api.recommendations";
import { handleIngest } from "../../app/shopify/ingest.server";
import { createApiKey } from "../../app/models/apiKey.server";
import { identitySecret, signCustomerToken } from "../../app/shopify/identity.server";
import { privacyAction } from "../../app/ui/privacy.server";
import { seedShop, DAY } from "./fixtures";

useTempDatabase();
const SHOP = "exp-serving.myshopify.com";
const NOW = Date.UTC(2026, 10, 20, 12);
let KEY = "";
const SECRET = "proxy-secret";

beforeAll(() => {
  process.env.BLOCK_EVENTS_PER_CLIENT_PER_MINUTE = "20";
  resetEnvForTests();
  seedShop(SHOP, NOW);
  KEY = createApiKey(SHOP, "test", new Date(NOW)).key;
});

async function api(params: Record<string, string>): Promise<RecommendResponse> {
  const q = new URLSearchParams({ shop: SHOP, ...params });
  const headers: Record<string, string> = { Authorization: `Bearer ${KEY}` };
  // customer_id is honoured only with a customer token signed with the shop's identity secret.
  if (params.customer_id) headers["X-Facet-Customer-Token"] = signCustomerToken(identitySecret(SHOP, new Date(NOW)), SHOP, params.customer_id, Math.floor(Date.now() / 1000) + 600);
  const r = await loader({ request: new Request(`https://app.example/api/recommendations?${q}`, { headers }), params: {}, context: {} });
  expect(r.status).toBe(200);
  return (await r.json()) as RecommendResponse;
}

function proxyUrl(path: string, extra: Record<string, string> = {}, customerId = ""): string {
  const p = new URLSearchParams({ shop: SHOP, logged_in_customer_id: customerId, path_prefix: "/apps/facet", timestamp: String(Math.floor(Date.now() / 1000)), ...extra });
  p.set("signature", signProxyParams(p, SECRET));
  return `https://app.example.com/proxy/${path}?${p}`;
}

async function postEvent(body: unknown, opts: { ua?: string; customerId?: string } = {}): Promise<{ status: number; stored: number }> {
  const headers: Record<string, string> = opts.ua ? { "User-Agent": opts.ua } : {};
  const r = await handleEvents(new Request(proxyUrl("events", {}, opts.customerId), { method: "POST", body: JSON.stringify(body), headers }), { secret: SECRET, nowMs: Date.now() });
  return { status: r.status, stored: ((await r.json()) as { stored: number }).stored };
}

const clients = Array.from({ length: 200 }, (_, i) => `client-${String(i).padStart(4, "0")}`);

describe("experiments on the serving path", () => {
  let expId = "";
  const variants = [
    { id: "control", name: "Blend", weight: 1 },
    { id: "visual", name: "New arrivals first", weight: 1, settings: { weights: { "new-arrivals": 1 }, diversity: { explorationSlots: 0 } } },
    { id: "none", name: "No recommendations", weight: 1, holdout: true },
  ];

  it("answers with the shopper's variant, sticky across requests, and records the first exposure", async () => {
    // Ids are random and assignment hashes them: the next test needs a consenting customer (C3, C7
    // and C11 have none) in each of control and visual, which one id in ~20 does not give. Such an
    // id is left as a draft (never served) and another is drawn.
    const consenting = ["C0", "C1", "C2", "C4", "C5", "C6", "C8", "C9", "C10"];
    let exp = await createExperiment(SHOP, { name: "home test", placement: "home", variants });
    while (!["control", "visual"].every((v) => consenting.some((c) => assignVariant(exp.id, c, variants) === v))) {
      exp = await createExperiment(SHOP, { name: "home test", placement: "home", variants });
    }
    expId = exp.id;
    // The API and the proxy serve at the request's real time (a client cannot set it): the experiment
    // starts a day before both that and the data's NOW, so it runs whatever the calendar says.
    await setExperimentStatus(SHOP, exp.id, "running", new Date(Math.min(NOW, Date.now()) - DAY));
    dropSnapshot(SHOP);
    const now = String(NOW);
    const seen = new Map<string, number>();
    for (const c of clients.slice(0, 60)) {
      const first = await api({ placement: "home", client_id: c, limit: "4", now });
      const again = await api({ placement: "home", client_id: c, limit: "4", now });
      const expected = assignVariant(exp.id, c, variants);
      expect(first.experiment).toEqual({ id: exp.id, variant: expected, holdout: expected === "none" });
      expect(again.experiment?.variant).toBe(expected);
      expect(parseRecommendationId(first.recommendationId)).toMatchObject({ experimentId: exp.id, variant: expected });
      if (expected === "none") expect(first.products).toEqual([]);
      else expect(first.products.length).toBe(4);
      seen.set(expected, (seen.get(expected) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual(["control", "none", "visual"]);
    // A logged-in customer is assigned by customer id, whatever the client id.
    const byCustomer = await api({ placement: "home", customer_id: "C1", client_id: clients[0], limit: "4", now });
    expect(byCustomer.experiment?.variant).toBe(assignVariant(exp.id, "C1", variants));
    // Another placement is not in the experiment.
    const product = await api({ placement: "product", product_id: "P1", client_id: clients[0], now });
    expect(product.experiment).toBeNull();

    flushExposures();
    const rows = rawDb().prepare(`SELECT shopper, variant FROM ExperimentExposure WHERE shop = ? AND experimentId = ?`).all(SHOP, exp.id) as { shopper: string; variant: string }[];
    expect(rows.length).toBe(61);
    for (const r of rows) expect(r.variant).toBe(assignVariant(exp.id, r.shopper, variants));
  });

  it("serves the variant's settings: the treatment arm's list is its override's, the control's the placement's", async () => {
    const byVariant = (v: string) => {
      const found = ["C0", "C1", "C2", "C4", "C5", "C6", "C8", "C9", "C10"].find((c) => assignVariant(expId, c, variants) === v);
      if (!found) throw new Error(`no consenting customer in variant ${v} for ${expId}: the first test draws an id that has one`);
      return found;
    };
    for (const [variant, same] of [["control", true], ["visual", false]] as const) {
      const customerId = byVariant(variant);
      const served = await api({ placement: "home", customer_id: customerId, limit: "6", now: String(NOW) });
      const plain = await recommendFor({ shop: SHOP, placement: "home", customerId, limit: 6, now: NOW, experiments: false });
      expect(served.experiment?.variant).toBe(variant);
      // The last card is the exploration slot (a rarely shown product, drawn per request): the ranked part must match.
      const ranked = (r: RecommendResponse) => JSON.stringify(r.products.slice(0, -1).map((p) => p.id));
      expect(ranked(served) === ranked(plain)).toBe(same);
    }
  });

  it("a customer who opted out of personalisation is in no experiment: the placement's own answer, no exposure", async () => {
    // One who is not in the control arm (its list would look like the placement's anyway) and has
    // no exposure yet (the tests above expose C1 and one customer of each arm they check).
    flushExposures();
    const exposed = (c: string) => rawDb().prepare(`SELECT variant FROM ExperimentExposure WHERE shop = ? AND experimentId = ? AND shopper = ?`).all(SHOP, expId, c);
    const customerId = Array.from({ length: 12 }, (_, u) => `C${u}`).find((c) => assignVariant(expId, c, variants) !== "control" && exposed(c).length === 0)!;
    expect(customerId).toBeDefined();
    const form = new FormData();
    form.set("intent", "optout");
    form.set("customerId", customerId);
    expect(await privacyAction(SHOP, form, NOW)).toEqual({ ok: true, message: "optedOut" });
    const served = await api({ placement: "home", customer_id: customerId, client_id: clients[1], limit: "4", now: String(NOW) });
    expect(served.experiment).toBeNull();
    expect(parseRecommendationId(served.recommendationId)).toBeNull();
    expect(served.products.length).toBe(4); // not the holdout's empty list
    const anonymous = await recommendFor({ shop: SHOP, placement: "home", limit: 4, now: NOW, experiments: false });
    const ranked = (r: RecommendResponse) => JSON.stringify(r.products.slice(0, -1).map((p) => p.id));
    expect(ranked(served)).toBe(ranked(anonymous)); // non-personalised: what a shopper without history gets
    flushExposures();
    expect(exposed(customerId)).toEqual([]);
    // Back in: assigned again by the same hash.
    form.set("intent", "optin");
    expect(await privacyAction(SHOP, form, NOW)).toEqual({ ok: true, message: "optedIn" });
    const back = await recommendFor({ shop: SHOP, placement: "home", customerId, limit: 4, now: NOW });
    expect(back.experiment?.variant).toBe(assignVariant(expId, customerId, variants));
  });

  it("the app proxy passes the block's client id and marks the list with the experiment", async () => {
    const c = clients.find((x) => assignVariant(expId, x, variants) === "visual")!;
    const r = await handleRecommendations(new Request(proxyUrl("recommendations", { placement: "home", client_id: c, format: "html" })), { secret: SECRET, nowMs: Date.now() });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain(`data-experiment="${expId}"`);
    expect(html).toContain(`data-variant="visual"`);
    const holdout = clients.find((x) => assignVariant(expId, x, variants) === "none")!;
    const j = await handleRecommendations(new Request(proxyUrl("recommendations", { placement: "home", client_id: holdout })), { secret: SECRET, nowMs: Date.now() });
    expect(((await j.json()) as { products: unknown[] }).products).toEqual([]);
  });

  it("pausing takes effect at the next freshness check, without a restart or rebuild", async () => {
    const c = clients.find((x) => assignVariant(expId, x, variants) === "none")!;
    const t0 = Math.max(NOW, Date.now()) + 60_000; // after every earlier request's time (NOW, or the clock the proxy took)
    expect((await recommendFor({ shop: SHOP, placement: "home", clientId: c, limit: 4, now: t0 })).products).toEqual([]);
    await setExperimentStatus(SHOP, expId, "paused");
    const later = await recommendFor({ shop: SHOP, placement: "home", clientId: c, limit: 4, now: t0 + CHECK_INTERVAL_MS });
    expect(later.experiment).toBeNull();
    expect(later.products.length).toBe(4);
    await setExperimentStatus(SHOP, expId, "running");
    const resumed = await recommendFor({ shop: SHOP, placement: "home", clientId: c, limit: 4, now: t0 + 2 * CHECK_INTERVAL_MS });
    expect(resumed.experiment?.variant).toBe("none");
  });

  it("aggregates impressions per day, placement and variant; keeps clicks as rows; drops bots and floods", async () => {
    const c = clients.find((x) => assignVariant(expId, x, variants) === "visual")!;
    const list = await recommendFor({ shop: SHOP, placement: "home", clientId: c, limit: 4, now: Date.now() });
    const ids = list.products.map((p) => p.id);
    const before = rawDb().prepare(`SELECT COUNT(*) AS n FROM RecommendationEvent`).get() as { n: number };
    expect(await postEvent({ type: "impression", recommendationId: list.recommendationId, placement: "home", productIds: ids, clientId: c })).toEqual({ status: 202, stored: 4 });
    expect(await postEvent({ type: "impression", recommendationId: list.recommendationId, placement: "home", productIds: ids, clientId: c })).toEqual({ status: 202, stored: 4 });
    expect(await postEvent({ type: "click", recommendationId: list.recommendationId, placement: "home", productIds: [ids[1]], position: 2, clientId: c })).toEqual({ status: 202, stored: 1 });
    // A crawler's beacon: answered like any other, counted nowhere.
    expect(await postEvent({ type: "click", recommendationId: list.recommendationId, placement: "home", productIds: [ids[0]], clientId: c }, { ua: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)" })).toEqual({ status: 202, stored: 0 });
    // A forged experiment in the recommendation id is stored without it.
    expect((await postEvent({ type: "impression", recommendationId: "abc~exp_nope~x", placement: "home", productIds: ids, clientId: "other-client-1" })).stored).toBe(4);

    const today = new Date().toISOString().slice(0, 10);
    const daily = rawDb().prepare(`SELECT experimentId, variant, impressions, clicks, addToCarts FROM RecEventDaily WHERE shop = ? AND day = ? AND placement = 'home' ORDER BY experimentId`).all(SHOP, today);
    expect(daily).toEqual([
      { experimentId: "", variant: "", impressions: 4, clicks: 0, addToCarts: 0 },
      { experimentId: expId, variant: "visual", impressions: 8, clicks: 1, addToCarts: 0 },
    ]);
    const rows = rawDb().prepare(`SELECT type, productId, experimentId, variant, clientId FROM RecommendationEvent WHERE id > ?`).all(before.n);
    expect(rows).toEqual([{ type: "click", productId: ids[1], experimentId: expId, variant: "visual", clientId: c }]);
    expect(impressionCounts(SHOP, new Date(Date.now() - DAY).toISOString()).get(ids[0])).toBe(3);

    // A flood from one client: past BLOCK_EVENTS_PER_CLIENT_PER_MINUTE (20 here) nothing more counts.
    let counted = 0;
    for (let i = 0; i < 30; i++) counted += (await postEvent({ type: "impression", recommendationId: "flood", placement: "home", productIds: ["P1"], clientId: "flooding-client" })).stored;
    expect(counted).toBe(20);
  });

  it("credits a pixel add-to-cart to the shopper's recent click on that product, once per list", () => {
    const at = new Date(NOW);
    rawDb()
      .prepare(`INSERT INTO RecommendationEvent (shop, recommendationId, type, productId, placement, clientId, experimentId, variant, at) VALUES (?, ?, 'click', ?, 'home', ?, ?, ?, ?)`)
      .run(SHOP, `r1~${expId}~control`, "P3", "cart-client-1", expId, "control", new Date(NOW - 3_600_000).toISOString());
    expect(creditAddToCarts(SHOP, { customerId: null, clientId: "cart-client-1" }, [{ productId: "P3", at }, { productId: "P4", at }])).toBe(1);
    expect(creditAddToCarts(SHOP, { customerId: null, clientId: "cart-client-1" }, [{ productId: "P3", at }])).toBe(0);
    expect(creditAddToCarts(SHOP, { customerId: null, clientId: "cart-client-1" }, [{ productId: "P3", at: new Date(NOW + 3 * DAY) }])).toBe(0); // too long after the click
    const day = at.toISOString().slice(0, 10);
    expect(rawDb().prepare(`SELECT addToCarts FROM RecEventDaily WHERE shop = ? AND day = ? AND experimentId = ? AND variant = 'control'`).get(SHOP, day, expId)).toEqual({ addToCarts: 1 });
  });

  it("the pixel ingest credits a product_added_to_cart after a block click by the same client", async () => {
    const clicked = Date.now() - 600_000;
    rawDb()
      .prepare(`INSERT INTO RecommendationEvent (shop, recommendationId, type, productId, placement, clientId, at) VALUES (?, 'r-px', 'click', '8800000000001', 'product', 'pixel-client-1', ?)`)
      .run(SHOP, new Date(clicked).toISOString());
    const body = {
      shop: SHOP,
      clientId: "pixel-client-1",
      customerId: null,
      consent: { analytics: true },
      events: [{ id: "px-evt-1", name: "product_added_to_cart", timestamp: new Date().toISOString(), productIds: ["8800000000001"], quantity: 1 }],
    };
    const r = await handleIngest(new Request("https://app.example/ingest", { method: "POST", body: JSON.stringify(body) }));
    expect(r.status).toBe(200);
    const rows = rawDb().prepare(`SELECT recommendationId, placement, clientId FROM RecommendationEvent WHERE shop = ? AND type = 'add_to_cart' AND productId = '8800000000001'`).all(SHOP);
    expect(rows).toEqual([{ recommendationId: "r-px", placement: "product", clientId: "pixel-client-1" }]);
  });

  it("reports results with the shop's attribution window, and the dashboard headline", async () => {
    const db = rawDb();
    const c = "C2";
    db.prepare(`INSERT INTO RecommendationEvent (shop, recommendationId, type, productId, placement, customerId, at) VALUES (?, 'r-h', 'click', 'P5', 'home', ?, ?)`).run(SHOP, c, new Date(NOW - 10 * DAY).toISOString());
    db.prepare(`INSERT INTO "Order" (shop, id, customerId, orderDate, status, totalAmount) VALUES (?, 'OH', ?, ?, 'completed', 70)`).run(SHOP, c, new Date(NOW - 2 * DAY).toISOString());
    db.prepare(`INSERT INTO OrderItem (shop, id, orderId, productId, quantity, unitPrice, finalPrice) VALUES (?, 'OH-1', 'OH', 'P5', 1, 65, 65)`).run(SHOP);
    // The click was 8 days before the order: outside the default 7-day window, inside a 10-day one.
    expect((await attributedRevenueHeadline(SHOP, 30, new Date(NOW))).revenue).toBe(0);
    setAttributionDays(SHOP, 10);
    const h = await attributedRevenueHeadline(SHOP, 30, new Date(NOW));
    expect(h).toMatchObject({ revenue: 65, orders: 1, currency: "EUR", windowDays: 10 });
    expect(h.impressions).toBeGreaterThanOrEqual(12);
    const r = await experimentResults(SHOP, expId);
    expect(r.windowDays).toBe(10);
    expect(r.variants.map((v) => v.variant)).toEqual(["control", "visual", "none"]);
    expect(r.variants.find((v) => v.variant === "visual")!.impressions).toBe(8);
  });

  it("promoting the winner writes its settings to the placement, stops the experiment and serves them", async () => {
    const winnerArm = clients.find((x) => assignVariant(expId, x, variants) === "visual")!;
    const servedToWinner = new Map([[winnerArm, (await recommendFor({ shop: SHOP, placement: "home", clientId: winnerArm, limit: 6, now: NOW })).products.map((p) => p.id)]]);
    await expect(promoteWinner(SHOP, expId, "none")).rejects.toThrow(/holdout/);
    const res = await promoteWinner(SHOP, expId, "visual");
    expect(res.settingsChanged).toBe(true);
    const settings = loadShopSettings(SHOP).placements.home;
    expect(settings.weights).toEqual({ "new-arrivals": 1 });
    expect(settings.diversity.explorationSlots).toBe(0);
    expect(settings.diversity.mmrLambda).toBe(0.75); // the rest of the block keeps its defaults
    expect(await getExperiment(SHOP, expId)).toMatchObject({ status: "stopped", winner: "visual" });
    const c = clients.find((x) => assignVariant(expId, x, variants) === "none")!;
    const after = await recommendFor({ shop: SHOP, placement: "home", clientId: c, limit: 6, now: NOW });
    expect(after.experiment).toBeNull();
    // Every shopper now gets what the winning arm served (no exploration slot in its settings).
    expect(after.products.map((p) => p.id)).toEqual(servedToWinner.get(winnerArm));
  });
});
