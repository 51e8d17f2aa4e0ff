/** Unit tests of the pieces: CSR building, confidence and decay, item-item scores, top-k, fold-in, alignment. */
import { describe, expect, it } from "vitest";
import { alignToCatalog } from "../../app/recommend/cf/align";
import { gramOf, sumGram } from "../../app/recommend/cf/als";
import { buildInteractionMatrix, confidenceSettings, decay, DEFAULT_CONFIDENCE } from "../../app/recommend/cf/confidence";
import { csrFromTriplets, transpose, valueAt } from "../../app/recommend/cf/csr";
import { entriesFromEvents, foldInUser } from "../../app/recommend/cf/foldin";
import { buildBoughtTogether, buildViewedTogether, completeTheLook, neighboursOf } from "../../app/recommend/cf/itemItem";
import { createBackendSpec, wasmKernelModule } from "../../app/recommend/cf/backend";
import { cgScratch, gramRows, solveRowsCg, splitRows } from "../../app/recommend/cf/kernel";
import { serialEngine } from "../../app/recommend/cf/pool";
import { mulberry32 } from "../../app/recommend/random";
import { topKForUser, TopK } from "../../app/recommend/cf/score";
import type { Catalog } from "../../app/recommend/types";
import { DAY, eventTable, NOW } from "./world";

describe("CSR", () => {
  it("sorts columns within rows, sums duplicates, drops non-positive sums", () => {
    const m = csrFromTriplets(3, 4, Int32Array.from([2, 0, 0, 2, 0, 1]), Int32Array.from([1, 3, 1, 1, 3, 2]), Float32Array.from([1, 2, 3, 4, -2, -1]), 6, 0);
    expect([...m.indptr]).toEqual([0, 1, 1, 2]);
    expect([...m.indices]).toEqual([1, 1]);
    expect([...m.data]).toEqual([3, 5]); // row 0: col 3 = 2 - 2 dropped; row 1: -1 dropped; row 2: 1 + 4
  });

  it("transposes back and forth", () => {
    const rng = mulberry32(1);
    const n = 500;
    const r = Int32Array.from({ length: n }, () => Math.floor(rng() * 30));
    const c = Int32Array.from({ length: n }, () => Math.floor(rng() * 20));
    const v = Float32Array.from({ length: n }, () => 1 + Math.floor(rng() * 5));
    const m = csrFromTriplets(30, 20, r, c, v);
    const t = transpose(m);
    const back = transpose(t);
    expect(back).toEqual(m);
    let sum = 0;
    for (let k = 0; k < n; k++) sum += v[k];
    expect(m.data.reduce((a, b) => a + b, 0)).toBeCloseTo(sum, 3);
    for (let k = 0; k < 50; k++) expect(valueAt(t, c[k], r[k])).toBe(valueAt(m, r[k], c[k]));
    for (let row = 0; row < 30; row++) {
      const cols = [...m.indices.subarray(m.indptr[row], m.indptr[row + 1])];
      expect(cols).toEqual([...new Set(cols)].sort((a, b) => a - b));
    }
  });

  it("rejects indices out of range, saying which", () => {
    expect(() => csrFromTriplets(2, 2, Int32Array.from([0]), Int32Array.from([5]), Float32Array.from([1]))).toThrow(/index 5 at triplet 0/);
  });
});

