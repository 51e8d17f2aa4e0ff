/**
 * The embedded default: jobs run in this process, one at a time per name, with the same retry
 * policy as the BullMQ driver. Used when REDIS_URL is unset (the demo, the CLI, small shops).
 */
import crypto from "node:crypto";
import { jobFunction } from "../jobs/registry.server";
import * as runs from "../models/jobRun.server";
import type { EnqueueOptions, JobHandle, QueueDriver } from "./driver";
import type { JobName, JobPayloads } from "./jobs";

export class InProcessDriver implements QueueDriver {
  readonly kind = "in-process" as const;
  private readonly running = new Map<string, Promise<unknown>>();

  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], opts: EnqueueOptions = {}): Promise<JobHandle> {
    const id = opts.jobId ?? `${name}:${crypto.randomUUID()}`;
    const existing = this.running.get(id);
    if (existing) return { id, finished: () => existing };
    await runs.recordQueued(id, payload.shop, name, payload);
    const promise = this.run(name, payload, id, opts.attempts ?? 3, opts.delayMs ?? 0);
    promise.catch(() => undefined); // observed through finished()
    this.running.set(id, promise);
    void promise.finally(() => this.running.delete(id)).catch(() => undefined);
    return { id, finished: () => promise };
  }

  private async run<N extends JobName>(name: N, payload: JobPayloads[N], id: string, attempts: number, delayMs: number) {
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    const fn = await jobFunction(name);
    for (let attempt = 1; ; attempt++) {
      await runs.recordStarted(id, attempt);
      try {
        const result = await fn(payload, {
          jobId: id,
          attempt,
          progress: (f, m) => runs.recordProgress(id, f, m),
          log: (m) => console.error(`[${name}] ${m}`),
        });
        await runs.recordFinished(id, result);
        return result;
      } catch (e) {
        const final = attempt >= attempts || (e as { unrecoverable?: boolean }).unrecoverable === true;
        await runs.recordFailed(id, (e as Error).message, final);
        if (final) throw e;
        await new Promise((r) => setTimeout(r, 200 * 2 ** (attempt - 1)));
      }
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }
}
