/**
 * "Complete your look" on the demo shop (issue 14, point 6): the demo catalogue has matching sets
 * (a collection's pieces in one metal across categories). For single-product carts, the share of the
 * cart placement's top 4 that are of another category and share the set or the metal, with the
 * shipped cart settings against the previous ones (80 % visual + 20 % cross-sell, no category rule).
 * Visual vectors stand in for an image model as it behaves on jewelry: pieces of one category look
 * alike (shape) and pieces of one metal share their colour.
 */
import { describe, expect, it } from "vitest";
import { buildCatalog } from "../../app/demo/catalog";
import { Calendar } from "../../app/demo/calendar";
import { CATEGORIES, METALS } from "../../app/demo/calibration";
import { complementaryShare } from "../../app/recommend/eval/complementary";
import { contextFor } from "../../app/recommend/context";
import { recommend } from "../../app/recommend/pipeline";
import { makeCatalog, makeVectorSearch, world } from "./fixtures";

const demo = buildCatalog(400, 7, new Calendar(new Date(Date.UTC(2026, 5, 1))));
const catalog = makeCatalog(demo.products.map((p) => ({ id: p.id, category: p.category, collection: p.collection.name, material: p.metal, brand: p.brand })));
demo.products.forEach((p, i) => (catalog.stoneType[i] = p.gem));
// Deterministic pseudo-noise per product and dimension.
const noise = (i: number, d: number) => (Math.sin(i * 12.9898 + d * 78.233) * 43758.5453) % 1;
const vectors = new Map(
  demo.products.map((p, i) => {
    const v = [...CATEGORIES.map((c) => (c === p.category ? 1 : 0)), ...METALS.map((m) => (m === p.metal ? 0.6 : 0)), ...[0, 1, 2, 3].map((d) => 0.3 * noise(i, d))];
    return [p.id, v] as [string, number[]];
  }),
);
const visual = makeVectorSearch(catalog, vectors);

describe("complete your look on the demo shop", () => {
  it("most cart recommendations are other categories of the same set or metal (before: mostly the same category)", () => {
    const w = world({ catalog, visual });
    // Carts: one piece of every 8th product that belongs to a set of at least two.
    const carts = demo.products.filter((p, i) => i % 8 === 0 && demo.sets[p.setId].length >= 2).map((p) => p.index);
    expect(carts.length).toBeGreaterThan(20);
    const run = (overrides?: Parameters<typeof recommend>[3]) =>
      complementaryShare(
        catalog,
        carts.map((item) => ({ cart: [item], recs: recommend(w, contextFor(w, { placement: "cart", cart: [catalog.ids[item]] }), 4, overrides) })),
      );
    const after = run();
    const before = run({ weights: { visual: 0.8, "cross-sell": 0.2 }, rules: { ...w.settings.placements.cart.rules, otherCategories: false } });
    console.log(`complete your look (demo shop, ${carts.length} carts, top 4): complementary share before ${before.share.toFixed(3)} (same category ${before.sameCategory}/${before.slots}), after ${after.share.toFixed(3)} (same set ${after.sameSet}/${after.slots}, same category ${after.sameCategory}/${after.slots})`);
    expect(after.share).toBeGreaterThanOrEqual(0.8);
    expect(after.sameSet).toBeGreaterThan(0);
    expect(after.share).toBeGreaterThan(before.share + 0.3);
    expect(after.sameCategory).toBeLessThan(before.sameCategory);
  });
});