describe("confidence", () => {
  const s = DEFAULT_CONFIDENCE;
  const strength = (...rows: Parameters<typeof eventTable>[1]) => {
    const { users } = buildInteractionMatrix(eventTable(1, rows), 3, s, NOW);
    return valueAt(users, 0, 0);
  };

  it("follows the seed's priority: purchase > wishlist > cart > long view > click > short view", () => {
    const w = [
      strength({ customer: 0, item: 0, type: "purchase", fromOrder: true, at: NOW }),
      strength({ customer: 0, item: 0, type: "add_to_wishlist", at: NOW }),
      strength({ customer: 0, item: 0, type: "add_to_cart", at: NOW }),
      strength({ customer: 0, item: 0, type: "view", duration: 31, at: NOW }),
      strength({ customer: 0, item: 0, type: "click", at: NOW }),
      strength({ customer: 0, item: 0, type: "view", duration: 30, at: NOW }),
    ];
    expect(w).toEqual([...w].sort((a, b) => b - a));
    expect(new Set(w).size).toBe(6);
    expect(w[0]).toBe(s.weights.purchase);
    expect(w[5]).toBe(s.shortViewWeight);
  });

  it("halves an event's strength per half-life and counts quantity up to the cap", () => {
    const fresh = strength({ customer: 0, item: 0, type: "purchase", fromOrder: true, at: NOW });
    const old = strength({ customer: 0, item: 0, type: "purchase", fromOrder: true, at: NOW - s.halfLifeDays * DAY });
    expect(old).toBeCloseTo(fresh / 2, 5);
    expect(decay(2 * 90 * DAY, 90)).toBeCloseTo(0.25, 10);
    expect(decay(-DAY, 90)).toBe(1);
    expect(decay(1e12, 0)).toBe(1);
    expect(strength({ customer: 0, item: 0, type: "purchase", fromOrder: true, quantity: 2, at: NOW })).toBe(2 * fresh);
    expect(strength({ customer: 0, item: 0, type: "purchase", fromOrder: true, quantity: 40, at: NOW })).toBe(s.maxQuantity * fresh);
  });

  it("removes cancelled or returned order lines and lowers with remove_from_cart", () => {
    expect(strength({ customer: 0, item: 0, type: "purchase", fromOrder: true, cancelled: true, at: NOW })).toBe(0);
    const cart = strength({ customer: 0, item: 0, type: "add_to_cart", at: NOW });
    const removed = strength({ customer: 0, item: 0, type: "add_to_cart", at: NOW }, { customer: 0, item: 0, type: "remove_from_cart", at: NOW });
    expect(removed).toBeLessThan(cart);
    expect(removed).toBeGreaterThan(0);
    // Only removals: nothing stored.
    expect(strength({ customer: 0, item: 0, type: "remove_from_cart", at: NOW })).toBe(0);
  });

  it("skips anonymous events and merges partial settings over the defaults", () => {
    const { users } = buildInteractionMatrix(eventTable(1, [{ customer: -1, item: 0, type: "purchase" }]), 3, s, NOW);
    expect(users.indptr[1]).toBe(0);
    const c = confidenceSettings({ weights: { click: 3 } as never, halfLifeDays: 30 });
    expect(c.weights.click).toBe(3);
    expect(c.weights.purchase).toBe(s.weights.purchase);
    expect(c.halfLifeDays).toBe(30);
  });
});

