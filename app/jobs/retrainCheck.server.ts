/**
 * The `retrainCheck` job: counts the distinct real customers (orders from signed webhooks, and
 * interactions under a customer proven by a signed link: app/models/ingest.server.ts
 * realCustomersSince) with behaviour newer than the last training, and enqueues `train` when they
 * reach the shop's threshold (Setting "freshness.retrainThreshold",
 * default DEFAULT_RETRAIN_THRESHOLD). The train job id names the model version it supersedes, so
 * many checks between two trainings enqueue one train.
 */
import { BadJobInput, type JobContext, type JobPayloads } from "../queues/jobs";
import { readSetting } from "../models/setting.server";
import { lastTrainStarted } from "../models/sync.server";
import { realCustomersSince } from "../models/ingest.server";
import { queue } from "../queues/index.server";
import { DEFAULT_RETRAIN_THRESHOLD } from "../shopify/freshness.server";

export default async function retrainCheck(payload: JobPayloads["retrainCheck"], ctx: JobContext) {
  if (!payload.shop) throw new BadJobInput("retrainCheck: payload.shop is required");
  const stored = Number(readSetting(payload.shop, "freshness.retrainThreshold"));
  const threshold = Number.isFinite(stored) && stored > 0 ? stored : DEFAULT_RETRAIN_THRESHOLD;
  const last = lastTrainStarted(payload.shop);
  const fresh = realCustomersSince(payload.shop, last?.createdAt ?? null);
  if (fresh < threshold) return { newCustomers: fresh, threshold, train: null };
  const jobId = `train-${payload.shop.replace(/[^\w.-]/g, "_")}-after-${(last?.version ?? "none").replace(/[^\w.-]/g, "_")}`;
  const h = await (await queue()).enqueue("train", { shop: payload.shop, reason: `${fresh} customers with new orders or events (threshold ${threshold})` }, { jobId, attempts: 2 });
  ctx.log(`enqueued ${h.id}`);
  await ctx.progress(0.9, "train enqueued");
  return { newCustomers: fresh, threshold, train: h.id };
}
