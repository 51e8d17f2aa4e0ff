/**
 * Starts one BullMQ worker per job queue (or only those named: `npm run worker -- embed train`).
 * Start-up refuses (exit 78, naming REDIS_URL) when Redis does not answer, instead of printing
 * "ready" and then reconnecting forever. SIGTERM/SIGINT close the workers gracefully: nothing new
 * is taken, running jobs get until 9 s to finish (a job cut off is retried by BullMQ's stalled-job
 * recovery), then the process exits.
 */
import { dataDir, env } from "../app/env.server";
import { keepFilesPrivate } from "../app/server/privateFiles.server";
import { pingRedis, redisConnection, startWorker } from "../app/queues/bullmq.server";
import { JOB_NAMES, type JobName } from "../app/queues/jobs";
import { closeDatabase } from "../app/models/health.server";
import { jobFunction } from "../app/jobs/registry.server";

keepFilesPrivate(dataDir()); // files 0600, folders 0700 (issue 15 point 7)
const url = env().REDIS_URL;
if (!url) {
  console.error("REDIS_URL is not set: workers need Redis. Without it, jobs run in-process in the app and the CLI.");
  process.exit(78);
}
try {
  await pingRedis(url, 3000);
} catch (e) {
  console.error(`REDIS_URL: no Redis answers at ${url} (${(e as Error).message}). Start Redis or fix REDIS_URL.`);
  process.exit(78);
}
const wanted = (process.argv.slice(2).length ? process.argv.slice(2) : JOB_NAMES) as JobName[];
const connection = redisConnection(url);
const workers = wanted.map((name) => startWorker(name, jobFunction, connection, env().WORKER_CONCURRENCY, env().FACET_QUEUE_PREFIX));
console.error(`facet workers ready: ${wanted.join(", ")}`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.error(`${signal}: closing workers (running jobs get 9 s to finish)`);
  setTimeout(() => {
    console.error("workers did not close within 9 s: exiting (their jobs are retried)");
    process.exit(1);
  }, 9000).unref();
  await Promise.all(workers.map((w) => w.close()));
  await connection.quit().catch(() => connection.disconnect());
  await closeDatabase();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