describe("item-item", () => {
  // Orders: {0,1} x3, {0,2} x1, {1,2} x1, {3,4} x1; a cancelled {0,3}; a session viewing {2,4} twice.
  const rows = [
    ...[0, 1, 2].flatMap((b) => [{ customer: 0, item: 0, type: "purchase" as const, fromOrder: true, basket: b }, { customer: 0, item: 1, type: "purchase" as const, fromOrder: true, basket: b }]),
    { customer: 1, item: 0, type: "purchase" as const, fromOrder: true, basket: 3 }, { customer: 1, item: 2, type: "purchase" as const, fromOrder: true, basket: 3 },
    { customer: 1, item: 1, type: "purchase" as const, fromOrder: true, basket: 4 }, { customer: 1, item: 2, type: "purchase" as const, fromOrder: true, basket: 4 },
    { customer: 2, item: 3, type: "purchase" as const, fromOrder: true, basket: 5 }, { customer: 2, item: 4, type: "purchase" as const, fromOrder: true, basket: 5 },
    { customer: 2, item: 0, type: "purchase" as const, fromOrder: true, basket: 6, cancelled: true }, { customer: 2, item: 3, type: "purchase" as const, fromOrder: true, basket: 6, cancelled: true },
    { customer: -1, item: 2, type: "view" as const, basket: 100 }, { customer: -1, item: 4, type: "view" as const, basket: 100 }, { customer: -1, item: 4, type: "click" as const, basket: 100 },
    { customer: -1, item: 2, type: "view" as const, basket: 101 }, { customer: -1, item: 4, type: "view" as const, basket: 101 },
  ];
  const events = eventTable(3, rows);

  it("scores bought-together pairs by cosine with shrinkage", () => {
    const nb = buildBoughtTogether(events, 5, { shrink: 1 });
    // n(0) = 4 baskets, n(1) = 4, n(0,1) = 3: 3 / (sqrt(16) + 1)
    expect(neighboursOf(nb, 0)[0].item).toBe(1);
    expect(neighboursOf(nb, 0)[0].score).toBeCloseTo(3 / 5, 6);
    // n(2) = 2, n(0,2) = 1: 1 / (sqrt(8) + 1)
    expect(neighboursOf(nb, 0)[1].score).toBeCloseTo(1 / (Math.sqrt(8) + 1), 6);
    expect(neighboursOf(nb, 0).map((n) => n.item)).not.toContain(3); // only via a cancelled order
    expect(neighboursOf(nb, 3)).toEqual([{ item: 4, score: expect.closeTo(1 / 2, 6) }]);
  });

  it("scores lift with shrinkage", () => {
    const nb = buildBoughtTogether(events, 5, { measure: "lift", shrink: 1 });
    // N = 6 baskets, n(3) = n(4) = 1, n(3,4) = 1: 1/2 * 1 * 6 / 1
    expect(neighboursOf(nb, 3)[0].score).toBeCloseTo(3, 6);
  });

  it("builds viewed-together from sessions and completes a look from a cart", () => {
    const vt = buildViewedTogether(events, 5, { minCount: 2, shrink: 0 });
    expect(neighboursOf(vt, 2)).toEqual([{ item: 4, score: expect.closeTo(1, 6) }]);
    const bt = buildBoughtTogether(events, 5, { shrink: 1 });
    const look = completeTheLook(bt, [0, 1], 3);
    expect(look[0].item).toBe(2); // goes with both cart items
    expect(look.map((l) => l.item)).not.toContain(0);
  });
});

describe("top-k", () => {
  it("equals a full sort, with exclusions and ties broken by index", () => {
    const rng = mulberry32(3);
    const f = 5;
    const items = Float32Array.from({ length: 300 * f }, () => rng() - 0.5);
    const u = Float32Array.from({ length: f }, () => rng() - 0.5);
    const exclude = new Set([1, 2, 3, 50]);
    const full = [...Array(300).keys()]
      .filter((i) => !exclude.has(i))
      .map((i) => ({ item: i, score: [...Array(f).keys()].reduce((s, k) => s + u[k] * items[i * f + k], 0) }))
      .sort((a, b) => b.score - a.score);
    const top = topKForUser(u, items, f, 10, exclude);
    expect(top.map((t) => t.item)).toEqual(full.slice(0, 10).map((t) => t.item));
    const heap = new TopK(3);
    for (const i of [5, 1, 4, 2, 3]) heap.push(i, 1);
    expect(heap.sorted().map((s) => s.item)).toEqual([1, 2, 3]);
    expect(topKForUser(u, items, f, 0)).toEqual([]);
  });
});

