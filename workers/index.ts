/**
 * Starts one BullMQ worker per job queue (or only those named: `npm run worker -- embed train`).
 * SIGTERM/SIGINT close the workers gracefully: running jobs finish, nothing new is taken.
 */
import { env } from "../app/env.server";
import { redisConnection, startWorker } from "../app/queues/bullmq.server";
import { JOB_NAMES, type JobName } from "../app/queues/jobs";
import { closeDb } from "../app/db.server";

const url = env().REDIS_URL;
if (!url) {
  console.error("REDIS_URL is not set: workers need Redis. Without it, jobs run in-process in the app and the CLI.");
  process.exit(78);
}
const wanted = (process.argv.slice(2).length ? process.argv.slice(2) : JOB_NAMES) as JobName[];
const connection = redisConnection(url);
const workers = wanted.map((name) => startWorker(name, connection, env().WORKER_CONCURRENCY, env().FACET_QUEUE_PREFIX));
console.error(`facet workers ready: ${wanted.join(", ")}`);

async function shutdown(signal: string) {
  console.error(`${signal}: closing workers (running jobs finish first)`);
  await Promise.all(workers.map((w) => w.close()));
  await connection.quit();
  await closeDb();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
