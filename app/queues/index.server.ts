/** The process's queue: BullMQ when REDIS_URL is set, in-process otherwise. */
import { env } from "../env.server";
import type { QueueDriver } from "./driver";
import type { JobLookup } from "./jobs";

let driver: QueueDriver | undefined;
let jobs: JobLookup | undefined;

/**
 * The entry point gives the queue its job registry once, before the first job runs (the server:
 * app/entry.server.tsx; the CLI: app/cli/main.ts; tests: test/helpers/jobs.ts), as BullMQ's
 * Worker takes its processor; workers/index.ts passes it to startWorker.
 */
export function provideJobs(lookup: JobLookup): void {
  jobs = lookup;
}

function registry(): JobLookup {
  if (!jobs) throw new Error("app/queues: no job registry was given: the entry point must call provideJobs(jobFunction) from app/jobs/registry.server before jobs run in-process.");
  return jobs;
}

export async function queue(): Promise<QueueDriver> {
  if (!driver) {
    const url = env().REDIS_URL;
    if (url) {
      const { BullMqDriver, webRedisConnection } = await import("./bullmq.server");
      driver = new BullMqDriver(webRedisConnection(url), env().FACET_QUEUE_PREFIX);
    } else {
      const { InProcessDriver } = await import("./inProcess.server");
      driver = new InProcessDriver(registry());
    }
  }
  return driver;
}

/** For the CLI and tests: in-process regardless of REDIS_URL (the CLI runs the work itself). */
export async function inProcessQueue(): Promise<QueueDriver> {
  const { InProcessDriver } = await import("./inProcess.server");
  driver ??= new InProcessDriver(registry());
  return driver;
}

export async function closeQueue(opts: { abandonWaiting?: boolean } = {}): Promise<void> {
  const d = driver;
  driver = undefined;
  await d?.close(opts);
}
