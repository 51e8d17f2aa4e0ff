import type { JobName, JobPayloads } from "./jobs";

export interface EnqueueOptions {
  /** Idempotent id: enqueuing the same id twice runs the job once. */
  jobId?: string;
  delayMs?: number;
  attempts?: number;
}

export interface JobHandle {
  id: string;
  /** Resolves with the job's result when it finishes; rejects with its last error. */
  finished(): Promise<unknown>;
}

/** Two implementations: BullMQ on Redis (REDIS_URL set) and in-process (the embedded default). */
export interface QueueDriver {
  readonly kind: "bullmq" | "in-process";
  enqueue<N extends JobName>(name: N, payload: JobPayloads[N], opts?: EnqueueOptions): Promise<JobHandle>;
  /** `abandonWaiting`: a shutting-down server does not wait for delayed jobs (in-process: they stay queued for resume). */
  close(opts?: { abandonWaiting?: boolean }): Promise<void>;
}
