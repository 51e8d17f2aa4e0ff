/**
 * The batch job: recommendations for every customer (or a segment) into a CSV file
 * (app/serving/batch.server.ts). Safe to run twice: the file is replaced atomically. The file
 * names customers: it is recorded in the export registry (before writing, so a crash between the
 * rename and the end leaves it registered, and again after), which redaction reaches.
 */
import { BadJobInput, jobNow, type JobContext, type JobPayloads } from "../queues/jobs";
import { BATCH_PLACEMENTS, parseSegmentFilter, writeBatch, type BatchResult } from "../serving/batch.server";
import { buildSnapshot } from "../serving/snapshot.server";
import { batchThreadsAvailable, writeBatchParallel } from "../serving/batchPool.server";
import os from "node:os";
import { PLACEMENTS, type Placement } from "../recommend/types";
import { recordExportFile } from "../models/exportFile.server";

export default async function batch(payload: JobPayloads["batch"], ctx: JobContext): Promise<BatchResult & { loadSeconds: number }> {
  const placement = payload.placement as Placement;
  if (!PLACEMENTS.includes(placement) || !BATCH_PLACEMENTS.includes(placement)) {
    throw new BadJobInput(`batch: placement must be one of ${BATCH_PLACEMENTS.join(", ")} (got ${JSON.stringify(payload.placement)})`);
  }
  if (!Number.isInteger(payload.k) || payload.k < 1 || payload.k > 100) throw new BadJobInput(`batch: k must be an integer 1..100 (got ${payload.k})`);
  if (!payload.out) throw new BadJobInput("batch: out (the CSV file to write) is required");
  let segment;
  try {
    segment = payload.segment ? parseSegmentFilter(payload.segment) : undefined;
  } catch (e) {
    throw new BadJobInput((e as Error).message);
  }
  await ctx.progress(0, "loading the shop's snapshot");
  const now = jobNow(payload).getTime();
  const register = () => recordExportFile(payload.shop, payload.out, "batch", new Date(now));
  register();
  let lastReported = -1;
  const progress = (done: number, total: number) => {
    const pct = Math.floor((done / Math.max(1, total)) * 100);
    if (pct !== lastReported) {
      lastReported = pct;
      void ctx.progress(done / Math.max(1, total), `${done}/${total} customers`);
    }
  };
  if (payload.threads !== undefined && (!Number.isInteger(payload.threads) || payload.threads < 1 || payload.threads > 64)) {
    throw new BadJobInput(`batch: threads must be an integer 1..64 (got ${payload.threads})`);
  }
  const threads = payload.threads ?? Math.min(2, os.availableParallelism());
  if (threads > 1 && batchThreadsAvailable()) {
    // Both cores (issue 17): each thread loads its own snapshot and answers every threads-th block of customers.
    const r = await writeBatchParallel(payload.shop, { placement, k: payload.k, out: payload.out, segment, now, threads, progress });
    if (r.products === 0) throw new BadJobInput(`batch: shop ${payload.shop} has no products: import or sync a catalogue first`);
    ctx.log(`${r.threads} threads: ${r.products} products, ${r.customers} customers, model ${r.modelVersion ?? "none (demographic, popularity and visual only)"}`);
    register();
    const { threads: _t, products: _p, ...result } = r;
    return result;
  }
  const t0 = performance.now();
  // A fresh snapshot of its own: a batch must not wait for, or disturb, the serving cache.
  const snapshot = await buildSnapshot(payload.shop, now);
  const loadSeconds = (performance.now() - t0) / 1000;
  if (snapshot.signals.products === 0) throw new BadJobInput(`batch: shop ${payload.shop} has no products: import or sync a catalogue first`);
  ctx.log(`snapshot: ${snapshot.signals.products} products, ${snapshot.signals.customers} customers, model ${snapshot.modelVersion ?? "none (demographic, popularity and visual only)"}`);
  const result = writeBatch(snapshot, { placement, k: payload.k, out: payload.out, segment, now, progress });
  register();
  return { ...result, loadSeconds };
}
