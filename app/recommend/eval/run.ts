/**
 * The evaluation pipeline, pure: split the events, train on the training part only, build the
 * hybrid's world on it, run the baselines, each single source and each placement's blend over the
 * test customers, add the fairness report and (optionally) tune the blend on a validation slice
 * carved from the training period.
 *
 * The hybrid and the trainer come in as `deps` (recommenders.ts binds the real ones), which keeps
 * this file testable with recording fakes: the leakage tests check what `train` and `buildWorld`
 * are given, and the tuning tests check what `recommend` sees while tuning.
 */
import type { PlacementSettings, ShopSettings } from "../settings";
import type { WorldInput } from "../world";
import type { PlacementGuard } from "../blendGuard";
import type { Candidate, Catalog, CfModel, CustomerProfile, EventTable, ItemNeighbours, Placement, RecContext, Recommendation, SourceName, VectorSearch } from "../types";
import { INTERACTION_TYPES, PLACEMENTS } from "../types";
import { evaluateRecommenders, evaluationUsers, itemUserCounts, pairedDifference, popularityRecommender, randomRecommender, type EvalRecommender, type RecommenderResult } from "./evaluate";
import { fairnessReport, type FairnessReport } from "./fairness";
import { cosine01, meanOf, ndcgAtK } from "./metrics";
import { valueTierBounds } from "./segments";
import { isRelevant, makeSplit, validationSplit, type HoldoutPair, type Split, type SplitKind } from "./splits";
import { changedKnobs, searchSettings, type Knob, type PlacementProposal, type SearchOptions, type TuningProposal } from "./tuning";

/** The single sources the issue compares against the blend. */
export const EVAL_SOURCES: SourceName[] = ["visual", "collaborative", "bought-together", "demographic", "recency", "recent-popularity"];

export interface Artifacts {
  cf: CfModel | null;
  boughtTogether: ItemNeighbours | null;
  viewedTogether: ItemNeighbours | null;
  /**
   * What the train job would serve besides the model, when the trainer tuned it (hybrid/tuneBlend.ts
   * on the training part's own validation slice): the shop's settings with the tuned blend weights
   * and window, and the placements' guards. Absent: the shop's settings as they are.
   */
  served?: { settings: ShopSettings; guards: Partial<Record<Placement, PlacementGuard>> };
}

/** What the trainer may use of the shop besides the events (to tune the blend as the train job does). */
export interface TrainContext {
  customers: CustomerProfile[];
  visual: VectorSearch | null;
  settings: ShopSettings;
}

/** What the evaluation hands the hybrid's buildWorld: the world's required inputs (no live extras). */
export type WorldInputLike = Pick<WorldInput, "catalog" | "events" | "customers" | "cf" | "boughtTogether" | "viewedTogether" | "visual" | "now" | "settings" | "guards">;

export interface ContextRequest {
  placement: Placement;
  customerId?: string;
  productId?: string;
  cart?: string[];
  now?: number;
}

/** What the evaluation needs of the trainer and the hybrid (app/recommend/world.ts, cf/train.ts). */
export interface HybridDeps<W> {
  train(catalog: Catalog, events: EventTable, now: number, shop?: TrainContext): Artifacts;
  buildWorld(input: WorldInputLike): W;
  contextFor(world: W, req: ContextRequest): RecContext;
  recommend(world: W, ctx: RecContext, k: number, overrides?: Partial<PlacementSettings>): Recommendation[];
  sourceCandidates(world: W, source: SourceName, ctx: RecContext, k: number): Candidate[];
  /** A clock for per-recommender timings (the job passes performance.now); none: no timings. */
  clock?: () => number;
  log?: (message: string) => void;
}

export interface RunOptions {
  k: number;
  split: SplitKind;
  holdout?: readonly HoldoutPair[];
  testShare?: number;
  cut?: number;
  seed?: number;
  /** At most this many test customers are evaluated (seeded sample). Default 2,000. */
  maxUsers?: number;
  bootstrapSamples?: number;
  placements?: Placement[];
  /** Tune the blends on a validation slice of the training period. */
  tune?: boolean;
  tuneUsers?: number;
  tuneSearch?: SearchOptions;
  /** ISO time stamped on the proposal (the caller's clock; the core has none). */
  createdAt?: string;
}

export interface RunData {
  catalog: Catalog;
  events: EventTable;
  customers: CustomerProfile[];
  visual: VectorSearch | null;
  settings: ShopSettings;
}

