/**
 * Item-item neighbours from co-occurrence: products bought together (the same order) for
 * "customers who bought X also bought Y" and the cart's "complete your look", and products viewed
 * together (the same session).
 *
 * Score: cosine with shrinkage (default),
 *   s(a,b) = n(a,b) / (sqrt(n(a) n(b)) + shrink),
 * where n(a) counts baskets holding a and n(a,b) baskets holding both; the shrink term keeps
 * products seen in two baskets from outranking products seen together in forty of a hundred.
 * Or lift with shrinkage: s(a,b) = n(a,b) / (n(a,b) + shrink) * n(a,b) N / (n(a) n(b)).
 * Each basket counts a product once; baskets larger than maxBasket are left out (a merchant's
 * test order of the whole catalogue says nothing about taste).
 */
import { INTERACTION_TYPES, type EventTable, type InteractionType, type ItemNeighbours } from "../types";
import { TopK } from "./score";

export interface ItemItemOptions {
  measure: "cosine" | "lift";
  shrink: number;
  /** Neighbours kept per product. */
  topN: number;
  /** Pairs seen in fewer baskets are dropped. */
  minCount: number;
  maxBasket: number;
}

export const DEFAULT_BOUGHT_TOGETHER: ItemItemOptions = { measure: "cosine", shrink: 5, topN: 50, minCount: 1, maxBasket: 50 };
export const DEFAULT_VIEWED_TOGETHER: ItemItemOptions & { types: InteractionType[] } = {
  measure: "cosine",
  shrink: 10,
  topN: 50,
  minCount: 2,
  maxBasket: 50,
  types: ["view", "click", "add_to_wishlist", "add_to_cart"],
};

/** Order lines of orders that were not cancelled or returned, grouped by order. */
export function buildBoughtTogether(events: EventTable, nItems: number, opts?: Partial<ItemItemOptions>): ItemNeighbours {
  const o = { ...DEFAULT_BOUGHT_TOGETHER, ...(opts ?? {}) };
  return coOccurrence(events, nItems, o, (e) => events.fromOrder[e] === 1 && events.cancelled[e] === 0);
}

/** Storefront interactions of the listed types, grouped by session. */
export function buildViewedTogether(
  events: EventTable,
  nItems: number,
  opts?: Partial<ItemItemOptions & { types: InteractionType[] }>,
): ItemNeighbours {
  const o = { ...DEFAULT_VIEWED_TOGETHER, ...(opts ?? {}) };
  const wanted = new Uint8Array(INTERACTION_TYPES.length);
  for (const t of o.types) wanted[INTERACTION_TYPES.indexOf(t)] = 1;
  return coOccurrence(events, nItems, o, (e) => events.fromOrder[e] === 0 && wanted[events.type[e]] === 1);
}

function coOccurrence(events: EventTable, nItems: number, o: ItemItemOptions, keep: (row: number) => boolean): ItemNeighbours {
  const baskets = basketSets(events, nItems, keep, o.maxBasket);
  const itemBaskets = invert(baskets, nItems);
  const nBaskets = baskets.indptr.length - 1;
  const count = new Float64Array(nItems);
  const touched = new Int32Array(nItems);
  const indptr = new Int32Array(nItems + 1);
  const rowsIdx: Int32Array[] = [];
  const rowsScore: Float32Array[] = [];
  for (let a = 0; a < nItems; a++) {
    let nTouched = 0;
    for (let k = itemBaskets.indptr[a]; k < itemBaskets.indptr[a + 1]; k++) {
      const b = itemBaskets.indices[k];
      for (let j = baskets.indptr[b]; j < baskets.indptr[b + 1]; j++) {
        const other = baskets.indices[j];
        if (other === a) continue;
        if (count[other] === 0) touched[nTouched++] = other;
        count[other]++;
      }
    }
    const na = itemBaskets.indptr[a + 1] - itemBaskets.indptr[a];
    const top = new TopK(o.topN);
    for (let t = 0; t < nTouched; t++) {
      const b = touched[t];
      const nab = count[b];
      count[b] = 0;
      if (nab < o.minCount) continue;
      const nb = itemBaskets.indptr[b + 1] - itemBaskets.indptr[b];
      const score =
        o.measure === "lift"
          ? (nab / (nab + o.shrink)) * ((nab * nBaskets) / (na * nb))
          : nab / (Math.sqrt(na * nb) + o.shrink);
      top.push(b, score);
    }
    const best = top.sorted();
    rowsIdx.push(Int32Array.from(best, (s) => s.item));
    rowsScore.push(Float32Array.from(best, (s) => s.score));
    indptr[a + 1] = indptr[a] + best.length;
  }
  const indices = new Int32Array(indptr[nItems]);
  const scores = new Float32Array(indptr[nItems]);
  for (let a = 0; a < nItems; a++) {
    indices.set(rowsIdx[a], indptr[a]);
    scores.set(rowsScore[a], indptr[a]);
  }
  return { indptr, indices, scores };
}

