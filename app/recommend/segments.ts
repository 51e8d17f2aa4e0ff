/**
 * Segment popularity: which products are popular with a demographic segment (gender x age group x
 * country, from the customer profile), time-decayed, and smoothed toward the parent segment so that a
 * segment of five customers is not noise:
 *
 *   share_s(i) = (c_s(i) + m * share_parent(s)(i)) / (N_s + m)        (root: parent = uniform over the catalogue)
 *
 * with c_s(i) the decayed, type-weighted event count of product i in segment s, N_s the segment's total
 * and m the pseudo-count (settings.global.segmentSmoothing). The chain is
 * gender|age|country -> gender|age -> gender -> "*" (the whole shop). A segment with no events is its
 * parent (N_s = 0), so lookups walk the chain to the first segment with data.
 *
 * Trending: the smoothed share in the last `recentDays` minus the smoothed share in the `baselineDays`
 * before that, positive part only: products gaining share in the segment.
 *
 * Top lists (at most TOP_LIST products per segment) are precomputed at build time, so a request reads
 * a sorted array. Building costs O(events x 4) plus O(products) per segment with data.
 */
import type { CustomerProfile, EventTable } from "./types";
import { INTERACTION_TYPES } from "./types";
import { TopK } from "./cf/score";

export const ROOT = "*";
const TOP_LIST = 400;
const DAY = 86_400_000;

export interface SegmentParts {
  gender: string | null;
  ageGroup: string | null;
  country: string | null;
}

export interface RankedList {
  items: Int32Array;
  scores: Float64Array;
}

/** Normalised profile fields: "unknown"/"" become null, country upper case. */
export function segmentParts(p: Pick<CustomerProfile, "gender" | "ageGroup" | "country"> | null): SegmentParts {
  const clean = (v: string | null | undefined) => {
    const t = (v ?? "").trim();
    return t && t.toLowerCase() !== "unknown" ? t : null;
  };
  const gender = clean(p?.gender)?.toLowerCase() ?? null;
  return { gender, ageGroup: clean(p?.ageGroup), country: clean(p?.country)?.toUpperCase() ?? null };
}

/** The segment keys of a profile, most specific first, ending with the root. */
export function segmentChain(parts: SegmentParts): string[] {
  const chain: string[] = [];
  if (parts.gender) {
    if (parts.ageGroup) {
      if (parts.country) chain.push(`${parts.gender}|${parts.ageGroup}|${parts.country}`);
      chain.push(`${parts.gender}|${parts.ageGroup}`);
    }
    chain.push(parts.gender);
  }
  chain.push(ROOT);
  return chain;
}

/** The parts a key names (for explanations). */
export function partsOfKey(key: string): SegmentParts {
  if (key === ROOT) return { gender: null, ageGroup: null, country: null };
  const [gender, ageGroup, country] = key.split("|");
  return { gender: gender ?? null, ageGroup: ageGroup ?? null, country: country ?? null };
}

function parentOf(key: string): string | null {
  if (key === ROOT) return null;
  const i = key.lastIndexOf("|");
  return i < 0 ? ROOT : key.slice(0, i);
}

interface SegmentCounts {
  /** Dense weighted counts per product (a segment with data costs one array of the catalogue's length). */
  counts: Float64Array;
  total: number;
}

/** Weighted counts per segment with the smoothed share. */
export class SmoothedCounts {
  private readonly segments = new Map<string, SegmentCounts>();
  /** The segments of a chain, resolved once per distinct chain (keyed by its most specific key). */
  private readonly chains = new Map<string, SegmentCounts[]>();
  constructor(private readonly m: number, private readonly nItems: number) {}

  add(chain: string[], item: number, w: number): void {
    let segs = this.chains.get(chain[0]);
    if (!segs) {
      segs = chain.map((key) => {
        let s = this.segments.get(key);
        if (!s) this.segments.set(key, (s = { counts: new Float64Array(this.nItems), total: 0 }));
        return s;
      });
      this.chains.set(chain[0], segs);
    }
    for (let j = 0; j < segs.length; j++) {
      segs[j].counts[item] += w;
      segs[j].total += w;
    }
  }

  total(key: string): number {
    return this.segments.get(key)?.total ?? 0;
  }

  has(key: string): boolean {
    return this.total(key) > 0;
  }

  share(key: string | null, item: number): number {
    return this.shareArray(key)[item] ?? 0;
  }

  /** share(key, i) for every product, memoised per key (O(products) once, reusing the parent's array). */
  shareArray(key: string | null): Float32Array {
    const memoKey = key ?? "";
    let arr = this.arrays.get(memoKey);
    if (arr) return arr;
    if (key === null) {
      arr = new Float32Array(this.nItems).fill(this.nItems > 0 ? 1 / this.nItems : 0);
    } else {
      const prior = this.shareArray(parentOf(key));
      const total = this.total(key);
      if (total === 0) arr = prior;
      else {
        const counts = this.segments.get(key)!.counts;
        arr = new Float32Array(this.nItems);
        for (let i = 0; i < this.nItems; i++) arr[i] = (counts[i] + this.m * prior[i]) / (total + this.m);
      }
    }
    this.arrays.set(memoKey, arr);
    return arr;
  }
  private readonly arrays = new Map<string, Float32Array>();

