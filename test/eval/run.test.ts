/**
 * The pipeline with a recording fake hybrid: no leakage of the test period into training, and a
 * tuner that only ever looks at the validation slice carved from the training period.
 */
import { describe, expect, it } from "vitest";
import { runEvaluation } from "../../app/recommend/eval/run";
import { formatHeadline, renderReport } from "../../app/recommend/eval/report";
import { perCustomerSplit } from "../../app/recommend/eval/splits";
import { DEFAULT_SETTINGS } from "../../app/recommend/settings";
import type { EventTable } from "../../app/recommend/types";
import { fakeHybrid } from "./fakeHybrid";
import { DAY, profile, table, tinyCatalog, type Row } from "./fixtures";

const N_ITEMS = 30;
const catalog = tinyCatalog(N_ITEMS, { gender: (i) => (i % 3 === 0 ? "male" : "female"), brand: (i) => `B${i % 4}` });
const CUT = 100 * DAY;

/**
 * 40 customers. Before the cut they buy products 0..9 (popular ones: low indices); after the cut
 * everybody buys product 29, which nobody touched before. A leaking split would make 29 the most
 * popular product in training.
 */
function world(): { events: EventTable; customers: ReturnType<typeof profile>[] } {
  const rows: Row[] = [];
  const ids: string[] = [];
  for (let c = 0; c < 40; c++) {
    ids.push(`C${c}`);
    for (let j = 0; j < 4; j++) rows.push({ customer: c, item: (c + j * j) % 10, type: "purchase", at: (10 + (c % 10) + j * 20) * DAY, fromOrder: true });
    rows.push({ customer: c, item: 20 + (c % 5), type: "view", at: (90 + (c % 5)) * DAY });
    rows.push({ customer: c, item: 29, type: "view", at: CUT + c * 1000 });
    rows.push({ customer: c, item: 29, type: "purchase", at: CUT + DAY + c * 1000, fromOrder: true });
    if (c % 2 === 0) rows.push({ customer: c, item: 15 + (c % 4), type: "purchase", at: CUT + 2 * DAY, fromOrder: true });
  }
  const customers = ids.map((id, c) => profile(id, { gender: c % 2 ? "male" : "female", ageGroup: c % 3 ? "26-35" : "46+", country: "DE", lifetimeValue: 50 + c * 10 }));
  return { events: table(ids, rows), customers };
}

const data = () => {
  const w = world();
  return { catalog, events: w.events, customers: w.customers, visual: null, settings: DEFAULT_SETTINGS };
};

describe("no leakage: training never sees the test period", () => {
  it("every table given to the trainer and the world ends before the cut", () => {
    const { deps, rec } = fakeHybrid(catalog);
    const out = runEvaluation(data(), { k: 5, split: "temporal", cut: CUT }, deps);
    expect(rec.trained.length).toBeGreaterThan(0);
    for (const events of [...rec.trained, ...rec.worlds.map((w) => w.input.events)]) {
      for (let i = 0; i < events.length; i++) expect(events.at[i]).toBeLessThan(CUT);
      // Product 29 only appears in the test period.
      expect(Array.from(events.item)).not.toContain(29);
    }
    for (const w of rec.worlds) expect(w.input.now).toBeLessThanOrEqual(CUT);
    // Popularity learned nothing of the test period: it never recommends 29, so misses everybody's purchase of it.
    const pop = out.results.find((r) => r.name === "popularity")!;
    expect(pop.users).toBe(40);
    expect(out.train_events).toBe(40 * 5);
  });
  it("per-customer: nothing of a test customer at or after their own cut reaches training", () => {
    const { deps, rec } = fakeHybrid(catalog);
    const d = data();
    runEvaluation(d, { k: 5, split: "per-customer", testShare: 0.2 }, deps);
    const split = perCustomerSplit(d.events, { testShare: 0.2 });
    expect(split.test.size).toBe(40);
    const trained = rec.trained[0];
    expect(trained.length).toBe(split.train.length);
    for (let i = 0; i < trained.length; i++) {
      const own = split.userNow.get(trained.customer[i]);
      if (own !== undefined) expect(trained.at[i]).toBeLessThan(own);
    }
  });
});

