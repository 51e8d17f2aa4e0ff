/**
 * Keeping the model fresh after Shopify changes:
 * - a changed product is re-embedded and re-indexed within a minute: `embedSoon` enqueues `embed`
 *   for that product with a job id per 20-second window, delayed to the window's end, so a burst of
 *   updates to one product costs one embed that sees the latest row;
 * - new orders and pixel events: `retrainCheckSoon` enqueues `retrainCheck` (one per shop per
 *   minute), which enqueues `train` when the distinct real customers (signed: orders, proven
 *   pixel customers; anonymous events do not count) with new behaviour since the last training reach
 *   the shop's threshold (Setting "freshness.retrainThreshold", default below);
 * - on a schedule: `scheduleRetrain` registers a BullMQ job scheduler on the train queue (every
 *   Setting "freshness.retrainEveryHours" hours, default 24) when REDIS_URL is set. Without Redis
 *   there is no scheduler: run `facet train` from cron.
 * (Orders and events reach recommendations at once without a retrain: serving folds in recent
 * behaviour from the database at request time.)
 */
import { env } from "../env.server";
import { readSetting } from "../models/setting.server";
import { queue } from "../queues/index.server";
import { systemClock } from "../clock";

/** Default number of distinct real customers with new orders or proven events since the last training that triggers a retrain. */
export const DEFAULT_RETRAIN_THRESHOLD = 50;
/** Default hours between scheduled retrains. */
export const DEFAULT_RETRAIN_EVERY_HOURS = 24;

/** Debounce windows; tests shorten them. */
export const freshnessTiming = { embedWindowMs: 20_000, retrainCheckWindowMs: 60_000 };

const safeId = (s: string) => s.replace(/[^\w.-]/g, "_");

/** Enqueues a debounced embed of these products (job id per product and window). */
export async function embedSoon(shop: string, productIds: string[], now = systemClock.nowMs()): Promise<string[]> {
  const w = freshnessTiming.embedWindowMs;
  const bucket = w > 0 ? Math.floor(now / w) : now;
  const delayMs = w > 0 ? (bucket + 1) * w - now : 0;
  const q = await queue();
  const ids: string[] = [];
  for (const productId of productIds) {
    const h = await q.enqueue("embed", { shop, productIds: [productId] }, { jobId: `embed-${safeId(shop)}-${safeId(productId)}-${bucket}`, delayMs });
    ids.push(h.id);
  }
  return ids;
}

/** Enqueues one retrain check per shop and window. */
export async function retrainCheckSoon(shop: string, now = systemClock.nowMs()): Promise<string> {
  const w = env().RETRAIN_CHECK_WINDOW_MS ?? freshnessTiming.retrainCheckWindowMs;
  const bucket = w > 0 ? Math.floor(now / w) : now;
  const delayMs = w > 0 ? (bucket + 1) * w - now : 0;
  const h = await (await queue()).enqueue("retrainCheck", { shop }, { jobId: `retrainCheck-${safeId(shop)}-${bucket}`, delayMs, attempts: 2 });
  return h.id;
}

/**
 * Registers (or updates) the shop's repeatable retrain on the BullMQ train queue. Returns false
 * without Redis. `prefix` must match the workers' (FACET_QUEUE_PREFIX).
 */
export async function scheduleRetrain(shop: string, everyHours?: number, prefix = env().FACET_QUEUE_PREFIX, redisUrl = env().REDIS_URL): Promise<boolean> {
  if (!redisUrl) return false;
  if (everyHours === undefined) {
    const stored = Number(readSetting(shop, "freshness.retrainEveryHours"));
    everyHours = Number.isFinite(stored) && stored > 0 ? stored : DEFAULT_RETRAIN_EVERY_HOURS;
  }
  const { upsertRepeatable } = await import("../queues/bullmq.server");
  await upsertRepeatable(
    { schedulerId: `train-schedule-${safeId(shop)}`, name: "train", everyMs: Math.max(1, everyHours) * 3600 * 1000, data: { shop, reason: "schedule" }, attempts: 2, keep: 50 },
    prefix,
    redisUrl,
  );
  return true;
}

export async function unscheduleRetrain(shop: string, prefix = env().FACET_QUEUE_PREFIX, redisUrl = env().REDIS_URL): Promise<boolean> {
  if (!redisUrl) return false;
  const { removeRepeatable } = await import("../queues/bullmq.server");
  return removeRepeatable("train", `train-schedule-${safeId(shop)}`, prefix, redisUrl);
}
