/**
 * The conformance suite every collaborative model of this issue passes: ALS single-threaded, ALS
 * on worker threads, and (where the property applies: it learns no customer vectors and reads
 * order lines only) the bought-together neighbourhood scorer.
 */
import { describe, expect, it } from "vitest";
import { gramOf } from "../../app/recommend/cf/als";
import { buildInteractionMatrix, DEFAULT_CONFIDENCE } from "../../app/recommend/cf/confidence";
import { rowEntries } from "../../app/recommend/cf/csr";
import { foldInUser } from "../../app/recommend/cf/foldin";
import { buildBoughtTogether, neighboursOf } from "../../app/recommend/cf/itemItem";
import { mulberry32 } from "../../app/recommend/random";
import { topKForUser } from "../../app/recommend/cf/score";
import { trainArtifacts } from "../../app/recommend/cf/train";
import type { Catalog, CfModel, EventTable } from "../../app/recommend/types";
import { eventTable, NOW, plantedWorld, type RawEvent } from "./world";

function catalogOf(n: number): Catalog {
  const ids = Array.from({ length: n }, (_, i) => `P${String(i).padStart(4, "0")}`);
  const s = (v: string) => ids.map(() => v);
  return {
    ids, index: new Map(ids.map((id, i) => [id, i])), title: s("t"), category: s("rings"), brand: s("b"), collection: s(""),
    material: s("gold"), color: s(""), gender: s(""), stoneType: s(""), price: new Float64Array(n), inStock: new Uint8Array(n).fill(1),
    createdAt: new Float64Array(n), tags: ids.map(() => []), imageUrl: s(""), handle: s(""),
  };
}

interface Trained {
  score(user: number, item: number): number;
  cf?: CfModel;
}

interface ModelUnderTest {
  name: string;
  learnsWeights: boolean;
  train(events: EventTable, nItems: number, seed?: number): Trained;
}

const ALS = { factors: 8, iterations: 15, regularization: 2, alpha: 2, cgSteps: 3 };

function alsModel(name: string, threads: number, kernel: "wasm" | "js" = "wasm"): ModelUnderTest {
  return {
    name,
    learnsWeights: true,
    train(events, nItems, seed = 42) {
      const { cf } = trainArtifacts(catalogOf(nItems), events, { als: { ...ALS, seed, threads, kernel, parallelMinNnz: 0 } }, NOW);
      if (!cf) throw new Error("no model");
      const f = cf.factors;
      return {
        cf,
        score: (u, i) => {
          let s = 0;
          for (let k = 0; k < f; k++) s += cf.userFactors[u * f + k] * cf.itemFactors[i * f + k];
          return s;
        },
      };
    },
  };
}

const boughtTogetherModel: ModelUnderTest = {
  name: "bought-together neighbourhood",
  learnsWeights: false,
  train(events, nItems) {
    const nb = buildBoughtTogether(events, nItems, { topN: nItems });
    const bought = new Map<number, Set<number>>();
    for (let e = 0; e < events.length; e++) {
      if (events.fromOrder[e] !== 1 || events.customer[e] < 0) continue;
      const u = events.customer[e];
      if (!bought.has(u)) bought.set(u, new Set());
      bought.get(u)!.add(events.item[e]);
    }
    const sim = (a: number, b: number) => neighboursOf(nb, a).find((n) => n.item === b)?.score ?? 0;
    return { score: (u, i) => [...(bought.get(u) ?? [])].reduce((s, j) => s + sim(j, i), 0) };
  },
};

const MODELS = [
  alsModel("ALS, WebAssembly SIMD kernel, 1 thread", 1),
  alsModel("ALS, WebAssembly SIMD kernel, 2 threads (worker_threads)", 2),
  alsModel("ALS, JavaScript kernel, 1 thread", 1, "js"),
  alsModel("ALS, JavaScript kernel, 2 threads (worker_threads)", 2, "js"),
  boughtTogetherModel,
];

function seenBy(events: EventTable): Map<number, Set<number>> {
  const seen = new Map<number, Set<number>>();
  for (let e = 0; e < events.length; e++) {
    const u = events.customer[e];
    if (!seen.has(u)) seen.set(u, new Set());
    seen.get(u)!.add(events.item[e]);
  }
  return seen;
}

