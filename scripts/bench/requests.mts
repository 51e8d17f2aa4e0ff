/**
 * The storefront request path in-process, without HTTP: builds the shop's snapshot from the
 * database (as the server's first request does) and answers the load test's request mix with
 * respond(), reporting CPU and wall time per placement and the heap. For profiling:
 *   DATABASE_URL=file:bench-out/full/bench.db FACET_DATA_DIR=bench-out/full/data \
 *     node --cpu-prof --import tsx scripts/bench/requests.mts <shop dir> [requests=2000] [shop] [--uniform]
 * --uniform: products drawn uniformly from the catalogue instead of from the interaction log.
 * Prints one JSON line.
 */
import os from "node:os";
import { buildSnapshot } from "../../app/serving/snapshot.server.ts";
import { respond } from "../../app/serving/recommend.server.ts";
import { closeDb } from "../../app/db.server.ts";
import { requestMix } from "./mix.mts";

const shopDir = process.argv[2];
const R = Number(process.argv[3] ?? 2000);
const shop = process.argv[4] && !process.argv[4].startsWith("--") ? process.argv[4] : "bench.myshopify.com";
if (!shopDir) throw new Error("usage: requests.mts <shop dir> [requests] [shop]");
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
const s = await buildSnapshot(shop);
const snapshotMs = performance.now() - t0;
(globalThis as { gc?: () => void }).gc?.();
const mem = process.memoryUsage();
const WARM = Math.min(500, R);
const uniform = process.argv.includes("--uniform");
const mix = requestMix(shopDir, R + WARM, { uniform });
const cpu: Record<string, number[]> = {};
const wall: Record<string, number[]> = {};
let errors = 0;
const c0 = process.cpuUsage();
const tAll = performance.now();
mix.forEach((m, r) => {
  const t = performance.now();
  const c = process.cpuUsage();
  try {
    respond(s, { shop, ...m, limit: 8, now: s.builtAt }, "bench");
  } catch (e) {
    errors++;
    if (errors < 3) console.error((e as Error).message);
  }
  const dc = process.cpuUsage(c);
  if (r < WARM) return;
  const who = m.customerId ? (m.customerId.startsWith("new-") ? "new" : "known") : m.recent ? "anon+recent" : "anon";
  for (const key of [m.placement, `${m.placement}/${who}`, "all"]) {
    (cpu[key] ??= []).push((dc.user + dc.system) / 1000);
    (wall[key] ??= []).push(performance.now() - t);
  }
});
const totalCpu = process.cpuUsage(c0);
const memAfter = process.memoryUsage();
const q = (a: number[], p: number) => a.slice().sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(p * a.length))];
const r2 = (x: number) => Math.round(x * 100) / 100;
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
const per: Record<string, unknown> = {};
for (const k of Object.keys(cpu).sort()) per[k] = { n: cpu[k].length, cpuMean: r2(mean(cpu[k])), wallP50: r2(q(wall[k], 0.5)), wallP99: r2(q(wall[k], 0.99)) };
console.log(
  JSON.stringify({
    bench: "requests",
    shop,
    products: s.signals.products,
    customers: s.signals.customers,
    events: s.signals.events,
    snapshotMs: Math.round(snapshotMs),
    loadMs: Math.round(s.loadMs),
    buildMs: Math.round(s.buildMs),
    rssMB: Math.round(mem.rss / 2 ** 20),
    rssGrowthMB: Math.round((mem.rss - rss0) / 2 ** 20),
    heapUsedMB: Math.round(mem.heapUsed / 2 ** 20),
    rssAfterRequestsMB: Math.round(memAfter.rss / 2 ** 20),
    heapUsedAfterRequestsMB: Math.round(memAfter.heapUsed / 2 ** 20),
    heapTotalAfterRequestsMB: Math.round(memAfter.heapTotal / 2 ** 20),
    externalMB: Math.round(mem.external / 2 ** 20),
    arrayBuffersMB: Math.round(mem.arrayBuffers / 2 ** 20),
    requests: R,
    productDraw: uniform ? "uniform" : "from the interaction log",
    errors,
    cpuMsPerRequest: r2((totalCpu.user + totalCpu.system) / 1000 / (R + WARM)),
    wallMsTotal: Math.round(performance.now() - tAll),
    loadavg1: r2(os.loadavg()[0]),
    per,
  }),
);
await closeDb();
