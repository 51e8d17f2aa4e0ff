/**
 * Import throughput and memory on a synthetic interactions file (not a test: run by hand).
 *   node --import tsx test/import/bench-import.mts [rows=200000]
 *   BENCH_DB=postgres node --import tsx test/import/bench-import.mts [rows]   (PostgreSQL at
 *   BENCH_PG_URL, default postgresql://postgres@127.0.0.1:5432/postgres: a fresh database named
 *   ${BENCH_PG_PREFIX:-facet_bench}_<random>, dropped after; import writes multi-row INSERTs there)
 * Prints rows/s for the whole import (validation + write), rows per CPU-second (fairer on a
 * shared machine), the 1-minute load average, and the peak RSS growth.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const rows = Number(process.argv[2] ?? 200_000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "facet-bench-"));
const onPg = process.env.BENCH_DB === "postgres";
let dropPg = async () => {};
if (onPg) {
  const pg = (await import("pg")).default;
  const admin = process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  const name = `${process.env.BENCH_PG_PREFIX ?? "facet_bench"}_${Math.random().toString(16).slice(2, 10)}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE "${name}"`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  process.env.DATABASE_URL = u.toString();
  dropPg = async () => {
    const d = new pg.Client({ connectionString: admin });
    await d.connect();
    await d.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await d.end();
  };
} else process.env.DATABASE_URL = `file:${path.join(dir, "bench.db")}`;
const data = path.join(dir, "shop");
fs.mkdirSync(data);
const products = 2000;
const customers = 20000;
fs.writeFileSync(path.join(data, "products.csv"), "product_id,title,category,brand,price,image_url,material,stock_status\n" +
  Array.from({ length: products }, (_, i) => `P${i},Ring ${i},rings,Facet,${(10 + i % 90).toFixed(2)},,Silber,in_stock\n`).join(""));
fs.writeFileSync(path.join(data, "customers.csv"), "customer_id,location_country\n" + Array.from({ length: customers }, (_, i) => `C${i},DE\n`).join(""));
const types = ["view", "click", "add_to_cart", "purchase"];
const out = fs.openSync(path.join(data, "interactions.csv"), "w");
fs.writeSync(out, "interaction_id,customer_id,product_id,interaction_type,timestamp,session_id\n");
let chunk: string[] = [];
for (let i = 0; i < rows; i++) {
  const t = new Date(Date.UTC(2024, 0, 1) + i * 15_000).toISOString().replace("T", " ").slice(0, 19);
  chunk.push(`1${String(i).padStart(18, "0")},C${(i * 7919) % customers},P${(i * 104729) % products},${types[i % 4]},${t},s${i >> 3}\n`);
  if (chunk.length === 10_000) { fs.writeSync(out, chunk.join("")); chunk = []; }
}
fs.writeSync(out, chunk.join(""));
fs.closeSync(out);
const bytes = fs.statSync(path.join(data, "interactions.csv")).size;

const { importFolder } = await import("../../app/import/importFolder.server");
const { closeDb, rawDb } = await import("../../app/db.server");
rawDb(); // open + migrate before measuring
global.gc?.();
const rss0 = process.memoryUsage().rss;
let peak = rss0;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const r = await importFolder({ shop: "bench.myshopify.com", dir: data, dryRun: process.env.DRY === "1", onProgress: () => (peak = Math.max(peak, process.memoryUsage().rss)) });
const secs = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuSecs = (cpu.user + cpu.system) / 1e6;
clearInterval(timer);
const total = rows + products + customers;
console.log(JSON.stringify({ db: onPg ? "postgres" : "sqlite", ok: r.ok, interactions: rows, fileMB: +(bytes / 1e6).toFixed(1), seconds: +secs.toFixed(2), rowsPerSec: Math.round(total / secs), cpuSeconds: +cpuSecs.toFixed(2), rowsPerCpuSec: Math.round(total / cpuSecs), loadAvg1m: +os.loadavg()[0].toFixed(1), peakRssGrowthMB: Math.round((peak - rss0) / 1e6) }));
await closeDb();
await dropPg();
fs.rmSync(dir, { recursive: true, force: true });