  /** Computes every segment's shares and frees the raw counts (the shares are all requests need). */
  compact(): void {
    for (const key of this.segments.keys()) this.shareArray(key);
    for (const s of this.segments.values()) s.counts = new Float64Array(0);
  }

  keysTopDown(): string[] {
    return [...this.segments.keys()].sort((a, b) => a.split("|").length - b.split("|").length || (a === ROOT ? -1 : b === ROOT ? 1 : a < b ? -1 : 1));
  }
}

function topOfArray(scores: Float32Array | Float64Array, limit: number): RankedList {
  const top = new TopK(limit);
  for (let i = 0; i < scores.length; i++) if (scores[i] > 0) top.push(i, scores[i]);
  const entries = top.sorted();
  return { items: Int32Array.from(entries, (e) => e.item), scores: Float64Array.from(entries, (e) => e.score) };
}

export interface SegmentIndex {
  popular: Map<string, RankedList>;
  trending: Map<string, RankedList>;
  popularCounts: SmoothedCounts;
  recentCounts: SmoothedCounts;
  baselineCounts: SmoothedCounts;
  /** False when the memory guard dropped the country level (segments are gender x age group). */
  withCountry: boolean;
}

export interface SegmentOptions {
  now: number;
  halfLifeDays: number;
  smoothing: number;
  recentDays: number;
  baselineDays: number;
  eventWeights: Record<string, number>;
}

/** One pass over the events (O(events x chain length)), then one O(products) array per segment with data. */
/** Segment arrays (segments with data x products) above which the country level is dropped. */
export const MAX_SEGMENT_CELLS = 20_000_000;

export function buildSegmentIndex(events: EventTable, chainOfCustomerFull: (c: number) => string[], nItems: number, o: SegmentOptions): SegmentIndex {
  // Memory guard: every segment with data holds arrays of the catalogue's length. A shop selling to
  // many countries would multiply them; then segments stop at gender x age group.
  const keys = new Set<string>([ROOT]);
  for (let c = 0; c < events.customers.length; c++) for (const k of chainOfCustomerFull(c)) keys.add(k);
  const withCountry = keys.size * nItems <= MAX_SEGMENT_CELLS;
  const chains: (string[] | undefined)[] = new Array(events.customers.length);
  const chainOfCustomer = (c: number) => (chains[c] ??= withCountry ? chainOfCustomerFull(c) : chainOfCustomerFull(c).filter((k) => k.split("|").length < 3));
  const popularCounts = new SmoothedCounts(o.smoothing, nItems);
  const recentCounts = new SmoothedCounts(o.smoothing, nItems);
  const baselineCounts = new SmoothedCounts(o.smoothing, nItems);
  const lambda = Math.LN2 / (o.halfLifeDays * DAY);
  const recentFrom = o.now - o.recentDays * DAY;
  const baselineFrom = recentFrom - o.baselineDays * DAY;
  const typeWeight = INTERACTION_TYPES.map((t) => o.eventWeights[t] ?? 0);
  const rootOnly = [ROOT];
  for (let e = 0; e < events.length; e++) {
    if (events.cancelled[e]) continue;
    const at = events.at[e];
    if (at > o.now) continue; // the future does not exist yet (evaluation splits rely on this)
    const w = typeWeight[events.type[e]] * (events.quantity[e] || 1);
    if (w <= 0) continue;
    const c = events.customer[e];
    const chain = c >= 0 ? chainOfCustomer(c) : rootOnly;
    const item = events.item[e];
    popularCounts.add(chain, item, w * Math.exp(-lambda * (o.now - at)));
    if (at >= recentFrom) recentCounts.add(chain, item, w);
    else if (at >= baselineFrom) baselineCounts.add(chain, item, w);
  }

  // Per segment: its smoothed shares for every product (O(products), the parent's array reused),
  // then the top list by a size-TOP_LIST heap.
  const popular = new Map<string, RankedList>();
  for (const key of popularCounts.keysTopDown()) popular.set(key, topOfArray(popularCounts.shareArray(key), TOP_LIST));
  const trending = new Map<string, RankedList>();
  for (const key of recentCounts.keysTopDown()) {
    const r = recentCounts.shareArray(key);
    const b = baselineCounts.shareArray(key);
    const d = new Float64Array(nItems);
    for (let i = 0; i < nItems; i++) d[i] = r[i] - b[i];
    trending.set(key, topOfArray(d, TOP_LIST));
  }
  popularCounts.compact();
  recentCounts.compact();
  baselineCounts.compact();
  return { popular, trending, popularCounts, recentCounts, baselineCounts, withCountry };
}

/** The most specific key of the chain that has data in this index (the root when none). */
export function firstWithData(chain: string[], lists: Map<string, RankedList>): string | null {
  for (const key of chain) if (lists.has(key)) return key;
  return null;
}

/** Scores of given products in a segment (for restricted candidate sets such as new arrivals). */
export function segmentScores(index: SegmentIndex, mode: "popular" | "trending", key: string, items: number[]): number[] {
  if (mode === "popular") {
    const a = index.popularCounts.shareArray(key);
    return items.map((i) => a[i]);
  }
  const r = index.recentCounts.shareArray(key);
  const b = index.baselineCounts.shareArray(key);
  return items.map((i) => Math.max(0, r[i] - b[i]));
}