export interface EvaluationResult {
  k: number;
  split: SplitKind;
  split_description: string;
  cut: string | null;
  notes: string[];
  seed: number;
  test_users: number;
  evaluated_users: number;
  sampled: boolean;
  train_events: number;
  results: (RecommenderResult & { seconds?: number })[];
  /** Blend vs baselines and sources on NDCG: which placements' blends beat each of them. */
  headline: Headline;
  fairness: FairnessReport[];
  tuning?: TuningProposal<Partial<PlacementSettings>>;
}

export interface Headline {
  best_blend: string | null;
  best_blend_ndcg: number;
  best_single: string | null;
  best_single_ndcg: number;
  /** For each baseline/source: whether the best blend's NDCG is higher. */
  beats: Record<string, boolean>;
  /**
   * For each baseline/source: the best blend's NDCG minus its NDCG over the same customers, with a
   * paired bootstrap 95 % interval; `significant` when the interval lies above 0.
   */
  margins: Record<string, { diff: number; lo: number; hi: number; significant: boolean }>;
}

const ADD_TO_CART = INTERACTION_TYPES.indexOf("add_to_cart");

/** Per customer: the last product they touched and their latest carted products before `now`. */
export function requestAnchors(events: EventTable, catalog: Catalog): Map<number, { product: string | null; cart: string[] }> {
  const last = new Map<number, { at: number; item: number }>();
  const carts = new Map<number, { at: number; item: number }[]>();
  for (let i = 0; i < events.length; i++) {
    const c = events.customer[i];
    if (c < 0 || events.cancelled[i]) continue;
    const cur = last.get(c);
    if (!cur || events.at[i] >= cur.at) last.set(c, { at: events.at[i], item: events.item[i] });
    if (events.type[i] === ADD_TO_CART && !events.fromOrder[i]) {
      if (!carts.has(c)) carts.set(c, []);
      carts.get(c)!.push({ at: events.at[i], item: events.item[i] });
    }
  }
  const out = new Map<number, { product: string | null; cart: string[] }>();
  for (const [c, { item }] of last) {
    const cart = [...new Set((carts.get(c) ?? []).sort((a, b) => b.at - a.at).map((e) => e.item))].slice(0, 3);
    out.set(c, { product: catalog.ids[item], cart: (cart.length ? cart : [item]).map((i) => catalog.ids[i]) });
  }
  return out;
}

/** The request a customer makes on a placement: the product page shows their last product, the cart their cart. */
function requestFor(placement: Placement, customerId: string, anchor: { product: string | null; cart: string[] } | undefined, now: number): ContextRequest {
  const req: ContextRequest = { placement, customerId, now };
  if (placement === "product" && anchor?.product) req.productId = anchor.product;
  if (placement === "cart" && anchor) req.cart = anchor.cart;
  return req;
}

interface Bound<W> {
  world: W;
  split: Split;
  anchors: ReturnType<typeof requestAnchors>;
}

function blendRecommender<W>(deps: HybridDeps<W>, b: Bound<W>, placement: Placement, overrides?: Partial<PlacementSettings>, name = `blend:${placement}`): EvalRecommender {
  const ids = b.split.train.customers;
  return {
    name,
    kind: "blend",
    placement,
    recommend(user, k) {
      const ctx = deps.contextFor(b.world, requestFor(placement, ids[user], b.anchors.get(user), b.split.userNow.get(user) ?? b.split.now));
      return deps.recommend(b.world, ctx, k, overrides).map((r) => r.item);
    },
  };
}

/**
 * A single source, under the blend's hard filters only (in stock, not already bought, not the
 * anchor product), so that the comparison measures ranking rather than filtering. The request is
 * the general placement's, with the customer's last product as the current item (the visual and
 * bought-together sources need one).
 */
function sourceRecommender<W>(deps: HybridDeps<W>, b: Bound<W>, catalog: Catalog, source: SourceName): EvalRecommender {
  const ids = b.split.train.customers;
  return {
    name: source,
    kind: "source",
    recommend(user, k) {
      const anchor = b.anchors.get(user);
      const req: ContextRequest = { placement: "general", customerId: ids[user], now: b.split.userNow.get(user) ?? b.split.now };
      if (anchor?.product) req.productId = anchor.product;
      const ctx = deps.contextFor(b.world, req);
      const out: number[] = [];
      const seen = new Set<number>();
      const ranked = [...deps.sourceCandidates(b.world, source, ctx, k * 3 + ctx.purchased.size)].sort((a, c) => c.score - a.score || a.item - c.item);
      for (const c of ranked) {
        if (out.length >= k) break;
        if (seen.has(c.item) || ctx.purchased.has(c.item) || c.item === ctx.item || !catalog.inStock[c.item]) continue;
        seen.add(c.item);
        out.push(c.item);
      }
      return out;
    },
  };
}

