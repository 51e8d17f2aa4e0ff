/**
 * A sync worker process for the kill -9 test: the real processor (processJob, the same job
 * functions as workers/index.ts). With HOLD_AFTER=n it processes n jobs, then takes the next one,
 * prints "hold <id>" and never finishes it, so the test kills it mid-job on a condition, not on a
 * timing window. Short lock and stalled-check intervals let BullMQ recover the stalled job quickly.
 * Env: DATABASE_URL, FACET_DATA_DIR, REDIS_URL, FACET_QUEUE_PREFIX, HOLD_AFTER.
 */
import { Worker } from "bullmq";
import { jobFunction } from "../../app/jobs/registry.server";
import { processJob, queueName, redisConnection } from "../../app/queues/bullmq.server";

const holdAfter = process.env.HOLD_AFTER ? Number(process.env.HOLD_AFTER) : Infinity;
let started = 0;
const connection = redisConnection(process.env.REDIS_URL!);
const worker = new Worker(
  queueName("sync"),
  async (job) => {
    if (++started > holdAfter) {
      process.stdout.write(`hold ${job.id}\n`);
      await new Promise(() => undefined); // held until the test kills this process
    }
    process.stdout.write(`start ${job.id}\n`);
    return processJob(jobFunction, job);
  },
  // 5 s, not BullMQ's 30 s: the held job is recovered within seconds of the kill. Not shorter: on
  // PostgreSQL each query holds the event loop for its round trip (the synchronous raw handle), and
  // on a loaded machine a 1.5 s lock expired under a healthy job, which then stalled until it failed.
  { connection, prefix: process.env.FACET_QUEUE_PREFIX!, concurrency: 1, lockDuration: 5000, stalledInterval: 1000, maxStalledCount: 10 },
);
worker.on("ready", () => process.stdout.write("ready\n"));
worker.on("completed", (job) => process.stdout.write(`done ${job.id}\n`));
process.on("SIGTERM", () => void worker.close().then(() => process.exit(0)));
