/**
 * Job names and their typed payloads. Payloads are small and carry ids, not data; every job is
 * safe to run twice (idempotent job ids, upserts, versioned model folders).
 */
import { systemClock, timeFrom, type Clock, type Timed } from "../clock";

interface JobPayloadFields {
  import: { shop: string; dir: string };
  embed: { shop: string; productIds?: string[]; force?: boolean; modelPath?: string };
  train: { shop: string; reason?: string };
  /** threads: worker threads of the batch (default min(2, cores); 1 = in the job's own thread). */
  batch: { shop: string; placement: string; k: number; out: string; segment?: string; threads?: number };
  /** A Shopify webhook delivery: topic as the library stores it (PRODUCTS_UPDATE), the raw JSON body. */
  sync: { shop: string; topic: string; webhookId: string; payload: string; triggeredAt?: string };
  /** First sync of one resource; `chain` goes on to the next (products -> customers -> orders -> embed, train). */
  bulkSync: { shop: string; resource: "products" | "customers" | "orders"; chain?: boolean; restart?: boolean };
  /** customers/redact (customerId/email, orderIds) or shop/redact (wholeShop). */
  redact: { shop: string; customerId?: string; email?: string; wholeShop?: boolean; orderIds?: string[] };
  /** Counts new orders and events since the last training and enqueues `train` over the threshold. */
  retrainCheck: { shop: string };
  /** Health check of the job system (`facet queue-check`): fails on purpose until `failUntilAttempt`. */
  ping: { shop: string; failUntilAttempt?: number; unrecoverable?: boolean };
  /** Builds a stored email campaign and writes its CSV and JSON exports (scheduled or on demand). */
  campaign: { shop: string; campaignId: string };
  /** Offline evaluation (app/jobs/evaluate.server.ts); `tune` also tunes the blends and stores a proposal (the admin's Tune button). */
  evaluate: { shop: string; tune?: boolean; k?: number };
  /** Builds a campaign for the admin's preview (nothing written): the counts and the first `sample` recipients, with progress. */
  campaignPreview: { shop: string; spec: { kind: string; segment?: string; days?: number; k?: number }; sample: number; campaignId?: string; name?: string };
}

/** Every payload also carries an optional `now` (app/clock.ts Timed): the time the job computes for. */
export type JobPayloads = { [N in keyof JobPayloadFields]: JobPayloadFields[N] & Timed };

export type JobName = keyof JobPayloads;
export const JOB_NAMES: JobName[] = ["import", "embed", "train", "batch", "sync", "bulkSync", "redact", "ping", "retrainCheck", "campaign", "campaignPreview", "evaluate"];

/** What a running job may report back. */
export interface JobContext {
  jobId: string;
  attempt: number;
  /** 0..1, with an optional human message; shown in the CLI and the admin. */
  progress(fraction: number, message?: string): Promise<void> | void;
  log(message: string): void;
}

export type JobFunction<N extends JobName> = (payload: JobPayloads[N], ctx: JobContext) => Promise<unknown>;

/**
 * Finds a job's function by name: app/jobs/registry.server.ts's `jobFunction`. The drivers take it
 * from the process's entry point (as BullMQ's Worker takes its processor), so app/queues never
 * imports app/jobs and the jobs can enqueue follow-ups without an import circle.
 */
export type JobLookup = <N extends JobName>(name: N) => Promise<JobFunction<N>>;

/** A job failed because of its input: retrying cannot help (BullMQ's UnrecoverableError). */
export class BadJobInput extends Error {
  readonly unrecoverable = true;
}

/** The time a job computes for: its payload's `now`, else the clock when it starts. A bad `now` cannot be retried away. */
export function jobNow(payload: Timed, clock: Clock = systemClock): Date {
  try {
    return timeFrom(payload.now, clock, "payload.now");
  } catch (e) {
    throw new BadJobInput((e as Error).message);
  }
}