describe("the JSON result", () => {
  it("has one entry per baseline, source and placement blend, with the contract's keys", () => {
    const { deps } = fakeHybrid(catalog);
    const out = runEvaluation(data(), { k: 5, split: "temporal", cut: CUT }, deps);
    expect(out.results.map((r) => r.name)).toEqual([
      "random",
      "popularity",
      "visual",
      "collaborative",
      "bought-together",
      "demographic",
      "recency",
      "recent-popularity",
      "blend:product",
      "blend:home",
      "blend:cart",
      "blend:email",
      "blend:general",
    ]);
    for (const r of out.results) {
      for (const key of ["precision", "recall", "ndcg", "map", "hit_rate", "coverage", "diversity", "novelty", "users"]) expect(r).toHaveProperty(key);
      expect(r.segments.gender.female.users + r.segments.gender.male.users).toBe(40);
      expect(r.ci.ndcg[0]).toBeLessThanOrEqual(r.ndcg);
    }
    expect(out.fairness.map((f) => f.recommender)).toContain("blend:home");
    expect(JSON.parse(JSON.stringify(out)).k).toBe(5);
    // The printed table has a row per recommender and says whether the best blend wins, with margins.
    const text = renderReport(out);
    for (const r of out.results) expect(text).toMatch(new RegExp(`^${r.name}\\s`, "m"));
    const lost = Object.entries(out.headline.beats).filter(([, b]) => !b).map(([n]) => n);
    expect(text).toContain(lost.length ? `does NOT beat: ${lost.join(", ")}` : "beats random, popularity and every single source");
    expect(Object.keys(out.headline.margins)).toEqual(Object.keys(out.headline.beats));
    expect(formatHeadline({ result: out })).toContain(`${out.headline.best_blend}: NDCG`);
  });
  it("samples customers with the seed when asked, and says so", () => {
    const { deps } = fakeHybrid(catalog);
    const a = runEvaluation(data(), { k: 5, split: "temporal", cut: CUT, maxUsers: 10, seed: 5 }, deps);
    const b = runEvaluation(data(), { k: 5, split: "temporal", cut: CUT, maxUsers: 10, seed: 5 }, fakeHybrid(catalog).deps);
    expect(a.evaluated_users).toBe(10);
    expect(a.sampled).toBe(true);
    expect(a.notes.join(" ")).toMatch(/sample of 10 of 40/);
    expect(a.results.map((r) => r.ndcg)).toEqual(b.results.map((r) => r.ndcg));
  });
});

describe("tuning stays off the test split", () => {
  it("every tuning call runs on a world built from the validation slice, at validation times, for validation customers", () => {
    const { deps, rec } = fakeHybrid(catalog);
    const out = runEvaluation(data(), { k: 5, split: "temporal", cut: CUT, tune: true, placements: ["home", "general"] }, deps);
    // Worlds: 0 = trained on the training period, 1 = trained on the validation slice's own training part.
    expect(rec.worlds).toHaveLength(2);
    const valWorld = rec.worlds[1];
    const valCut = valWorld.input.now;
    expect(valCut).toBeLessThan(CUT);
    for (let i = 0; i < valWorld.input.events.length; i++) expect(valWorld.input.events.at[i]).toBeLessThan(valCut);
    // Calls with tuning overrides, before the final test measurement, all hit the validation world.
    const tuningCalls = rec.calls.filter((c) => c.overrides && c.world === 1);
    expect(tuningCalls.length).toBeGreaterThan(10);
    for (const c of tuningCalls) expect(c.now).toBeLessThan(CUT);
    // The only calls with overrides on the outer world are the final measurements of the chosen settings.
    const testCalls = rec.calls.filter((c) => c.overrides && c.world === 0);
    const tuned = Object.keys(out.tuning!.placements).length;
    expect(testCalls.length).toBe(tuned * out.evaluated_users);
    // The validation world never saw the test period, and its contexts never asked about it.
    for (const ctx of rec.contexts.filter((c) => c.world === 1)) expect(ctx.now!).toBeLessThan(CUT);
    expect(out.tuning!.status).toBe("proposed");
  });
  it("proposes a change only when validation improves, and reports the test gain", () => {
    const { deps } = fakeHybrid(catalog);
    const out = runEvaluation(data(), { k: 5, split: "temporal", cut: CUT, tune: true, placements: ["product"] }, deps);
    const t = out.tuning!;
    const p = t.placements.product;
    if (p) {
      expect(p.validation.after).toBeGreaterThan(p.validation.before);
      expect(p.test.gain).toBeCloseTo(p.test.after - p.test.before, 12);
      expect(Object.keys(p.knobs).length).toBeGreaterThan(0);
    } else {
      expect(t.unchanged.product).toMatch(/no setting beat/);
    }
  });
});
