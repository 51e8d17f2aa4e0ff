/**
 * Answers cached by what they depend on (issue 17, point 4). An answer that is not personal — an
 * anonymous shopper, or a customer with no history, no purchases, no factor row and no order value
 * yet (a new shopper: the answer follows from the demographic segment alone) — depends only on:
 * the shop, the snapshot it was computed on (model version, settings, catalogue, vectors: a new
 * version or a settings change builds a new snapshot, app/serving/snapshot.server.ts), the running
 * experiments and the variant assigned, the placement, the product and cart, the viewed list
 * (`recent`), the segment (the profile's demographic columns), the locale, the gift flag and k.
 * Those form the key; the value is the list of products as answered (the recommendation id is
 * made per request by the caller).
 *
 * Bounded: one LRU of at most FACET_ANSWER_CACHE_ENTRIES entries (default 5,000) per process,
 * entries older than ANSWER_TTL_MS (60 s of the request clock, so recency-weighted lists follow
 * time) are not served. Scoped by shop: every key starts with the shop, a shop's entries go when
 * its snapshot changes (invalidateShop) and never answer another shop.
 */
import type { RecContext } from "../recommend/types";
import type { World } from "../recommend/world";

export const ANSWER_TTL_MS = 60_000;
const DEFAULT_ENTRIES = 5_000;

interface Entry<T> {
  shop: string;
  generation: number;
  at: number;
  value: T;
}

function maxEntries(): number {
  const n = Number(process.env.FACET_ANSWER_CACHE_ENTRIES ?? DEFAULT_ENTRIES);
  return Number.isInteger(n) && n >= 0 ? n : DEFAULT_ENTRIES;
}

/** A snapshot's generation: a number per snapshot object (a rebuilt snapshot is a new object). */
const generations = new WeakMap<object, number>();
let nextGeneration = 1;
/** The generation each shop's entries were made on; a new one drops the older entries. */
const shopGeneration = new Map<string, number>();
const lru = new Map<string, Entry<unknown>>();
let stats = { hits: 0, misses: 0, stores: 0, evictions: 0, invalidations: 0 };

export function generationOf(snapshot: object): number {
  let g = generations.get(snapshot);
  if (g === undefined) generations.set(snapshot, (g = nextGeneration++));
  return g;
}

/** Drops a shop's cached answers (all shops without an argument). */
export function invalidateShop(shop?: string): void {
  stats.invalidations++;
  if (shop === undefined) {
    lru.clear();
    shopGeneration.clear();
    return;
  }
  shopGeneration.delete(shop);
  for (const [k, e] of lru) if (e.shop === shop) lru.delete(k);
}

/** What the caller knows about the request beyond the context. */
export interface AnswerKeyParts {
  shop: string;
  snapshot: object;
  /** The running experiments' stamp (their settings), and the experiment and variant assigned. */
  experimentsStamp: string;
  variant: string | null;
  k: number;
  recent: readonly string[] | undefined;
  cart: readonly string[];
  productId: string | null | undefined;
}

/**
 * The key of a request's answer, or null when the answer is personal (the customer's history,
 * purchases, factor row or order value shape it): those are computed each time.
 */
export function answerKey(world: World, ctx: RecContext, p: AnswerKeyParts): string | null {
  const c = ctx.customer;
  if (c) {
    if (ctx.history.length > 0 || ctx.purchased.size > 0) return null;
    if (world.cf?.userIndex.has(c.id)) return null;
    if (world.orderValue.has(c.id)) return null;
  } else if (ctx.history.length > 0 && !p.recent?.length) return null; // defensive: history from elsewhere
  const segment = c ? [c.gender, c.ageGroup, c.country, c.segment, c.avgOrderValue, c.lifetimeValue].map((x) => x ?? "").join(",") : "anonymous";
  return [
    p.shop,
    generationOf(p.snapshot),
    p.experimentsStamp,
    p.variant ?? "",
    ctx.placement,
    p.productId ?? "",
    p.cart.join(","),
    (p.recent ?? []).join(","),
    segment,
    ctx.locale,
    ctx.gift ? 1 : 0,
    p.k,
  ].join("\u0000");
}

/** The cached answer for `key` made at most ANSWER_TTL_MS before `now`, on the shop's current snapshot. */
export function cachedAnswer<T>(key: string, shop: string, snapshot: object, now: number): T | undefined {
  const g = generationOf(snapshot);
  const e = lru.get(key);
  if (!e || e.shop !== shop || e.generation !== g || now - e.at > ANSWER_TTL_MS || now < e.at - ANSWER_TTL_MS) {
    if (e) lru.delete(key);
    stats.misses++;
    return undefined;
  }
  lru.delete(key); // most recently used last
  lru.set(key, e);
  stats.hits++;
  return e.value as T;
}

export function storeAnswer<T>(key: string, shop: string, snapshot: object, now: number, value: T): void {
  const limit = maxEntries();
  if (limit === 0) return;
  const g = generationOf(snapshot);
  if (shopGeneration.get(shop) !== g) {
    // the shop's snapshot changed (new version, settings, catalogue): its older answers go now
    if (shopGeneration.has(shop)) invalidateShop(shop);
    shopGeneration.set(shop, g);
  }
  lru.delete(key);
  lru.set(key, { shop, generation: g, at: now, value });
  stats.stores++;
  while (lru.size > limit) {
    lru.delete(lru.keys().next().value as string);
    stats.evictions++;
  }
}

/** Counters and size (tests, the bench). */
export function answerCacheStats() {
  return { ...stats, entries: lru.size, limit: maxEntries() };
}

export function resetAnswerCache(): void {
  lru.clear();
  shopGeneration.clear();
  stats = { hits: 0, misses: 0, stores: 0, evictions: 0, invalidations: 0 };
}
