/**
 * Request latency against a real shop's snapshot (database, model folder, visual index), in-process:
 *   DATABASE_URL=file:... FACET_DATA_DIR=... node --import tsx test/hybrid/bench-snapshot.mts [shop] [requests=1000]
 * Prints the snapshot's load and build times and per-placement latency (wall and CPU).
 */
import os from "node:os";
import { buildSnapshot } from "../../app/serving/snapshot.server";
import { respond, type RecommendRequest } from "../../app/serving/recommend.server";
import { closeDb } from "../../app/db.server";
import type { Placement } from "../../app/recommend/types";

const shop = process.argv[2] ?? "demo.myshopify.com";
const R = Number(process.argv[3] ?? 1000);
const s = await buildSnapshot(shop);
const w = s.world;
console.log(`${shop}: ${s.signals.products} products, ${s.signals.customers} customers, ${s.signals.events} events; load ${s.loadMs.toFixed(0)} ms, buildWorld ${s.buildMs.toFixed(0)} ms`);
let seed = 7;
const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
const anyOf = <T,>(a: T[]) => a[Math.floor(rnd() * a.length)];
const placements: Placement[] = ["product", "home", "cart", "email", "general"];
const wall: Record<string, number[]> = {};
const cpu: number[] = [];
for (let r = 0; r < R + 200; r++) {
  const placement = placements[r % 5];
  const req: RecommendRequest = {
    shop,
    placement,
    customerId: r % 4 === 0 ? null : anyOf(w.customerIds),
    productId: placement === "product" ? anyOf(w.catalog.ids) : null,
    cart: placement === "cart" ? [anyOf(w.catalog.ids), anyOf(w.catalog.ids)] : [],
    limit: 8,
    now: s.builtAt,
  };
  const t = performance.now();
  const c0 = process.cpuUsage();
  respond(s, req, "bench");
  const c = process.cpuUsage(c0);
  if (r >= 200) {
    (wall[placement] ??= []).push(performance.now() - t);
    cpu.push((c.user + c.system) / 1000);
  }
}
const q = (a: number[], p: number) => a.slice().sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(p * a.length))];
for (const [p, a] of Object.entries(wall)) console.log(`  ${p.padEnd(8)} p50 ${q(a, 0.5).toFixed(2)} ms  p99 ${q(a, 0.99).toFixed(2)} ms`);
const all = Object.values(wall).flat();
console.log(`${all.length} requests: wall p50 ${q(all, 0.5).toFixed(2)} ms, p99 ${q(all, 0.99).toFixed(2)} ms; cpu p50 ${q(cpu, 0.5).toFixed(2)} ms, p99 ${q(cpu, 0.99).toFixed(2)} ms, mean ${(cpu.reduce((a, b) => a + b, 0) / cpu.length).toFixed(2)} ms (load average ${os.loadavg()[0].toFixed(1)}, ${os.cpus().length} cores)`);
await closeDb();
