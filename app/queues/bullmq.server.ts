/**
 * BullMQ on Redis: one queue per job name ("facet-<name>"), exponential backoff, idempotent job ids,
 * BadJobInput mapped to UnrecoverableError (no retries). Workers live in workers/.
 */
import { Queue, QueueEvents, UnrecoverableError, Worker, type Job, type JobType, type WorkerOptions } from "bullmq";
import crypto from "node:crypto";
import IORedis from "ioredis";
import { monotonicMs } from "../clock";
import { within } from "../http/unavailable.server";
import * as runs from "../models/jobRun.server";
import type { EnqueueOptions, JobHandle, QueueDriver } from "./driver";
import { BadJobInput, type JobLookup, type JobName, type JobPayloads } from "./jobs";

export const queueName = (name: JobName) => `facet-${name}`;

/** Reconnect with backoff (0.2 s, 0.4 s, ... at most 5 s) and log a lost Redis once per 30 s, not per attempt. */
function quietReconnects(connection: IORedis, url: string): IORedis {
  let lastLogged = 0;
  connection.on("error", (e: Error) => {
    const now = monotonicMs();
    if (now - lastLogged < 30_000) return;
    lastLogged = now;
    console.error(`redis ${url}: ${e.message} (retrying with backoff; further errors muted for 30 s)`);
  });
  return connection;
}
const retryStrategy = (times: number) => Math.min(times * 200, 5000);

/** Workers (blocking connections): BullMQ requires maxRetriesPerRequest: null. */
export function redisConnection(url: string): IORedis {
  return quietReconnects(new IORedis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy }), url);
}

/**
 * The web process's connection (enqueue, rate limits): one retry per command and a 2 s command
 * timeout, so a command fails within a reconnect attempt while Redis is down and the request
 * answers 503 instead of waiting (the offline queue stays on so the first command after start
 * waits for the connection instead of failing).
 */
export function webRedisConnection(url: string): IORedis {
  return quietReconnects(
    new IORedis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: 2000, retryStrategy }),
    url,
  );
}

/** One PING on a fresh connection that does not retry: start-up checks and /readyz. */
export async function pingRedis(url: string, ms: number): Promise<void> {
  const r = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: ms, retryStrategy: () => null });
  r.on("error", () => undefined);
  try {
    await within(r.connect().then(() => r.ping()), ms, "Redis");
  } finally {
    r.disconnect();
  }
}

/** How long the web process waits for Redis on an enqueue before answering 503. */
export const ENQUEUE_TIMEOUT_MS = 3000;

/**
 * A job's data as Redis keeps it (issue 15 point 7): ids and short values only (jobRun.minimalPayload:
 * no webhook body, no object) and no email address. `stored: true` tells the worker that the whole
 * payload waits in the job's JobRun row (written before the job is added).
 */
export function queueData(payload: { shop: string }): Record<string, unknown> {
  const kept = runs.minimalPayload(payload) ?? { shop: payload.shop };
  let stored = Array.isArray(kept.dropped);
  delete kept.dropped;
  for (const k of Object.keys(kept)) {
    // An absent value is not sent: a null `now` and no `now` mean the same to every job.
    if (kept[k] === null || kept[k] === undefined) {
      delete kept[k];
      continue;
    }
    if (/email/i.test(k) || (typeof kept[k] === "string" && /@/.test(kept[k] as string))) {
      delete kept[k];
      stored = true;
    }
  }
  return stored ? { ...kept, stored: true } : kept;
}

/** The payload a worker runs: the job's data, or (`stored`) the whole payload from its JobRun row. */
async function payloadOf(job: Job): Promise<unknown> {
  const data = job.data as { stored?: boolean };
  if (!data?.stored) return job.data;
  const full = await runs.storedPayload(job.id!);
  if (!full) throw new BadJobInput(`job ${job.id}: its payload is gone from JobRun (pruned or redacted): nothing to run`);
  return full;
}

export class BullMqDriver implements QueueDriver {
  readonly kind = "bullmq" as const;
  private readonly queues = new Map<JobName, Queue>();
  private readonly events = new Map<JobName, QueueEvents>();
  constructor(private readonly connection: IORedis, private readonly prefix = "facet") {}

