/**
 * Runs named recommenders over the test customers of a split and aggregates the metrics:
 * means with bootstrap intervals, per segment, plus catalogue coverage, intra-list diversity,
 * novelty and price spread. Recommender-agnostic: anything with `recommend(user, k)` plugs in
 * (the hybrid's blend and sources through recommenders.ts, the two baselines below).
 */
import type { Catalog, CustomerProfile, Placement } from "../types";
import { bootstrapMean, sampleWithoutReplacement, type Interval } from "./bootstrap";
import {
  averagePrecisionAtK,
  catalogueCoverage,
  hitRateAtK,
  intraListDiversity,
  meanOf,
  ndcgAtK,
  novelty,
  precisionAtK,
  priceSpread,
  rankByScore,
  recallAtK,
} from "./metrics";
import { groupUsers, valueTierBounds, type SegmentDimension } from "./segments";
import { isRelevant } from "./splits";
import type { EventTable } from "../types";

/** A recommender under evaluation: top-k dense product indices for a test customer. */
export interface EvalRecommender {
  /** random, popularity, visual, collaborative, bought-together, demographic, recency, blend:<placement> */
  name: string;
  kind: "baseline" | "source" | "blend";
  placement?: Placement;
  recommend(user: number, k: number): number[];
}

export const RANKING_METRICS = ["precision", "recall", "ndcg", "map", "hit_rate"] as const;
export type RankingMetric = (typeof RANKING_METRICS)[number];

export interface SegmentResult {
  users: number;
  precision: number;
  recall: number;
  ndcg: number;
  map: number;
  hit_rate: number;
  ndcg_ci: [number, number];
}

export interface RecommenderResult {
  name: string;
  kind: EvalRecommender["kind"];
  placement?: Placement;
  precision: number;
  recall: number;
  ndcg: number;
  map: number;
  hit_rate: number;
  coverage: number;
  diversity: number;
  novelty: number;
  price_spread: number;
  /** Test customers with at least one relevant item that were evaluated. */
  users: number;
  /** Customers for whom the recommender returned nothing (they score 0). */
  empty_lists: number;
  ci: Record<RankingMetric, [number, number]>;
  segments: Record<SegmentDimension, Record<string, SegmentResult>>;
}

export interface EvalInput {
  k: number;
  /** Test customer -> relevant products (from the split). */
  test: ReadonlyMap<number, ReadonlySet<number>>;
  /** Dense customer index -> id (the event table's customers). */
  customerIds: readonly string[];
  profiles: ReadonlyMap<string, CustomerProfile>;
  catalog: Catalog;
  /** Pairwise visual similarity in [0, 1], null when unknown; diversity is NaN without it. */
  similarity: ((a: number, b: number) => number | null) | null;
  /** Per product, how many training customers interacted with it (novelty). */
  itemUsers: ArrayLike<number>;
  trainUsers: number;
}

export interface EvalOptions {
  /** Evaluate at most this many test customers, drawn with the seed. */
  maxUsers?: number;
  seed?: number;
  bootstrapSamples?: number;
  /** Called after each recommender (progress). */
  onRecommender?: (name: string, done: number, total: number) => void;
}

export interface EvalRun {
  results: RecommenderResult[];
  /** Test customers with a relevant item, and how many were evaluated (sampled when many). */
  testUsers: number;
  evaluatedUsers: number;
  sampled: boolean;
  /** The evaluated customers' indices, in evaluation order. */
  users: number[];
  /** recommender name -> customer id -> top-K list (for the fairness report). */
  lists: Map<string, Map<string, number[]>>;
  /** recommender name -> NDCG per evaluated customer, in `users` order (paired comparisons). */
  ndcgPerUser: Map<string, number[]>;
}

/** The test customers in a stable order (ascending index), sampled with the seed when many. */
export function evaluationUsers(test: ReadonlyMap<number, ReadonlySet<number>>, maxUsers: number | undefined, seed: number): number[] {
  const all = [...test.keys()].filter((u) => (test.get(u)?.size ?? 0) > 0).sort((a, b) => a - b);
  if (maxUsers === undefined || all.length <= maxUsers) return all;
  return sampleWithoutReplacement(all, maxUsers, seed).sort((a, b) => a - b);
}

