/**
 * The answer cache (app/serving/answerCache.server.ts): which answers it keys (anonymous and new
 * shoppers, never personal ones), what the key holds, shop scoping, invalidation on a new
 * snapshot (a new model version or settings build one), the TTL and the LRU bound.
 */
import { afterEach, describe, expect, it } from "vitest";
import { answerCacheStats, answerKey, cachedAnswer, resetAnswerCache, storeAnswer, ANSWER_TTL_MS, type AnswerKeyParts } from "../../app/serving/answerCache.server";
import type { RecContext } from "../../app/recommend/types";
import type { World } from "../../app/recommend/world";

const world = { cf: { userIndex: new Map([["known", 0]]) }, orderValue: new Map([["buyer", 50]]) } as unknown as World;
const ctx = (over: Partial<RecContext> = {}): RecContext =>
  ({ placement: "home", now: 1_000_000, customer: null, history: [], purchased: new Set(), item: null, cart: [], gift: false, locale: "en", ...over }) as RecContext;
const customer = (id: string, segment: string | null = null) => ({ id, gender: null, ageGroup: null, country: null, avgOrderValue: null, segment, lifetimeValue: null, optOut: false });
const parts = (snapshot: object, over: Partial<AnswerKeyParts> = {}): AnswerKeyParts => ({ shop: "a.myshopify.com", snapshot, experimentsStamp: "e1", variant: null, k: 8, recent: undefined, cart: [], productId: null, ...over });

afterEach(() => {
  resetAnswerCache();
  delete process.env.FACET_ANSWER_CACHE_ENTRIES;
});

describe("answer cache", () => {
  it("keys anonymous and new shoppers, never a customer with history, purchases, factors or orders", () => {
    const s = {};
    expect(answerKey(world, ctx(), parts(s))).not.toBeNull();
    expect(answerKey(world, ctx({ customer: customer("new-1") }), parts(s))).not.toBeNull();
    expect(answerKey(world, ctx({ customer: customer("c"), history: [{ item: 1, type: "view", at: 1 }] }), parts(s))).toBeNull();
    expect(answerKey(world, ctx({ customer: customer("c"), purchased: new Set([1]) }), parts(s))).toBeNull();
    expect(answerKey(world, ctx({ customer: customer("known") }), parts(s))).toBeNull();
    expect(answerKey(world, ctx({ customer: customer("buyer") }), parts(s))).toBeNull();
    // two new shoppers of one segment share an answer; another segment, locale, k, variant, product or shop does not
    const base = answerKey(world, ctx({ customer: customer("new-1", "gold") }), parts(s));
    expect(answerKey(world, ctx({ customer: customer("new-2", "gold") }), parts(s))).toBe(base);
    const others = [
      answerKey(world, ctx({ customer: customer("new-2", "silver") }), parts(s)),
      answerKey(world, ctx({ customer: customer("new-2", "gold"), locale: "de" }), parts(s)),
      answerKey(world, ctx({ customer: customer("new-2", "gold") }), parts(s, { k: 4 })),
      answerKey(world, ctx({ customer: customer("new-2", "gold") }), parts(s, { variant: "x:b" })),
      answerKey(world, ctx({ customer: customer("new-2", "gold") }), parts(s, { experimentsStamp: "e2" })),
      answerKey(world, ctx({ customer: customer("new-2", "gold"), placement: "product" }), parts(s, { productId: "p1" })),
      answerKey(world, ctx({ customer: customer("new-2", "gold") }), parts(s, { shop: "b.myshopify.com" })),
      answerKey(world, ctx({ customer: customer("new-2", "gold") }), parts({})),
    ];
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
  });

  it("serves a stored answer on the same snapshot, not on a new one (new version, settings), not after the TTL, not to another shop", () => {
    const s1 = {};
    const key = answerKey(world, ctx(), parts(s1))!;
    storeAnswer(key, "a.myshopify.com", s1, 1000, ["p1"]);
    expect(cachedAnswer(key, "a.myshopify.com", s1, 1000 + ANSWER_TTL_MS)).toEqual(["p1"]);
    expect(cachedAnswer(key, "b.myshopify.com", s1, 1000)).toBeUndefined();
    expect(cachedAnswer(key, "a.myshopify.com", s1, 1001 + ANSWER_TTL_MS)).toBeUndefined();
    storeAnswer(key, "a.myshopify.com", s1, 1000, ["p1"]);
    const s2 = {}; // the shop's rebuilt snapshot
    expect(cachedAnswer(key, "a.myshopify.com", s2, 1000)).toBeUndefined();
    const key2 = answerKey(world, ctx(), parts(s2))!;
    expect(key2).not.toBe(key);
    storeAnswer(key2, "a.myshopify.com", s2, 1000, ["p2"]);
    expect(answerCacheStats().entries).toBe(1); // the old snapshot's answers went with it
    expect(cachedAnswer(key2, "a.myshopify.com", s2, 1000)).toEqual(["p2"]);
  });

  it("keeps at most FACET_ANSWER_CACHE_ENTRIES, dropping the least recently used", () => {
    process.env.FACET_ANSWER_CACHE_ENTRIES = "3";
    const s = {};
    const keys = [1, 2, 3, 4].map((k) => answerKey(world, ctx(), parts(s, { k }))!);
    for (const k of keys.slice(0, 3)) storeAnswer(k, "a.myshopify.com", s, 0, k);
    expect(cachedAnswer(keys[0], "a.myshopify.com", s, 0)).toBe(keys[0]); // now the most recent
    storeAnswer(keys[3], "a.myshopify.com", s, 0, keys[3]);
    expect(answerCacheStats()).toMatchObject({ entries: 3, evictions: 1 });
    expect(cachedAnswer(keys[1], "a.myshopify.com", s, 0)).toBeUndefined();
    expect(cachedAnswer(keys[0], "a.myshopify.com", s, 0)).toBe(keys[0]);
  });
});