/** Baskets as sets of products (CSR: basket -> distinct products), renumbered densely. */
function basketSets(events: EventTable, nItems: number, keep: (row: number) => boolean, maxBasket: number) {
  const byBasket = new Map<number, Set<number>>();
  for (let e = 0; e < events.length; e++) {
    const b = events.basket[e];
    const i = events.item[e];
    if (b < 0 || i < 0 || i >= nItems || !keep(e)) continue;
    let s = byBasket.get(b);
    if (!s) byBasket.set(b, (s = new Set()));
    s.add(i);
  }
  const keys = [...byBasket.keys()].sort((a, b) => a - b); // deterministic order
  const indptr = [0];
  const indices: number[] = [];
  for (const k of keys) {
    const s = byBasket.get(k)!;
    if (s.size < 2 || s.size > maxBasket) continue;
    for (const i of [...s].sort((a, b) => a - b)) indices.push(i);
    indptr.push(indices.length);
  }
  return { indptr: Int32Array.from(indptr), indices: Int32Array.from(indices) };
}

function invert(m: { indptr: Int32Array; indices: Int32Array }, nItems: number) {
  const indptr = new Int32Array(nItems + 1);
  for (const i of m.indices) indptr[i + 1]++;
  for (let i = 0; i < nItems; i++) indptr[i + 1] += indptr[i];
  const next = indptr.slice(0, nItems);
  const indices = new Int32Array(m.indices.length);
  for (let b = 0; b + 1 < m.indptr.length; b++) for (let k = m.indptr[b]; k < m.indptr[b + 1]; k++) indices[next[m.indices[k]]++] = b;
  return { indptr, indices };
}

/** The stored neighbours of one product, best first. */
export function neighboursOf(nb: ItemNeighbours, item: number): { item: number; score: number }[] {
  const out: { item: number; score: number }[] = [];
  if (item < 0 || item + 1 >= nb.indptr.length) return out;
  for (let k = nb.indptr[item]; k < nb.indptr[item + 1]; k++) out.push({ item: nb.indices[k], score: nb.scores[k] });
  return out;
}

/**
 * "Complete your look": neighbours of every cart product, scores summed (a product that goes with
 * two cart items ranks above one that goes with one), cart products and `exclude` left out.
 */
export function completeTheLook(nb: ItemNeighbours, cart: number[], k: number, exclude?: Set<number>): { item: number; score: number }[] {
  const inCart = new Set(cart);
  const sum = new Map<number, number>();
  for (const c of inCart) {
    for (const n of neighboursOf(nb, c)) {
      if (inCart.has(n.item) || exclude?.has(n.item)) continue;
      sum.set(n.item, (sum.get(n.item) ?? 0) + n.score);
    }
  }
  const top = new TopK(k);
  for (const [item, score] of sum) top.push(item, score);
  return top.sorted();
}
