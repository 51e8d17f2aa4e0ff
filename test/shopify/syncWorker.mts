/**
 * A sync worker process for the kill -9 test: the real processor (processJob, the same job
 * functions as workers/index.ts), optionally slowed down by SLOW_MS per job so the test can kill it
 * mid-job, with short lock and stalled-check intervals so BullMQ recovers the stalled job quickly.
 * Env: DATABASE_URL, FACET_DATA_DIR, REDIS_URL, FACET_QUEUE_PREFIX, SLOW_MS.
 */
import { Worker } from "bullmq";
import { processJob, queueName, redisConnection } from "../../app/queues/bullmq.server";

const slow = Number(process.env.SLOW_MS ?? "0");
const connection = redisConnection(process.env.REDIS_URL!);
const worker = new Worker(
  queueName("sync"),
  async (job) => {
    process.stdout.write(`start ${job.id} ${Date.now()}\n`); // the time lets the test kill only mid-job
    if (slow) await new Promise((r) => setTimeout(r, slow));
    return processJob(job);
  },
  { connection, prefix: process.env.FACET_QUEUE_PREFIX!, concurrency: 1, lockDuration: 1500, stalledInterval: 500, maxStalledCount: 5 },
);
worker.on("ready", () => process.stdout.write("ready\n"));
worker.on("completed", (job) => process.stdout.write(`done ${job.id}\n`));
process.on("SIGTERM", () => void worker.close().then(() => process.exit(0)));