describe.each(MODELS)("conformance: $name", (model) => {
  it("recovers a planted checkerboard: even customers like even products", () => {
    const w = plantedWorld({ customers: 200, items: 60, groups: 2, orders: 4, noise: 2, seed: 1 });
    const m = model.train(w.events, w.nItems);
    const seen = seenBy(w.events);
    let same = 0;
    let total = 0;
    for (let u = 0; u < 200; u++) {
      const ranked = [...Array(w.nItems).keys()].filter((i) => !seen.get(u)!.has(i)).sort((a, b) => m.score(u, b) - m.score(u, a) || a - b);
      for (const i of ranked.slice(0, 5)) {
        same += i % 2 === u % 2 ? 1 : 0;
        total++;
      }
    }
    expect(same / total).toBeGreaterThan(0.95);
  });

  it("ranks a customer's held-out purchase above random products", () => {
    const w = plantedWorld({ customers: 400, items: 120, groups: 4, orders: 3, noise: 3, seed: 2 });
    // Hold out the last purchased product of the first 100 customers (all their events on it).
    const heldOut = new Map<number, number>();
    for (const r of w.rows) if (r.customer < 100 && r.fromOrder) heldOut.set(r.customer, r.item);
    const train = eventTable(400, w.rows.filter((r) => heldOut.get(r.customer) !== r.item));
    const m = model.train(train, w.nItems);
    const seen = seenBy(train);
    const rng = mulberry32(9);
    let wins = 0;
    let pairs = 0;
    for (const [u, item] of heldOut) {
      const pos = m.score(u, item);
      for (let n = 0; n < 30; n++) {
        const j = Math.floor(rng() * w.nItems);
        if (j === item || seen.get(u)?.has(j)) continue;
        const neg = m.score(u, j);
        wins += pos > neg ? 1 : pos === neg ? 0.5 : 0;
        pairs++;
      }
    }
    expect(wins / pairs).toBeGreaterThan(0.85);
  });

  it.runIf(model.learnsWeights)("respects event weights: a purchase moves a product more than a click", () => {
    const w = plantedWorld({ customers: 200, items: 60, groups: 2, orders: 4, noise: 2, seed: 3 });
    // A new customer (index 200) with the same few views, then one product bought or only clicked.
    const base: RawEvent[] = [0, 2, 4].map((item) => ({ customer: 200, item, type: "view", duration: 60, at: NOW - 86_400_000 }));
    const target = 7; // an odd product: against this customer's even views
    const bought = model.train(eventTable(201, [...w.rows, ...base, { customer: 200, item: target, type: "purchase", fromOrder: true, basket: 99_999 }]), w.nItems);
    const clicked = model.train(eventTable(201, [...w.rows, ...base, { customer: 200, item: target, type: "click" }]), w.nItems);
    expect(bought.score(200, target)).toBeGreaterThan(clicked.score(200, target));
    const rankOf = (m: Trained) => [...Array(w.nItems).keys()].sort((a, b) => m.score(200, b) - m.score(200, a)).indexOf(target);
    expect(rankOf(bought)).toBeLessThanOrEqual(rankOf(clicked));
  });

  it.runIf(model.learnsWeights)("fold-in agrees with the customer vectors of a full training", () => {
    const w = plantedWorld({ customers: 200, items: 60, groups: 3, orders: 3, noise: 3, seed: 4 });
    const m = model.train(w.events, w.nItems);
    const cf = m.cf!;
    const f = cf.factors;
    const { users } = buildInteractionMatrix(w.events, w.nItems, DEFAULT_CONFIDENCE, NOW);
    const gram = gramOf(cf.itemFactors, f);
    const cosines: number[] = [];
    for (let u = 0; u < 200; u++) {
      const v = foldInUser(cf.itemFactors, f, gram, rowEntries(users, u), cf);
      const t = cf.userFactors.subarray(u * f, (u + 1) * f);
      let dot = 0, nv = 0, nt = 0;
      for (let k = 0; k < f; k++) {
        dot += v[k] * t[k];
        nv += v[k] * v[k];
        nt += t[k] * t[k];
      }
      cosines.push(dot / Math.sqrt(nv * nt));
      // The best product of either vector scores within 1 % of the other's best under both.
      const bestV = topKForUser(v, cf.itemFactors, f, 1)[0];
      const bestT = topKForUser(t, cf.itemFactors, f, 1)[0];
      expect(Math.abs(bestV.score - bestT.score)).toBeLessThan(0.01 * Math.abs(bestT.score));
    }
    cosines.sort((a, b) => a - b);
    expect(cosines[0]).toBeGreaterThan(0.999);
    expect(cosines[100]).toBeGreaterThan(0.9999);
  });

  it("is deterministic for a seed", () => {
    const w = plantedWorld({ customers: 150, items: 40, groups: 2, orders: 3, noise: 2, seed: 5 });
    const a = model.train(w.events, w.nItems, 7);
    const b = model.train(w.events, w.nItems, 7);
    for (let u = 0; u < 150; u += 7) for (let i = 0; i < 40; i++) expect(a.score(u, i)).toBe(b.score(u, i));
    if (a.cf) {
      expect(Buffer.from(a.cf.userFactors.buffer).equals(Buffer.from(b.cf!.userFactors.buffer))).toBe(true);
      expect(Buffer.from(a.cf.itemFactors.buffer).equals(Buffer.from(b.cf!.itemFactors.buffer))).toBe(true);
      const c = model.train(w.events, w.nItems, 8);
      expect(Buffer.from(a.cf.itemFactors.buffer).equals(Buffer.from(c.cf!.itemFactors.buffer))).toBe(false);
    }
  });
});

describe.each(["wasm", "js"] as const)("ALS across thread counts (%s kernel)", (kernel) => {
  it("gives bit-identical factors with 1 and 2 threads", () => {
    const w = plantedWorld({ customers: 300, items: 50, groups: 3, orders: 3, noise: 2, seed: 6 });
    const one = alsModel("1", 1, kernel).train(w.events, w.nItems, 3).cf!;
    const two = alsModel("2", 2, kernel).train(w.events, w.nItems, 3).cf!;
    expect(Buffer.from(one.userFactors.buffer).equals(Buffer.from(two.userFactors.buffer))).toBe(true);
    expect(Buffer.from(one.itemFactors.buffer).equals(Buffer.from(two.itemFactors.buffer))).toBe(true);
  });
});