export function evaluateRecommenders(recs: readonly EvalRecommender[], input: EvalInput, opts: EvalOptions = {}): EvalRun {
  const seed = opts.seed ?? 42;
  const users = evaluationUsers(input.test, opts.maxUsers, seed);
  const testUsers = [...input.test.values()].filter((s) => s.size > 0).length;
  const ids = users.map((u) => input.customerIds[u]);
  // Value tiers are terciles among the evaluated customers (most of a shop's profiles never bought).
  const bounds = valueTierBounds(ids.map((id) => input.profiles.get(id)).filter((p): p is CustomerProfile => p !== undefined));
  const groups = groupUsers(ids, input.profiles, bounds);
  const results: RecommenderResult[] = [];
  const lists = new Map<string, Map<string, number[]>>();
  const ndcgPerUser = new Map<string, number[]>();
  recs.forEach((rec, r) => {
    const out = evaluateOne(rec, users, input, groups, opts.bootstrapSamples ?? 200, seed);
    results.push(out.result);
    ndcgPerUser.set(rec.name, out.ndcg);
    lists.set(rec.name, new Map(users.map((u, i) => [input.customerIds[u], out.lists[i]])));
    opts.onRecommender?.(rec.name, r + 1, recs.length);
  });
  return { results, testUsers, evaluatedUsers: users.length, sampled: users.length < testUsers, users, lists, ndcgPerUser };
}

function evaluateOne(
  rec: EvalRecommender,
  users: number[],
  input: EvalInput,
  groups: Map<SegmentDimension, Map<string, number[]>>,
  samples: number,
  seed: number,
): { result: RecommenderResult; lists: number[][]; ndcg: number[] } {
  const k = input.k;
  const per: Record<RankingMetric, number[]> = { precision: [], recall: [], ndcg: [], map: [], hit_rate: [] };
  const diversity: number[] = [];
  const nov: number[] = [];
  const spread: number[] = [];
  const lists: number[][] = [];
  let empty = 0;
  for (const u of users) {
    const relevant = input.test.get(u)!;
    const list = rec.recommend(u, k);
    lists.push(list);
    if (list.length === 0) empty++;
    per.precision.push(precisionAtK(list, relevant, k));
    per.recall.push(recallAtK(list, relevant, k));
    per.ndcg.push(ndcgAtK(list, relevant, k));
    per.map.push(averagePrecisionAtK(list, relevant, k));
    per.hit_rate.push(hitRateAtK(list, relevant, k));
    if (input.similarity) diversity.push(intraListDiversity(list, k, input.similarity));
    nov.push(novelty(list, k, input.itemUsers, input.trainUsers));
    spread.push(priceSpread(list, k, input.catalog.price));
  }
  const ci = {} as Record<RankingMetric, [number, number]>;
  const means = {} as Record<RankingMetric, number>;
  for (const m of RANKING_METRICS) {
    const iv: Interval = bootstrapMean(per[m], { samples, seed });
    means[m] = users.length === 0 ? 0 : iv.mean;
    ci[m] = [iv.lo, iv.hi];
  }
  const segments = {} as Record<SegmentDimension, Record<string, SegmentResult>>;
  for (const [dim, byGroup] of groups) {
    segments[dim] = {};
    for (const [group, positions] of [...byGroup].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const pick = (m: RankingMetric) => positions.map((p) => per[m][p]);
      const nd = bootstrapMean(pick("ndcg"), { samples, seed });
      segments[dim][group] = {
        users: positions.length,
        precision: meanOf(pick("precision")),
        recall: meanOf(pick("recall")),
        ndcg: nd.mean,
        map: meanOf(pick("map")),
        hit_rate: meanOf(pick("hit_rate")),
        ndcg_ci: [nd.lo, nd.hi],
      };
    }
  }
  const result: RecommenderResult = {
    name: rec.name,
    kind: rec.kind,
    ...(rec.placement ? { placement: rec.placement } : {}),
    ...means,
    coverage: catalogueCoverage(lists, k, input.catalog.ids.length),
    diversity: meanOf(diversity),
    novelty: meanOf(nov),
    price_spread: meanOf(spread),
    users: users.length,
    empty_lists: empty,
    ci,
    segments,
  };
  return { result, lists, ndcg: per.ndcg };
}

