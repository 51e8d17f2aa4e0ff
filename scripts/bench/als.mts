/**
 * ALS throughput at 64 factors on a synthetic 100k customers x 10k products x ~1M interactions
 * matrix (seeded: 40 taste groups, Zipf-like product popularity, event-type mix of the seed's
 * priority). Runs a few iterations with 1 and 2 threads and prints JSON.
 *   node --import tsx scripts/bench/als.mts [--users 100000] [--items 10000] [--nnz 1000000]
 *     [--factors 64] [--iterations 3] [--cg 3] [--threads 1,2] [--kernels wasm,js] [--phases]
 * --phases: instead, CPU milliseconds of each phase of an iteration (single thread, per kernel).
 * Wall time and CPU time (process.cpuUsage: all threads) per iteration, steady state (the median
 * after the first iteration): on a shared machine the wall time measures the neighbours too; the
 * nnz-iterations per CPU second are what the kernel costs per core.
 */
import { parseArgs } from "node:util";
import os from "node:os";
import { GRAM_CHUNK, sumGram, trainAls } from "../../app/recommend/cf/als.ts";
import { symmetricEigen } from "../../app/recommend/cf/eigen.ts";
import { createBackendSpec } from "../../app/recommend/cf/backend.ts";
import { serialEngine } from "../../app/recommend/cf/pool.ts";
import { csrFromTriplets, nnz, transpose } from "../../app/recommend/cf/csr.ts";
import { mulberry32 } from "../../app/recommend/random.ts";

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "100000" },
    items: { type: "string", default: "10000" },
    nnz: { type: "string", default: "1000000" },
    factors: { type: "string", default: "64" },
    iterations: { type: "string", default: "3" },
    cg: { type: "string", default: "3" },
    threads: { type: "string", default: "1,2" },
    kernels: { type: "string", default: "wasm,js" },
    phases: { type: "boolean", default: false },
  },
});
const nUsers = Number(values.users);
const nItems = Number(values.items);
const target = Number(values.nnz);

function synthesize() {
  const rng = mulberry32(7);
  const groups = 40;
  // Zipf-like popularity: cumulative weights 1 / (rank + 10)^0.9
  const cum = new Float64Array(nItems);
  let acc = 0;
  for (let i = 0; i < nItems; i++) cum[i] = acc += 1 / Math.pow(i + 10, 0.9);
  const popular = () => {
    const t = rng() * acc;
    let lo = 0, hi = nItems - 1;
    while (lo < hi) { const m = (lo + hi) >> 1; if (cum[m] < t) lo = m + 1; else hi = m; }
    return lo;
  };
  const strengths = [10, 6, 4, 2, 1, 0.5];
  const n = Math.round(target * 1.075); // a few duplicates get summed
  const rows = new Int32Array(n), cols = new Int32Array(n), vals = new Float32Array(n);
  for (let t = 0; t < n; t++) {
    const u = Math.floor(rng() * nUsers);
    const g = u % groups;
    // 70 %: a product of the customer's taste group (same residue), else by popularity
    let i = popular();
    if (rng() < 0.7) i = (i - (i % groups) + g) % nItems;
    rows[t] = u; cols[t] = i; vals[t] = strengths[Math.floor(rng() * rng() * strengths.length)];
  }
  const users = csrFromTriplets(nUsers, nItems, rows, cols, vals);
  return { users, items: transpose(users) };
}

