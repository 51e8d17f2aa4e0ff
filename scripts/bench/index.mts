/**
 * Nearest-neighbour index at catalogue scale: build time, query latency, recall@10 against exact
 * full-dimensional search, and index size, for N synthetic product vectors in the combined visual
 * space (1,280-d MobileNetV2 + 112-d colour = 1,392-d), projected by PCA to 256-d above
 * PCA_MIN_ITEMS products (as the app does). Also exact-scan latency at a few sizes, the basis of
 * EXACT_MAX_WORK (where a scan stops being as fast as the graph).
 *
 *   node --import tsx scripts/bench/index.mts [--n 50000] [--dim 1392] [--queries 200] [--no-pca | --pca-min <n>]
 *
 * Prints one JSON line.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { ExactSearch, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH, HNSW_M, PCA_DIMS, PCA_MIN_ITEMS, ProductVectorIndex, syncIndex } from "../../app/embedding/index.ts";
import { syntheticVectors } from "../../test/embedding/synthetic.ts";

const { values } = parseArgs({ options: { n: { type: "string" }, dim: { type: "string" }, queries: { type: "string" }, "no-pca": { type: "boolean" }, "pca-min": { type: "string" } } });
const n = Number(values.n ?? 50_000);
const dim = Number(values.dim ?? 1392);
const nq = Number(values.queries ?? 200);
const root = fs.mkdtempSync(path.join(os.tmpdir(), "facet-bench-index-"));
const r2 = (x: number) => Math.round(x * 100) / 100;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

let t = performance.now();
const vectors = syntheticVectors(n, dim, { clusters: Math.max(10, Math.round(n / 250)) });
const genMs = performance.now() - t;
const items = vectors.map((vector, i) => ({ productId: `P${i}`, vector }));
const rssBefore = process.memoryUsage().rss;

t = performance.now();
const { index, stats } = syncIndex("bench.myshopify.com", "bench", items, { root, pcaMinItems: values["no-pca"] ? Infinity : Number(values["pca-min"] ?? PCA_MIN_ITEMS) });
const buildMs = performance.now() - t;
const rssAfter = process.memoryUsage().rss;
const files = fs.readdirSync(path.join(root, "index", "bench.myshopify.com"));
const bytes = files.reduce((s, f) => s + fs.statSync(path.join(root, "index", "bench.myshopify.com", f)).size, 0);

t = performance.now();
const loaded = ProductVectorIndex.load("bench.myshopify.com", "bench", root)!;
const loadMs = performance.now() - t;

// Queries: stored vectors of random products (what `similar` and the visual source do).
const queries = Array.from({ length: nq }, (_, i) => (i * 7919) % n);
const graphLatency: number[] = [];
const results: string[][] = [];
for (const q of queries) {
  const t0 = performance.now();
  const res = loaded.search(vectors[q], 11, undefined, "graph");
  graphLatency.push(performance.now() - t0);
  results.push(res.map((r) => loaded.meta.labels[r.label]!).filter((id) => id !== `P${q}`).slice(0, 10));
}
// Ground truth: exact full-dimensional search (before projection).
const exactFull = ExactSearch.from(vectors, dim);
const exactLatency: number[] = [];
let found = 0;
queries.forEach((q, i) => {
  const t0 = performance.now();
  const truth = exactFull.search(vectors[q], 11).filter((r) => r.i !== q).slice(0, 10);
  exactLatency.push(performance.now() - t0);
  const set = new Set(truth.map((r) => `P${r.i}`));
  found += results[i].filter((id) => set.has(id)).length;
});

// Graph against exact search in the index's own (projected) space: the graph's share of any loss.
let foundSpace = 0;
queries.forEach((q, i) => {
  const truth = loaded.search(vectors[q], 11, undefined, "exact").map((r) => loaded.meta.labels[r.label]!).filter((id) => id !== `P${q}`).slice(0, 10);
  const set = new Set(truth);
  foundSpace += results[i].filter((id) => set.has(id)).length;
});

// Exact scan latency by size and width: where a scan is as fast as the graph.
const crossover: Record<string, number> = {};
for (const [m, d] of [[500, 1392], [1000, 1392], [2000, 1392], [5000, 256], [10000, 112]] as const) {
  const ex = ExactSearch.from(vectors.slice(0, m).map((v) => v.subarray(0, d)), d);
  const t0 = performance.now();
  for (let i = 0; i < 50; i++) ex.search(vectors[i].subarray(0, d), 10);
  crossover[`${m}x${d}`] = r2((performance.now() - t0) / 50);
}
fs.rmSync(root, { recursive: true, force: true });

console.log(
  JSON.stringify({
    bench: "index",
    n,
    inputDim: dim,
    indexDim: index.graphDim,
    pca: stats.projected,
    pcaEnergyKept: r2(index.meta.energy),
    hnsw: { m: HNSW_M, efConstruction: HNSW_EF_CONSTRUCTION, efSearch: HNSW_EF_SEARCH },
    cores: os.availableParallelism(),
    loadavg1: r2(os.loadavg()[0]),
    generateMs: Math.round(genMs),
    buildMs: Math.round(buildMs),
    pcaFitMs: index.meta.pcaMs ?? 0,
    loadMs: Math.round(loadMs),
    indexBytes: bytes,
    rssGrowthMB: Math.round((rssAfter - rssBefore) / 1e6),
    queryMsP50: r2(pct(graphLatency, 0.5)),
    queryMsP95: r2(pct(graphLatency, 0.95)),
    exactFullScanMsP50: r2(pct(exactLatency, 0.5)),
    recallAt10VsExactFull: r2(found / (queries.length * 10)),
    recallAt10VsExactSameSpace: r2(foundSpace / (queries.length * 10)),
    exactScanMsBySize: crossover,
    pcaDims: PCA_DIMS,
  }),
);