/**
 * Paired bootstrap interval of mean(a - b) over the same customers (a and b aligned by position):
 * whether one recommender beats another beyond resampling noise. NaN pairs are left out.
 */
export function pairedDifference(a: readonly number[], b: readonly number[], samples = 1000, seed = 42): Interval {
  const diffs: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (Number.isFinite(a[i]) && Number.isFinite(b[i])) diffs.push(a[i] - b[i]);
  return bootstrapMean(diffs, { samples, seed });
}

/** Per product, the number of distinct known customers with any non-cancelled event on it in a table. */
export function itemUserCounts(events: EventTable, catalogueSize: number): { counts: Int32Array; users: number } {
  const seen = new Set<number>();
  const pairs = new Set<number>();
  const counts = new Int32Array(catalogueSize);
  for (let i = 0; i < events.length; i++) {
    const c = events.customer[i];
    if (c < 0 || events.cancelled[i]) continue;
    seen.add(c);
    const key = c * catalogueSize + events.item[i];
    if (pairs.has(key)) continue;
    pairs.add(key);
    counts[events.item[i]]++;
  }
  return { counts, users: seen.size };
}

/** Products a customer bought in a table (what the baselines leave out, like the blend's rules). */
function boughtBy(events: EventTable): Map<number, Set<number>> {
  const out = new Map<number, Set<number>>();
  for (let i = 0; i < events.length; i++) {
    if (!isRelevant(events, i)) continue;
    const c = events.customer[i];
    if (!out.has(c)) out.set(c, new Set());
    out.get(c)!.add(events.item[i]);
  }
  return out;
}

/**
 * Baseline: uniformly random in-stock products the customer has not bought, seeded per customer
 * (the same customer gets the same list in every run).
 */
export function randomRecommender(catalog: Catalog, train: EventTable, seed: number): EvalRecommender {
  const bought = boughtBy(train);
  const pool: number[] = [];
  for (let i = 0; i < catalog.ids.length; i++) if (catalog.inStock[i]) pool.push(i);
  return {
    name: "random",
    kind: "baseline",
    recommend(user, k) {
      const skip = bought.get(user);
      const candidates = skip ? pool.filter((i) => !skip.has(i)) : pool;
      return sampleWithoutReplacement(candidates, k, (seed ^ Math.imul(user + 1, 0x9e3779b1)) >>> 0);
    },
  };
}

/**
 * Baseline: the most bought in-stock products of the training period (units, cancelled lines left
 * out; interactions break ties), minus what the customer already bought. Ties go by product index.
 */
export function popularityRecommender(catalog: Catalog, train: EventTable): EvalRecommender {
  const score = new Float64Array(catalog.ids.length);
  for (let i = 0; i < train.length; i++) {
    if (train.cancelled[i]) continue;
    score[train.item[i]] += isRelevant(train, i) || train.fromOrder[i] ? Math.max(1, train.quantity[i]) : 1e-3;
  }
  const ranked = rankByScore(
    Array.from(score, (s, item) => ({ item, score: s })).filter((s) => catalog.inStock[s.item] === 1),
  );
  const bought = boughtBy(train);
  return {
    name: "popularity",
    kind: "baseline",
    recommend(user, k) {
      const skip = bought.get(user);
      const out: number[] = [];
      for (const item of ranked) {
        if (out.length >= k) break;
        if (!skip?.has(item)) out.push(item);
      }
      return out;
    },
  };
}
