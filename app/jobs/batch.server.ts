/**
 * The batch job: recommendations for every customer (or a segment) into a CSV file
 * (app/serving/batch.server.ts). Safe to run twice: the file is replaced atomically.
 */
import { BadJobInput, jobNow, type JobContext, type JobPayloads } from "../queues/jobs";
import { BATCH_PLACEMENTS, parseSegmentFilter, writeBatch, type BatchResult } from "../serving/batch.server";
import { buildSnapshot } from "../serving/snapshot.server";
import { PLACEMENTS, type Placement } from "../recommend/types";

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
  const t0 = performance.now();
  // A fresh snapshot of its own: a batch must not wait for, or disturb, the serving cache.
  const snapshot = await buildSnapshot(payload.shop, now);
  const loadSeconds = (performance.now() - t0) / 1000;
  if (snapshot.signals.products === 0) throw new BadJobInput(`batch: shop ${payload.shop} has no products: import or sync a catalogue first`);
  ctx.log(`snapshot: ${snapshot.signals.products} products, ${snapshot.signals.customers} customers, model ${snapshot.modelVersion ?? "none (demographic, popularity and visual only)"}`);
  let lastReported = -1;
  const result = writeBatch(snapshot, {
    placement,
    k: payload.k,
    out: payload.out,
    segment,
    now,
    progress: (done, total) => {
      const pct = Math.floor((done / Math.max(1, total)) * 100);
      if (pct !== lastReported) {
        lastReported = pct;
        void ctx.progress(done / Math.max(1, total), `${done}/${total} customers`);
      }
    },
  });
  return { ...result, loadSeconds };
}