function timed<W>(deps: HybridDeps<W>, rec: EvalRecommender, seconds: Map<string, number>): EvalRecommender {
  const clock = deps.clock;
  if (!clock) return rec;
  return {
    ...rec,
    recommend(user, k) {
      const t = clock();
      const out = rec.recommend(user, k);
      seconds.set(rec.name, (seconds.get(rec.name) ?? 0) + (clock() - t) / 1000);
      return out;
    },
  };
}

/** Splits, trains on the training part, builds the world on it. */
function prepare<W>(data: RunData, split: Split, deps: HybridDeps<W>): Bound<W> {
  const { served, ...artifacts } = deps.train(data.catalog, split.train, split.now, { customers: data.customers, visual: data.visual, settings: data.settings });
  const world = deps.buildWorld({
    catalog: data.catalog,
    events: split.train,
    customers: data.customers,
    ...artifacts,
    visual: data.visual,
    now: split.now,
    settings: served?.settings ?? data.settings,
    ...(served ? { guards: served.guards } : {}),
  });
  return { world, split, anchors: requestAnchors(split.train, data.catalog) };
}

/**
 * A VectorSearch whose vector() is memoised: an evaluation asks for the same products' vectors
 * thousands of times (visual source, MMR, diversity), and an index may copy each one out of native
 * memory on every call. At most one Float32Array per product is kept.
 */
export function memoizeVectors(vs: VectorSearch): VectorSearch {
  const cache = new Map<number, Float32Array | null>();
  return {
    dim: vs.dim,
    search: (query, k, exclude) => vs.search(query, k, exclude),
    vector(item) {
      let v = cache.get(item);
      if (v === undefined) cache.set(item, (v = vs.vector(item)));
      return v;
    },
  };
}

