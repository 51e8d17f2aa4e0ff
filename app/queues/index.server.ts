/** The process's queue: BullMQ when REDIS_URL is set, in-process otherwise. */
import { env } from "../env.server";
import type { QueueDriver } from "./driver";

let driver: QueueDriver | undefined;

export async function queue(): Promise<QueueDriver> {
  if (!driver) {
    const url = env().REDIS_URL;
    if (url) {
      const { BullMqDriver, webRedisConnection } = await import("./bullmq.server");
      driver = new BullMqDriver(webRedisConnection(url), env().FACET_QUEUE_PREFIX);
    } else {
      const { InProcessDriver } = await import("./inProcess.server");
      driver = new InProcessDriver();
    }
  }
  return driver;
}

/** For the CLI and tests: in-process regardless of REDIS_URL (the CLI runs the work itself). */
export async function inProcessQueue(): Promise<QueueDriver> {
  const { InProcessDriver } = await import("./inProcess.server");
  driver ??= new InProcessDriver();
  return driver;
}

export async function closeQueue(opts: { abandonWaiting?: boolean } = {}): Promise<void> {
  const d = driver;
  driver = undefined;
  await d?.close(opts);
}