describe("fold-in", () => {
  const rng = mulberry32(11);
  const f = 12;
  const nItems = 80;
  const y = Float32Array.from({ length: nItems * f }, () => (rng() - 0.5) * 0.6);
  const params = { regularization: 0.5, alpha: 2 };
  const entries = [{ item: 3, confidence: 10 }, { item: 17, confidence: 2 }, { item: 40, confidence: 0.5 }, { item: 3, confidence: 4 }];

  it("equals the exact least-squares solution (CG run to convergence) given the product factors", () => {
    const gram = gramOf(y, f);
    const v = foldInUser(y, f, gram, entries, params);
    // Independent route: the training kernel with many CG steps from zero, on one CSR row.
    const row = csrFromTriplets(1, nItems, Int32Array.from([0, 0, 0, 0]), Int32Array.from(entries.map((e) => e.item)), Float32Array.from(entries.map((e) => e.confidence)));
    const parts = new Float64Array(f * f);
    gramRows(y, f, 0, nItems, parts, 0);
    const x = new Float32Array(f);
    solveRowsCg(x, y, sumGram(parts, f, params.regularization), row.indptr, row.indices, row.data, f, params.alpha, 200, 0, 1, cgScratch(f));
    for (let k = 0; k < f; k++) expect(v[k]).toBeCloseTo(x[k], 5);
    // And the normal equations hold: (G + lambda I + sum alpha r y y^T) x = sum (1 + alpha r) y.
    const strength = new Map([[3, 14], [17, 2], [40, 0.5]]);
    for (let p = 0; p < f; p++) {
      let lhs = params.regularization * v[p];
      for (let i = 0; i < nItems; i++) {
        let yx = 0;
        for (let q = 0; q < f; q++) yx += y[i * f + q] * v[q];
        lhs += (1 + params.alpha * (strength.get(i) ?? 0)) * y[i * f + p] * yx;
      }
      let rhs = 0;
      for (const [i, r] of strength) rhs += (1 + params.alpha * r) * y[i * f + p];
      expect(lhs).toBeCloseTo(rhs, 4);
    }
  });

  it("gives zero without events and converts request events with the training weights", () => {
    expect([...foldInUser(y, f, gramOf(y, f), [], params)]).toEqual(new Array(f).fill(0));
    const e = entriesFromEvents([{ item: 1, type: "purchase", at: NOW }, { item: 2, type: "click", at: NOW - 90 * DAY }, { item: 3, type: "view", at: NOW }], DEFAULT_CONFIDENCE, NOW);
    expect(e).toEqual([
      { item: 1, confidence: DEFAULT_CONFIDENCE.weights.purchase },
      { item: 2, confidence: DEFAULT_CONFIDENCE.weights.click / 2 },
      { item: 3, confidence: DEFAULT_CONFIDENCE.shortViewWeight },
    ]);
  });
});

describe("kernels", () => {
  it("the WebAssembly SIMD kernel computes what the JavaScript kernel computes", () => {
    expect(wasmKernelModule()).not.toBeNull();
    const rng = mulberry32(21);
    const nU = 700, nI = 90, f = 20, n = 4000; // 700 rows: a partial Gram chunk; f = 20: 16 + 4 lanes
    const users = csrFromTriplets(nU, nI, Int32Array.from({ length: n }, () => Math.floor(rng() * nU)), Int32Array.from({ length: n }, () => Math.floor(rng() * nI)), Float32Array.from({ length: n }, () => 1 + 5 * rng()));
    const items = transpose(users);
    const x = Float32Array.from({ length: nU * f }, () => rng() - 0.5);
    const y = Float32Array.from({ length: nI * f }, () => rng() - 0.5);
    const run = (kind: "wasm" | "js") => {
      const e = serialEngine(createBackendSpec({ kind, shared: false, users, items, x, y, f, alpha: 2, cgSteps: 3, chunk: 256, threads: 1 }));
      e.gram(0);
      const gx = sumGram(e.backend.parts(0), f, 0.5);
      e.solve(1, gx);
      e.gram(1);
      const gy = sumGram(e.backend.parts(1), f, 0.5);
      e.solve(0, gy);
      return { gx, x: Float32Array.from(e.backend.x), y: Float32Array.from(e.backend.y) };
    };
    const w = run("wasm");
    const j = run("js");
    for (let k = 0; k < f * f; k++) expect(Math.abs(w.gx[k] - j.gx[k])).toBeLessThan(1e-4 * (1 + Math.abs(j.gx[k])));
    let maxDiff = 0, maxAbs = 0;
    for (let k = 0; k < j.x.length; k++) {
      maxDiff = Math.max(maxDiff, Math.abs(w.x[k] - j.x[k]));
      maxAbs = Math.max(maxAbs, Math.abs(j.x[k]));
    }
    for (let k = 0; k < j.y.length; k++) maxDiff = Math.max(maxDiff, Math.abs(w.y[k] - j.y[k]));
    expect(maxDiff).toBeLessThan(1e-3 * maxAbs);
    expect(maxAbs).toBeGreaterThan(0);
  });

  it("the streaming (column-wise) product solve is bit-identical to the row-by-row one", () => {
    const rng = mulberry32(5);
    const nU = 900, nI = 60, f = 16, n = 6000;
    // Product 7 has no entries: it must come out as zeros in both.
    const cols = Int32Array.from({ length: n }, () => { const i = Math.floor(rng() * nI); return i === 7 ? 8 : i; });
    const users = csrFromTriplets(nU, nI, Int32Array.from({ length: n }, () => Math.floor(rng() * nU)), cols, Float32Array.from({ length: n }, () => 0.5 + 5 * rng()));
    const items = transpose(users);
    const x = Float32Array.from({ length: nU * f }, () => rng() - 0.5);
    const y = Float32Array.from({ length: nI * f }, () => rng() - 0.5);
    const run = (stream: boolean, ranges: number[]) => {
      const spec = createBackendSpec({ kind: "wasm", shared: false, users, items, x, y, f, alpha: 3, cgSteps: 4, chunk: 128, threads: 1, stream });
      expect(spec.streamState >= 0).toBe(stream);
      const e = serialEngine(spec);
      e.gram(0);
      e.backend.setGram(sumGram(e.backend.parts(0), f, 0.3));
      for (let r = 0; r + 1 < ranges.length; r++) e.backend.solve(1, ranges[r], ranges[r + 1]);
      return Float32Array.from(e.backend.y);
    };
    const rowWise = run(false, [0, nI]);
    expect(Buffer.from(run(true, [0, nI]).buffer).equals(Buffer.from(rowWise.buffer))).toBe(true);
    expect(Buffer.from(run(true, [0, 13, 40, nI]).buffer).equals(Buffer.from(rowWise.buffer))).toBe(true);
    expect([...rowWise.subarray(7 * f, 8 * f)]).toEqual(new Array(f).fill(0));
  });

  it("splits rows into balanced contiguous ranges", () => {
    const indptr = Int32Array.from([0, 100, 100, 100, 200, 210, 220]);
    const b = splitRows(indptr, 6, 2, 4);
    expect(b[0]).toBe(0);
    expect(b[2]).toBe(6);
    expect(b[1]).toBeGreaterThan(0);
    expect(b[1]).toBeLessThan(6);
  });
});