  private queue(name: JobName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(queueName(name), { connection: this.connection, prefix: this.prefix });
      this.queues.set(name, q);
    }
    return q;
  }

  private queueEvents(name: JobName): QueueEvents {
    let e = this.events.get(name);
    if (!e) {
      // QueueEvents blocks (XREAD): its own connection, with the offline queue a blocking client needs.
      e = new QueueEvents(queueName(name), { connection: this.connection.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true, commandTimeout: undefined }), prefix: this.prefix });
      this.events.set(name, e);
    }
    return e;
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], opts: EnqueueOptions = {}): Promise<JobHandle> {
    return within(this.add(name, payload, opts), ENQUEUE_TIMEOUT_MS, `Redis (REDIS_URL) enqueueing ${name}`);
  }

  private async add<N extends JobName>(name: N, payload: JobPayloads[N], opts: EnqueueOptions): Promise<JobHandle> {
    const events = this.queueEvents(name);
    await events.waitUntilReady();
    // The whole payload goes to the job's JobRun row first (the worker reads it from there); Redis gets ids only.
    const id = opts.jobId ?? `${name}-${crypto.randomUUID()}`;
    await runs.recordQueued(id, payload.shop, name, payload);
    let job: Job;
    try {
      job = await this.queue(name).add(name, queueData(payload), {
        jobId: id,
        delay: opts.delayMs,
        attempts: opts.attempts ?? 3,
        backoff: { type: "exponential", delay: 1000 },
        removeOnComplete: { age: 24 * 3600, count: 1000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      });
    } catch (e) {
      if (!opts.jobId) await runs.recordFailed(id, `not enqueued: ${(e as Error).message}`, true).catch(() => undefined);
      throw e;
    }
    return { id: job.id!, finished: () => job.waitUntilFinished(events) };
  }

  async close(): Promise<void> {
    await Promise.all([...this.events.values()].map((e) => e.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}

/** The processor a BullMQ worker runs: the same job functions (`jobs`, the registry) as the in-process driver. */
export async function processJob(jobs: JobLookup, job: Job): Promise<unknown> {
  const name = job.name as JobName;
  const fn = await jobs(name);
  const attempt = job.attemptsMade + 1;
  await runs.recordStarted(job.id!, attempt, { shop: (job.data as { shop: string }).shop, name, payload: job.data });
  try {
    const result = await fn((await payloadOf(job)) as never, {
      jobId: job.id!,
      attempt,
      progress: async (f, m) => {
        await job.updateProgress({ fraction: f, message: m });
        await runs.recordProgress(job.id!, f, m);
      },
      log: (m) => void job.log(m),
    });
    await runs.recordFinished(job.id!, result);
    return result;
  } catch (e) {
    const unrecoverable = (e as { unrecoverable?: boolean }).unrecoverable === true;
    const final = unrecoverable || attempt >= (job.opts.attempts ?? 1);
    await runs.recordFailed(job.id!, (e as Error).message, final);
    if (unrecoverable) throw new UnrecoverableError((e as Error).message);
    throw e;
  }
}

/**
 * `jobs`: the job registry the worker entry passes in (workers/index.ts). `options`: extra BullMQ
 * worker options (tests shorten lockDuration / stalledInterval to recover stalled jobs fast).
 */
export function startWorker(name: JobName, jobs: JobLookup, connection: IORedis, concurrency: number, prefix = "facet", options: Partial<WorkerOptions> = {}): Worker {
  return new Worker(queueName(name), (job) => processJob(jobs, job), { ...options, connection, concurrency, prefix });
}

// ---------------------------------------------------------------- repeatable jobs and purging
// The BullMQ driver owns every Queue object: callers elsewhere (freshness, campaigns, redaction)
// say what to schedule or remove; only this module opens queues and their Redis connections.

/** Runs `fn` on a short-lived Queue for `name` with its own connection, closed afterwards. */
async function withQueue<T>(name: JobName, prefix: string, redisUrl: string, fn: (q: Queue) => Promise<T>): Promise<T> {
  const connection = redisConnection(redisUrl);
  const q = new Queue(queueName(name), { connection, prefix });
  try {
    return await fn(q);
  } finally {
    await q.close();
    await connection.quit();
  }
}

/** A repeatable job: `name` with `data` every `everyMs`, kept at most `keep` finished/failed runs. */
export interface Repeatable<N extends JobName> {
  schedulerId: string;
  name: N;
  everyMs: number;
  data: JobPayloads[N];
  attempts: number;
  keep: number;
}

/** Registers (or updates) a BullMQ job scheduler. `prefix` must match the workers' (FACET_QUEUE_PREFIX). */
export async function upsertRepeatable<N extends JobName>(r: Repeatable<N>, prefix: string, redisUrl: string): Promise<void> {
  await withQueue(r.name, prefix, redisUrl, (q) =>
    q.upsertJobScheduler(r.schedulerId, { every: r.everyMs }, { name: r.name, data: r.data, opts: { attempts: r.attempts, removeOnComplete: { count: r.keep }, removeOnFail: { count: r.keep } } }),
  );
}

/** Removes a job scheduler; false when there was none. */
export async function removeRepeatable(name: JobName, schedulerId: string, prefix: string, redisUrl: string): Promise<boolean> {
  return withQueue(name, prefix, redisUrl, (q) => q.removeJobScheduler(schedulerId));
}

const PURGED_STATES: JobType[] = ["completed", "failed", "wait", "delayed", "prioritized"];

/**
 * Removes the shop's jobs on these queues whose data `mentions` says yes to (finished, failed or
 * still waiting); a job a worker holds right now has its data blanked instead. `ownJobId` (the
 * running redact job) is kept but its data blanked too. Returns how many were removed.
 */
export async function purgeJobs(names: JobName[], shop: string, mentions: (text: string) => boolean, prefix: string, redisUrl: string, ownJobId?: string): Promise<number> {
  let removed = 0;
  for (const name of names) {
    await withQueue(name, prefix, redisUrl, async (q) => {
      for (const job of await q.getJobs([...PURGED_STATES])) {
        if (!job || job.id === ownJobId || (job.data as { shop?: string })?.shop !== shop) continue;
        if (!mentions(JSON.stringify(job.data))) continue;
        await job.remove().then(
          () => removed++,
          () => job.updateData({ shop, redacted: true }), // locked by a worker right now: blank its data instead
        );
      }
      if (ownJobId && name === "redact") await (await q.getJob(ownJobId))?.updateData({ shop, redacted: true });
    });
  }
  return removed;
}
