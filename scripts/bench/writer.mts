/**
 * Writes storefront interactions into the shop's database at a steady rate while the load runs
 * (issue 17 point 6: "a run with 1 interaction per second written during the load"), through the
 * same model function the pixel's /ingest stores with (app/models/ingest.server.ts). The serving
 * process sees them as new data (its freshness check and whatever it does about them run during
 * the load, so their cost shows in the latencies).
 *
 *   DATABASE_URL=... node --import tsx scripts/bench/writer.mts <shop dir> <shop> [per second=1]
 * Runs until SIGTERM/SIGINT; prints {"written": n} on exit.
 */
import path from "node:path";
import { storeInteractions } from "../../app/models/ingest.server.ts";
import { closeDb } from "../../app/db.server.ts";
import { systemClock } from "../../app/clock.ts";
import { firstColumn } from "./mix.mts";

const [shopDir, shop, perSecondArg] = process.argv.slice(2);
if (!shopDir || !shop) throw new Error("usage: writer.mts <shop dir> <shop> [per second]");
const perSecond = Number(perSecondArg ?? 1);
const customers = firstColumn(path.join(shopDir, "customers.csv"));
const products = firstColumn(path.join(shopDir, "products.csv"));
let written = 0;
let seed = 987;
const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
const pick = <T,>(a: T[]) => a[Math.floor(rnd() * a.length)];

const timer = setInterval(() => {
  const customerId = pick(customers);
  const at = systemClock.now().toISOString();
  written += storeInteractions(shop, `bench-writer-${customerId}`, customerId, [
    { id: `bench-writer-${process.pid}-${written}`, productId: pick(products), type: rnd() < 0.8 ? "view" : "add_to_cart", timestamp: at, sessionId: null, deviceType: null, referrerSource: "bench" },
  ]);
}, 1000 / perSecond);

const stop = async () => {
  clearInterval(timer);
  await closeDb();
  console.log(JSON.stringify({ written }));
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