describe("alignToCatalog", () => {
  it("maps rows to the current catalogue: unknown products get zero rows and no neighbours", () => {
    const cat = (ids: string[]) => ({ ids, index: new Map(ids.map((id, i) => [id, i])) }) as unknown as Catalog;
    const model = {
      itemIds: ["A", "B", "C"],
      cf: { factors: 2, userIds: [], userIndex: new Map(), userFactors: new Float32Array(), itemFactors: Float32Array.from([1, 1, 2, 2, 3, 3]), regularization: 1, alpha: 1 },
      boughtTogether: { indptr: Int32Array.from([0, 2, 3, 4]), indices: Int32Array.from([1, 2, 0, 0]), scores: Float32Array.from([0.5, 0.4, 0.5, 0.4]) },
      viewedTogether: null,
    };
    const aligned = alignToCatalog(model, cat(["C", "D", "A"]));
    expect(aligned.itemIds).toEqual(["C", "D", "A"]);
    expect([...aligned.cf!.itemFactors]).toEqual([3, 3, 0, 0, 1, 1]);
    // A's neighbours were B (gone) and C (now row 0); C's neighbour A is now row 2.
    expect(neighboursOf(aligned.boughtTogether!, 2)).toEqual([{ item: 0, score: expect.closeTo(0.4, 6) }]);
    expect(neighboursOf(aligned.boughtTogether!, 0)).toEqual([{ item: 2, score: expect.closeTo(0.4, 6) }]);
    expect(neighboursOf(aligned.boughtTogether!, 1)).toEqual([]);
    expect(alignToCatalog(model, cat(["A", "B", "C"]))).toBe(model);
  });
});

