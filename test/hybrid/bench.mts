/**
 * Bench of the hybrid recommender on a synthetic shop (no database): snapshot build time, request
 * latency per placement (in-process, one core), batch throughput.
 *   node --import tsx test/hybrid/bench.mts [products=5000] [customers=20000] [eventsPerCustomer=20] [requests=1000]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildWorld } from "../../app/recommend/buildWorld";
import { contextFor } from "../../app/recommend/context";
import { recommend } from "../../app/recommend/pipeline";
import { DEFAULT_SETTINGS } from "../../app/recommend/settings";
import { writeBatch } from "../../app/serving/batch.server";
import type { Snapshot } from "../../app/serving/snapshot.server";
import type { Placement, VectorSearch } from "../../app/recommend/types";
import { TopK } from "../../app/recommend/cf/score";
import { makeCatalog, makeEvents, makeNeighbours, profile, type EventSpec, type ProductSpec } from "./fixtures";

const [P = 5000, C = 20000, E = 20, R = 1000] = process.argv.slice(2).map(Number);
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 6, 15, 12);
let seed = 42;
const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
const pick = <T,>(a: T[]) => a[Math.floor(rnd() * a.length)];

const cats = ["rings", "necklaces", "earrings", "bracelets", "pendants"];
const DIM = 64;
const specs: ProductSpec[] = Array.from({ length: P }, (_, i) => ({
  id: `P${String(i).padStart(6, "0")}`,
  category: cats[i % 5],
  brand: `B${i % 12}`,
  collection: `Coll${i % 40}`,
  material: pick(["Silber", "Gold", "Rosé"]),
  gender: pick(["female", "female", "male", "unisex"]),
  price: 20 + Math.floor(rnd() * 800),
  inStock: rnd() > 0.05,
  createdAt: NOW - Math.floor(rnd() * 400) * DAY,
}));
const catalog = makeCatalog(specs);
const n = catalog.ids.length;

// Clustered unit vectors and an exact-scan search (a worst case next to the HNSW index in production).
const vectors = new Float32Array(n * DIM);
for (let i = 0; i < n; i++) {
  const c = i % 50;
  let norm = 0;
  for (let d = 0; d < DIM; d++) {
    const v = (d % 50 === c ? 3 : 0) + rnd() - 0.5;
    vectors[i * DIM + d] = v;
    norm += v * v;
  }
  for (let d = 0; d < DIM; d++) vectors[i * DIM + d] /= Math.sqrt(norm);
}
const visual: VectorSearch = {
  dim: DIM,
  vector: (i) => vectors.subarray(i * DIM, (i + 1) * DIM),
  search(q, k, exclude) {
    const top = new TopK(k);
    for (let i = 0; i < n; i++) {
      if (exclude?.has(i)) continue;
      let s = 0;
      for (let d = 0; d < DIM; d++) s += q[d] * vectors[i * DIM + d];
      top.push(i, s);
    }
    return top.sorted();
  },
};

const customers = Array.from({ length: C }, (_, u) =>
  profile(`C${u}`, { gender: pick(["female", "male"]), ageGroup: pick(["18-25", "26-35", "36-45", "46+"]), country: pick(["DE", "AT", "CH"]), optOut: u % 50 === 0, marketingConsent: u % 3 !== 0 }),
);
const rows: EventSpec[] = [];
for (let u = 0; u < C; u++) {
  for (let j = 0; j < E; j++) {
    const type = pick(["view", "view", "view", "click", "add_to_cart", "add_to_wishlist", "purchase"] as const);
    rows.push({ customer: `C${u}`, product: catalog.ids[Math.floor(rnd() ** 2 * n)], type, at: NOW - Math.floor(rnd() * 365) * DAY, order: type === "purchase" ? `O${u}-${j}` : undefined });
  }
}
const events = makeEvents(catalog, rows);
const F = 64;
const itemFactors = Float32Array.from({ length: n * F }, () => rnd() - 0.5);
const userFactors = Float32Array.from({ length: C * F }, () => rnd() - 0.5);
const cf = { factors: F, userIds: customers.map((c) => c.id), userIndex: new Map(customers.map((c, j) => [c.id, j])), userFactors, itemFactors, regularization: 0.1, alpha: 2 };
const pairs: [string, string, number][] = [];
for (let i = 0; i < n; i++) for (let j = 0; j < 10; j++) pairs.push([catalog.ids[i], catalog.ids[Math.floor(rnd() * n)], rnd()]);
const boughtTogether = makeNeighbours(catalog, pairs.filter(([a, b]) => a !== b));

const t0 = performance.now();
const world = buildWorld({ catalog, events, customers, cf, boughtTogether, viewedTogether: null, visual, now: NOW, settings: DEFAULT_SETTINGS });
const buildMs = performance.now() - t0;
console.log(`world: ${n} products, ${C} customers, ${events.length} events: buildWorld ${buildMs.toFixed(0)} ms`);
if (process.env.BENCH_BUILD_ONLY) process.exit(0);
if (process.env.BENCH_WARM) {
  // Steady state of a long-lived snapshot: every product's visual neighbours already memoised.
  const t = performance.now();
  for (let i = 0; i < n; i++) world.visualNeighbours(i, 50);
  console.log(`warmed the neighbour cache of ${n} products in ${(performance.now() - t).toFixed(0)} ms (exact scan)`);
}

const placements: Placement[] = ["product", "home", "cart", "email", "general"];
const times: Record<string, number[]> = {};
// CPU time per request as well: on a shared machine wall time includes waiting for a core.
const cpuTimes: number[] = [];
for (let r = 0; r < R + 100; r++) {
  const placement = placements[r % placements.length];
  const anonymous = r % 4 === 0;
  const req = {
    placement,
    customerId: anonymous ? null : `C${Math.floor(rnd() * C)}`,
    productId: placement === "product" ? catalog.ids[Math.floor(rnd() * n)] : null,
    cart: placement === "cart" ? [catalog.ids[Math.floor(rnd() * n)], catalog.ids[Math.floor(rnd() * n)]] : [],
    recent: anonymous ? [catalog.ids[Math.floor(rnd() * n)]] : undefined,
    now: NOW,
  };
  const s = performance.now();
  const cpu0 = process.cpuUsage();
  recommend(world, contextFor(world, req), 8);
  const cpu = process.cpuUsage(cpu0);
  const ms = performance.now() - s;
  if (r >= 100) {
    // the first 100 warm the JIT
    (times[placement] ??= []).push(ms);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
  }
}
const q = (a: number[], p: number) => a.slice().sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(p * a.length))];
const all = Object.values(times).flat();
for (const [p, a] of Object.entries(times)) console.log(`  ${p.padEnd(8)} n=${a.length} p50 ${q(a, 0.5).toFixed(2)} ms  p99 ${q(a, 0.99).toFixed(2)} ms`);
console.log(`requests: ${all.length}, wall p50 ${q(all, 0.5).toFixed(2)} ms, p90 ${q(all, 0.9).toFixed(2)} ms, p99 ${q(all, 0.99).toFixed(2)} ms, mean ${(all.reduce((a, b) => a + b, 0) / all.length).toFixed(2)} ms`);
console.log(`cpu time per request: p50 ${q(cpuTimes, 0.5).toFixed(2)} ms, p90 ${q(cpuTimes, 0.9).toFixed(2)} ms, p99 ${q(cpuTimes, 0.99).toFixed(2)} ms, mean ${(cpuTimes.reduce((a, b) => a + b, 0) / cpuTimes.length).toFixed(2)} ms (load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)`);

if (process.env.BENCH_NO_BATCH) process.exit(0);
const snapshot = { shop: "bench", world, modelVersion: "bench", currency: "EUR", stamp: "", builtAt: NOW, loadMs: 0, buildMs, live: new Map(), liveSince: null, signals: { visual: true, collaborative: true, boughtTogether: true, events: events.length, customers: C, products: n } } as Snapshot;
const out = path.join(os.tmpdir(), `facet-bench-${process.pid}.csv`);
for (const placement of ["home", "email"] as const) {
  const b = writeBatch(snapshot, { placement, k: 10, out, now: NOW });
  console.log(`batch ${placement}: ${b.customers} customers, ${b.rows} rows in ${b.seconds.toFixed(2)} s (${((b.seconds * 1000) / Math.max(1, b.customers)).toFixed(2)} ms/customer)`);
}
fs.rmSync(out, { force: true });
