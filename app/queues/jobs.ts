/**
 * Job names and their typed payloads. Payloads are small and carry ids, not data; every job is
 * safe to run twice (idempotent job ids, upserts, versioned model folders).
 */
export interface JobPayloads {
  import: { shop: string; dir: string };
  embed: { shop: string; productIds?: string[]; force?: boolean; modelPath?: string };
  train: { shop: string; reason?: string };
  batch: { shop: string; placement: string; k: number; out: string; segment?: string };
  sync: { shop: string; topic: string; webhookId: string; payload: string };
  bulkSync: { shop: string; resource: "products" | "customers" | "orders" };
  redact: { shop: string; customerId?: string; email?: string; wholeShop?: boolean };
  /** Health check of the job system (`facet queue-check`): fails on purpose until `failUntilAttempt`. */
  ping: { shop: string; failUntilAttempt?: number; unrecoverable?: boolean };
}

export type JobName = keyof JobPayloads;
export const JOB_NAMES: JobName[] = ["import", "embed", "train", "batch", "sync", "bulkSync", "redact", "ping"];

/** What a running job may report back. */
export interface JobContext {
  jobId: string;
  attempt: number;
  /** 0..1, with an optional human message; shown in the CLI and the admin. */
  progress(fraction: number, message?: string): Promise<void> | void;
  log(message: string): void;
}

export type JobFunction<N extends JobName> = (payload: JobPayloads[N], ctx: JobContext) => Promise<unknown>;

/** A job failed because of its input: retrying cannot help (BullMQ's UnrecoverableError). */
export class BadJobInput extends Error {
  readonly unrecoverable = true;
}