describe("eigenbasis", () => {
  it("diagonalises a symmetric matrix with an orthogonal basis", async () => {
    const { symmetricEigen } = await import("../../app/recommend/cf/eigen");
    const rng = mulberry32(4);
    const n = 24;
    const y = Float32Array.from({ length: 100 * n }, () => rng() - 0.5);
    const g = sumGram((() => { const p = new Float64Array(n * n); gramRows(y, n, 0, 100, p, 0); return p; })(), n, 0.7);
    const { values, vectors: v } = symmetricEigen(g, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let vgv = 0, vv = 0;
        for (let a = 0; a < n; a++) {
          vv += v[a * n + i] * v[a * n + j];
          for (let b = 0; b < n; b++) vgv += v[a * n + i] * g[a * n + b] * v[b * n + j];
        }
        expect(vv).toBeCloseTo(i === j ? 1 : 0, 10);
        expect(vgv).toBeCloseTo(i === j ? values[i] : 0, 8);
      }
    }
    expect(Math.min(...values)).toBeGreaterThan(0.7 - 1e-9); // + lambda: positive definite
  });

  it("training in the rotated basis predicts what training without it predicts", async () => {
    const { trainAls } = await import("../../app/recommend/cf/als");
    const { plantedWorld } = await import("./world");
    const w = plantedWorld({ customers: 300, items: 60, groups: 3, orders: 3, noise: 2, seed: 12 });
    const m = buildInteractionMatrix(w.events, w.nItems, DEFAULT_CONFIDENCE, NOW);
    const params = { factors: 16, regularization: 2, iterations: 8, kernel: "wasm" as const };
    const rotated = trainAls(m, { ...params, diagonalize: true });
    const plain = trainAls(m, { ...params, diagonalize: false });
    // The factors differ by a rotation; the scores must not.
    let maxDiff = 0, maxScore = 0;
    for (let u = 0; u < 300; u++) {
      for (let i = 0; i < 60; i++) {
        let a = 0, b = 0;
        for (let k = 0; k < 16; k++) {
          a += rotated.userFactors[u * 16 + k] * rotated.itemFactors[i * 16 + k];
          b += plain.userFactors[u * 16 + k] * plain.itemFactors[i * 16 + k];
        }
        maxDiff = Math.max(maxDiff, Math.abs(a - b));
        maxScore = Math.max(maxScore, Math.abs(b));
      }
    }
    expect(maxDiff).toBeLessThan(1e-3 * maxScore);
    expect(Buffer.from(rotated.itemFactors.buffer).equals(Buffer.from(plain.itemFactors.buffer))).toBe(false);
  });
});

describe("ALS driver", () => {
  it("stops early when the validation AUC stops improving, and logs each phase", async () => {
    const { plantedWorld } = await import("./world");
    const { trainAls } = await import("../../app/recommend/cf/als");
    const w = plantedWorld({ customers: 200, items: 60, groups: 2, orders: 4, noise: 2, seed: 8 });
    const { users, items } = buildInteractionMatrix(w.events, w.nItems, DEFAULT_CONFIDENCE, NOW);
    // Validation: for every customer, one product of their group they never touched.
    const vr: number[] = [], vc: number[] = [];
    for (let u = 0; u < 200; u++) {
      for (let i = u % 2; i < 60; i += 2) {
        if (valueAt(users, u, i) === 0) {
          vr.push(u);
          vc.push(i);
          break;
        }
      }
    }
    const validation = csrFromTriplets(200, 60, Int32Array.from(vr), Int32Array.from(vc), new Float32Array(vr.length).fill(1));
    const lines: string[] = [];
    const core = trainAls({ users, items }, { factors: 8, regularization: 2, iterations: 50, validation, patience: 2, minDelta: 1e-3 }, (m) => lines.push(m));
    expect(core.iterationsRun).toBeLessThan(50);
    expect(core.iterationsRun).toBeGreaterThanOrEqual(3);
    expect(core.metrics.validationAuc).toBeGreaterThan(0.9);
    expect(lines.some((l) => /early stop/.test(l))).toBe(true);
    expect(lines.filter((l) => /iteration \d+\/50 .* s \(products .* s, customers .* s\)/.test(l)).length).toBe(core.iterationsRun);
  });

  it("rejects bad parameters with the parameter's name", async () => {
    const { trainAls } = await import("../../app/recommend/cf/als");
    const m = csrFromTriplets(1, 1, Int32Array.from([0]), Int32Array.from([0]), Float32Array.from([1]));
    expect(() => trainAls({ users: m, items: transpose(m) }, { factors: 0 })).toThrow(/factors/);
    expect(() => trainAls({ users: m, items: transpose(m) }, { cgSteps: 1.5 })).toThrow(/cgSteps/);
  });
});