const t0 = performance.now();
const matrix = synthesize();
const total = nnz(matrix.users);
const setupSeconds = (performance.now() - t0) / 1000;
if (values.phases) {
  const f = Number(values.factors);
  const rng = mulberry32(3);
  const cpuMs = (fn: () => void) => {
    const c0 = process.cpuUsage();
    fn();
    const d = process.cpuUsage(c0);
    return Math.round((d.user + d.system) / 1000);
  };
  const out: Record<string, unknown>[] = [];
  for (const kernel of String(values.kernels).split(",") as ("wasm" | "js")[]) {
    const x = Float32Array.from({ length: nUsers * f }, () => rng() * 0.01);
    const y = Float32Array.from({ length: nItems * f }, () => rng() * 0.01);
    const e = serialEngine(createBackendSpec({ kind: kernel, shared: false, ...matrix, x, y, f, alpha: 2, cgSteps: Number(values.cg), chunk: GRAM_CHUNK, threads: 1 }));
    for (let rep = 0; rep < Number(values.iterations); rep++) {
      let g = new Float64Array();
      const gramCustomers = cpuMs(() => { e.gram(0); g = sumGram(e.backend.parts(0), f, 1); });
      const solveProducts = cpuMs(() => e.solve(1, g));
      const gramProducts = cpuMs(() => { e.gram(1); g = sumGram(e.backend.parts(1), f, 1); });
      if (e.backend.rotates) {
        // The default route: eigenbasis of Y^T Y + lambda I, rotate both sides, diagonal solve.
        let eig = { values: new Float64Array(), vectors: new Float64Array() };
        const eigen = cpuMs(() => { eig = symmetricEigen(g, f); });
        const rotate = cpuMs(() => e.rotate(eig.vectors));
        const solveCustomers = cpuMs(() => e.solveDiagonal(eig.values));
        out.push({ kernel, iteration: rep + 1, gramCustomers, solveProducts, gramProducts, eigen, rotate, solveCustomers });
      } else {
        const solveCustomers = cpuMs(() => e.solve(0, g));
        out.push({ kernel, iteration: rep + 1, gramCustomers, solveProducts, gramProducts, solveCustomers });
      }
    }
  }
  console.log(JSON.stringify({ nnz: total, factors: f, cpuMilliseconds: out }, null, 2));
  process.exit(0);
}
const runs = [];
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const kernel of String(values.kernels).split(",") as ("wasm" | "js")[]) {
  for (const threads of String(values.threads).split(",").map(Number)) {
    const iterations = Number(values.iterations);
    // CPU time (all threads) and wall time between the driver's per-iteration log lines.
    const cpuMarks: number[] = [];
    const wallMarks: number[] = [];
    const mark = () => {
      const c = process.cpuUsage();
      cpuMarks.push((c.user + c.system) / 1e6);
      wallMarks.push(performance.now() / 1000);
    };
    trainAls(matrix, {
      factors: Number(values.factors), iterations, cgSteps: Number(values.cg), threads, seed: 1, parallelMinNnz: 0, kernel,
    }, (m) => {
      if (/ setup /.test(m) || /iteration \d+\//.test(m)) mark();
      process.stderr.write(m + "\n");
    });
    const cpu = cpuMarks.slice(1).map((c, i) => c - cpuMarks[i]);
    const wall = wallMarks.slice(1).map((w, i) => w - wallMarks[i]);
    // The first iteration warms up (JIT, page faults): the median of the rest when there is a rest.
    const steady = (a: number[]) => (a.length > 1 ? median(a.slice(1)) : a[0]);
    const wallS = steady(wall);
    const cpuS = steady(cpu);
    runs.push({
      kernel,
      threads,
      wallSecondsPerIteration: +wallS.toFixed(3),
      cpuSecondsPerIteration: +cpuS.toFixed(3),
      nnzIterationsPerWallSecond: Math.round(total / wallS),
      nnzIterationsPerWallSecondPerCore: Math.round(total / wallS / threads),
      nnzIterationsPerCpuSecond: Math.round(total / cpuS),
      perIteration: wall.map((w, i) => ({ wall: +w.toFixed(3), cpu: +cpu[i].toFixed(3) })),
    });
  }
}
console.log(JSON.stringify({
  users: nUsers, items: nItems, nnz: total, factors: Number(values.factors), cgSteps: Number(values.cg),
  iterations: Number(values.iterations), generateSeconds: +setupSeconds.toFixed(2),
  cpu: os.cpus()[0]?.model, cores: os.availableParallelism(), loadAverage: os.loadavg().map((l) => +l.toFixed(2)), node: process.version, runs,
}, null, 2));
