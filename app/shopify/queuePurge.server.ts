/**
 * Personal data in the queue: BullMQ keeps a job's data in Redis (finished jobs for 24 hours), and a
 * sync job's data is the webhook body. A customer redaction therefore also removes the shop's jobs
 * whose data names the customer (finished, failed, or still waiting: a pending customers/update of
 * a redacted customer must not run), and finally rewrites the redact job's own data. No-op without
 * Redis (the in-process driver keeps nothing once a job is done).
 */
import { env } from "../env.server";
import { purgeJobs } from "../queues/bullmq.server";
import type { JobName } from "../queues/jobs";

const QUEUES: JobName[] = ["sync", "redact", "bulkSync"];

export async function purgeJobData(shop: string, mentions: (text: string) => boolean, ownJobId?: string): Promise<number> {
  const e = env();
  if (!e.REDIS_URL) return 0;
  return purgeJobs(QUEUES, shop, mentions, e.FACET_QUEUE_PREFIX, e.REDIS_URL, ownJobId);
}