export function runEvaluation<W>(input: RunData, opts: RunOptions, deps: HybridDeps<W>): EvaluationResult {
  const data: RunData = { ...input, visual: input.visual ? memoizeVectors(input.visual) : null };
  const seed = opts.seed ?? 42;
  const k = opts.k;
  const placements = opts.placements ?? PLACEMENTS;
  const log = deps.log ?? (() => {});
  const split = makeSplit(data.events, opts.split, { testShare: opts.testShare, cut: opts.cut, holdout: opts.holdout, productIndex: data.catalog.index });
  log(`split: ${split.description}; ${split.train.length} training events, ${split.test.size} test customers`);
  const bound = prepare(data, split, deps);

  const seconds = new Map<string, number>();
  const recs: EvalRecommender[] = [
    randomRecommender(data.catalog, split.train, seed),
    popularityRecommender(data.catalog, split.train),
    ...EVAL_SOURCES.map((s) => sourceRecommender(deps, bound, data.catalog, s)),
    ...placements.map((p) => blendRecommender(deps, bound, p)),
  ].map((r) => timed(deps, r, seconds));

  const profiles = new Map(data.customers.map((c) => [c.id, c]));
  const { counts, users: trainUsers } = itemUserCounts(split.train, data.catalog.ids.length);
  const visual = data.visual;
  const similarity = visual ? similarityFrom(visual) : null;
  const run = evaluateRecommenders(
    recs,
    { k, test: split.test, customerIds: split.train.customers, profiles, catalog: data.catalog, similarity, itemUsers: counts, trainUsers },
    { maxUsers: opts.maxUsers ?? 2000, seed, bootstrapSamples: opts.bootstrapSamples, onRecommender: (name, done, total) => log(`evaluated ${name} (${done}/${total})`) },
  );
  const results = run.results.map((r) => (seconds.has(r.name) ? { ...r, seconds: round(seconds.get(r.name)!, 3) } : r));

  // Fairness: what each blend (and popularity, for reference) shows each group vs what it buys.
  const purchases = purchasesOf(data.events, run.users);
  const bounds = valueTierBounds(run.users.map((u) => profiles.get(split.train.customers[u])).filter((p): p is CustomerProfile => p !== undefined));
  const fairness = ["popularity", ...placements.map((p) => `blend:${p}`)].map((name) =>
    fairnessReport(name, run.lists.get(name)!, purchases, profiles, bounds, data.catalog, { k }),
  );

  const out: EvaluationResult = {
    k,
    split: opts.split,
    split_description: split.description,
    cut: Number.isFinite(split.cut) ? new Date(split.cut).toISOString() : null,
    notes: [...split.notes, ...(run.sampled ? [`evaluated a seeded sample of ${run.evaluatedUsers} of ${run.testUsers} test customers (seed ${seed})`] : [])],
    seed,
    test_users: run.testUsers,
    evaluated_users: run.evaluatedUsers,
    sampled: run.sampled,
    train_events: split.train.length,
    results,
    headline: headline(results, run.ndcgPerUser, seed),
    fairness,
  };
  if (opts.tune) out.tuning = tuneBlends(data, opts, deps, bound, results, placements);
  return out;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function similarityFrom(visual: VectorSearch): (a: number, b: number) => number | null {
  return (a, b) => {
    const va = visual.vector(a);
    const vb = visual.vector(b);
    return va && vb ? cosine01(va, vb) : null;
  };
}

/**
 * Each evaluated customer's purchases over the whole loaded history (the demand side of fairness).
 * A purchase recorded both as an order line and as a "purchase" interaction counts once (same
 * product, same customer, same day).
 */
function purchasesOf(events: EventTable, users: readonly number[]): Map<string, number[]> {
  const wanted = new Set(users);
  const out = new Map<string, number[]>();
  const seen = new Set<string>();
  for (let i = 0; i < events.length; i++) {
    const c = events.customer[i];
    if (!wanted.has(c) || !isRelevant(events, i)) continue;
    const key = `${c}:${events.item[i]}:${Math.floor(events.at[i] / 86_400_000)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const id = events.customers[c];
    if (!out.has(id)) out.set(id, []);
    out.get(id)!.push(events.item[i]);
  }
  return out;
}

export function headline(results: readonly RecommenderResult[], ndcgPerUser?: ReadonlyMap<string, number[]>, seed = 42): Headline {
  const blends = results.filter((r) => r.kind === "blend");
  const others = results.filter((r) => r.kind !== "blend");
  const best = blends.reduce<RecommenderResult | null>((a, r) => (!a || r.ndcg > a.ndcg ? r : a), null);
  const singles = others.filter((r) => r.kind === "source");
  const bestSingle = singles.reduce<RecommenderResult | null>((a, r) => (!a || r.ndcg > a.ndcg ? r : a), null);
  const beats: Record<string, boolean> = {};
  const margins: Headline["margins"] = {};
  for (const r of others) {
    beats[r.name] = best !== null && best.ndcg > r.ndcg;
    const a = best && ndcgPerUser?.get(best.name);
    const b = ndcgPerUser?.get(r.name);
    if (a && b) {
      const d = pairedDifference(a, b, 1000, seed);
      margins[r.name] = { diff: d.mean, lo: d.lo, hi: d.hi, significant: d.lo > 0 };
    }
  }
  return { best_blend: best?.name ?? null, best_blend_ndcg: best?.ndcg ?? 0, best_single: bestSingle?.name ?? null, best_single_ndcg: bestSingle?.ndcg ?? 0, beats, margins };
}

// ---------------- tuning ----------------

const WEIGHT_VALUES = [0, 0.2, 0.5, 1];

/**
 * The knobs of a placement: the weight of each of the five compared sources (and any other source
 * the placement already uses), the main rule (the price band's margin, 0 = rule off) and the
 * diversity settings (price-tier cap, exploration slots, MMR lambda).
 */
export function placementKnobs(start: PlacementSettings): Knob<PlacementSettings>[] {
  const sources = [...new Set<SourceName>([...EVAL_SOURCES, ...(Object.keys(start.weights) as SourceName[])])];
  const knobs: Knob<PlacementSettings>[] = sources.map((s) => ({
    name: `weight.${s}`,
    values: [...new Set([...WEIGHT_VALUES, start.weights[s] ?? 0])].sort((a, b) => a - b),
    get: (p) => p.weights[s] ?? 0,
    set: (p, v) => ({ ...p, weights: { ...p.weights, [s]: v } }),
  }));
  knobs.push({
    name: "rules.priceBand.margin",
    values: [...new Set([0, 0.25, 0.5, 1, start.rules.priceBand.enabled ? start.rules.priceBand.margin : 0])].sort((a, b) => a - b),
    get: (p) => (p.rules.priceBand.enabled ? p.rules.priceBand.margin : 0),
    set: (p, v) => ({ ...p, rules: { ...p.rules, priceBand: v === 0 ? { ...p.rules.priceBand, enabled: false } : { enabled: true, margin: v } } }),
  });
  knobs.push({
    name: "diversity.maxPriceTierShare",
    values: [...new Set([0.6, 1, start.diversity.maxPriceTierShare])].sort((a, b) => a - b),
    get: (p) => p.diversity.maxPriceTierShare,
    set: (p, v) => ({ ...p, diversity: { ...p.diversity, maxPriceTierShare: v } }),
  });
  knobs.push({
    name: "diversity.explorationSlots",
    values: [...new Set([0, 1, start.diversity.explorationSlots])].sort((a, b) => a - b),
    get: (p) => p.diversity.explorationSlots,
    set: (p, v) => ({ ...p, diversity: { ...p.diversity, explorationSlots: v } }),
  });
  knobs.push({
    name: "diversity.mmrLambda",
    values: [...new Set([0.5, 0.75, 1, start.diversity.mmrLambda])].sort((a, b) => a - b),
    get: (p) => p.diversity.mmrLambda,
    set: (p, v) => ({ ...p, diversity: { ...p.diversity, mmrLambda: v } }),
  });
  return knobs;
}

/** The part of a placement's settings the tuner may change, as an override for recommend(). */
function overridesOf(p: PlacementSettings): Partial<PlacementSettings> {
  return { weights: p.weights, rules: p.rules, diversity: p.diversity };
}

/**
 * Tunes each placement's blend on a validation slice of the training period: a world trained on
 * the slice's own training part, scored on its held-out customers. The test split is used once per
 * placement afterwards, to report the gain of the chosen settings.
 */
function tuneBlends<W>(
  data: RunData,
  opts: RunOptions,
  deps: HybridDeps<W>,
  outer: Bound<W>,
  outerResults: readonly RecommenderResult[],
  placements: Placement[],
): TuningProposal<Partial<PlacementSettings>> {
  const k = opts.k;
  const seed = opts.seed ?? 42;
  const log = deps.log ?? (() => {});
  const val = validationSplit(outer.split.train, opts.split, { testShare: opts.testShare });
  const inner = prepare(data, val, deps);
  const valUsers = evaluationUsers(val.test, opts.tuneUsers ?? 300, seed);
  log(`tuning on a validation slice (${val.description}; ${valUsers.length} customers)`);
  const proposal: TuningProposal<Partial<PlacementSettings>> = {
    createdAt: opts.createdAt ?? new Date(outer.split.now).toISOString(),
    split: opts.split,
    k,
    objective: "ndcg",
    strategy: opts.tuneSearch?.strategy ?? "coordinate",
    placements: {},
    unchanged: {},
    status: "proposed",
  };
  if (valUsers.length === 0) {
    for (const p of placements) proposal.unchanged[p] = "the validation slice has no customers with purchases";
    return proposal;
  }
  const testUsers = evaluationUsers(outer.split.test, opts.maxUsers ?? 2000, seed);
  for (const placement of placements) {
    const start = data.settings.placements[placement];
    const knobs = placementKnobs(start);
    const score = (s: PlacementSettings) => meanNdcg(blendRecommender(deps, inner, placement, overridesOf(s)), valUsers, val.test, k);
    const search = searchSettings(start, knobs, score, { seed, rounds: 1, ...opts.tuneSearch });
    const changed = changedKnobs(search, knobs);
    if (Object.keys(changed).length === 0) {
      proposal.unchanged[placement] = `no setting beat the current one on validation (NDCG ${search.startScore.toFixed(4)}, ${search.trials.length} tried)`;
      continue;
    }
    const before = outerResults.find((r) => r.name === `blend:${placement}`)?.ndcg ?? NaN;
    const after = meanNdcg(blendRecommender(deps, outer, placement, overridesOf(search.best)), testUsers, outer.split.test, k);
    const placementProposal: PlacementProposal<Partial<PlacementSettings>> = {
      overrides: overridesOf(search.best),
      knobs: changed,
      objective: "ndcg",
      validation: { before: search.startScore, after: search.bestScore, trials: search.trials.length, users: valUsers.length },
      test: { before, after, gain: after - before, relativeGain: before > 0 ? (after - before) / before : null },
    };
    if (!(after > before)) placementProposal.warning = `the validation gain did not carry over to the test split (NDCG ${before.toFixed(4)} -> ${after.toFixed(4)}); keep the current settings unless other evidence supports the change`;
    proposal.placements[placement] = placementProposal;
    log(`tuned ${placement}: validation NDCG ${search.startScore.toFixed(4)} -> ${search.bestScore.toFixed(4)}, test ${before.toFixed(4)} -> ${after.toFixed(4)}`);
  }
  return proposal;
}

function meanNdcg(rec: EvalRecommender, users: readonly number[], test: ReadonlyMap<number, ReadonlySet<number>>, k: number): number {
  return meanOf(users.map((u) => ndcgAtK(rec.recommend(u, k), test.get(u)!, k)));
}
