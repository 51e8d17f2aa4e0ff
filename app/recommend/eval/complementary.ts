/**
 * "Complete your look" metric (issue 14, point 6): over carts, the share of the cart placement's
 * recommendations that are of ANOTHER category than every cart product AND share the set
 * (same collection and metal) or the metal of a cart product. 1 = every slot completes the look;
 * a list of more silver rings for a silver ring scores 0 on those slots.
 */
import type { Catalog, Recommendation } from "../types";

export interface ComplementaryStats {
  /** Recommendations counted. */
  slots: number;
  /** Other category and same set or metal. */
  complementary: number;
  /** Of those, the same set (collection and metal). */
  sameSet: number;
  /** Same category as a cart product. */
  sameCategory: number;
  share: number;
}

export function complementaryShare(catalog: Catalog, lists: { cart: number[]; recs: Recommendation[] }[]): ComplementaryStats {
  let slots = 0, complementary = 0, sameSet = 0, sameCategory = 0;
  for (const { cart, recs } of lists) {
    const cats = new Set(cart.map((i) => catalog.category[i]));
    for (const r of recs) {
      slots++;
      const i = r.item;
      if (cats.has(catalog.category[i])) {
        sameCategory++;
        continue;
      }
      const metal = cart.some((a) => catalog.material[a] === catalog.material[i]);
      const set = cart.some((a) => catalog.collection[a] !== null && catalog.collection[a] === catalog.collection[i] && catalog.material[a] === catalog.material[i]);
      if (metal || set) complementary++;
      if (set) sameSet++;
    }
  }
  return { slots, complementary, sameSet, sameCategory, share: slots ? complementary / slots : 0 };
}
