/**
 * Personal data in the queue: BullMQ keeps a job's data in Redis (finished jobs for 24 hours), and a
 * sync job's data is the webhook body. A customer redaction therefore also removes the shop's jobs
 * whose data names the customer (finished, failed, or still waiting: a pending customers/update of
 * a redacted customer must not run), and finally rewrites the redact job's own data. No-op without
 * Redis (the in-process driver keeps nothing once a job is done).
 */
import { Queue, type JobType } from "bullmq";
import { env } from "../env.server";
import { queueName, redisConnection } from "../queues/bullmq.server";
import type { JobName } from "../queues/jobs";

const QUEUES: JobName[] = ["sync", "redact", "bulkSync"];
const STATES: JobType[] = ["completed", "failed", "wait", "delayed", "prioritized"];

export async function purgeJobData(shop: string, mentions: (text: string) => boolean, ownJobId?: string): Promise<number> {
  const e = env();
  if (!e.REDIS_URL) return 0;
  const connection = redisConnection(e.REDIS_URL);
  let removed = 0;
  try {
    for (const name of QUEUES) {
      const q = new Queue(queueName(name), { connection, prefix: e.FACET_QUEUE_PREFIX });
      try {
        for (const job of await q.getJobs([...STATES])) {
          if (!job || job.id === ownJobId || (job.data as { shop?: string })?.shop !== shop) continue;
          if (!mentions(JSON.stringify(job.data))) continue;
          await job.remove().then(
            () => removed++,
            () => job.updateData({ shop, redacted: true }), // locked by a worker right now: blank its data instead
          );
        }
        if (ownJobId && name === "redact") await (await q.getJob(ownJobId))?.updateData({ shop, redacted: true });
      } finally {
        await q.close();
      }
    }
  } finally {
    await connection.quit();
  }
  return removed;
}
