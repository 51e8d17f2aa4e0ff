/**
 * The embedded default: jobs run in this process, one at a time per name, with the same retry
 * policy as the BullMQ driver. Used when REDIS_URL is unset (the demo, the CLI, small shops).
 *
 * The JobRun table is the queue: a job's row (with its payload) is committed before enqueue
 * returns, and `resume()` (the server calls it at start-up) runs again every row a crash left
 * "queued" or "running". Jobs are idempotent (docs/decisions/0003), so re-running one that was cut
 * off half-way is safe; a remaining delay is not kept (delays are debounces).
 */
import crypto from "node:crypto";
import * as runs from "../models/jobRun.server";
import type { EnqueueOptions, JobHandle, QueueDriver } from "./driver";
import { JOB_NAMES, type JobLookup, type JobName, type JobPayloads } from "./jobs";

const DEFAULT_ATTEMPTS = 3;

/**
 * Crash tests only (test/prod/crash.test.ts): FACET_TEST_HOLD_JOB_AT="<job>:<regex>" freezes the
 * whole process (event loop and all) at that job's first start ("(started)") or progress message
 * matching the regex, after saying so on stderr, so that the test can kill -9 it at a known point
 * in the middle of the job. Unset (always, outside that test): nothing happens.
 */
let held = false;
function holdForCrashTest(name: string, id: string, message: string): void {
  const spec = process.env.FACET_TEST_HOLD_JOB_AT;
  if (!spec || held) return;
  const colon = spec.indexOf(":");
  if (spec.slice(0, colon) !== name || !new RegExp(spec.slice(colon + 1)).test(message)) return;
  held = true;
  process.stderr.write(`[facet] test hold: job ${name} ${id} at ${JSON.stringify(message)}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600_000);
}
const isJobName = (n: string): n is JobName => (JOB_NAMES as string[]).includes(n);

export class InProcessDriver implements QueueDriver {
  readonly kind = "in-process" as const;
  private readonly running = new Map<string, Promise<unknown>>();
  /** Pending waits (delays, retry backoffs): closing ends them; their rows stay queued for resume(). */
  private readonly waits = new Set<() => void>();
  private closing = false;

  /** `jobs`: the job registry (app/jobs/registry.server.ts's jobFunction), given by the entry point. */
  constructor(private readonly jobs: JobLookup) {}

  /** Sleeps `ms`; false when the driver closes first (the job then stops, left queued in JobRun). */
  private wait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waits.delete(wake);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.waits.delete(wake);
        resolve(true);
      }, ms);
      this.waits.add(wake);
    });
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], opts: EnqueueOptions = {}): Promise<JobHandle> {
    const id = opts.jobId ?? `${name}:${crypto.randomUUID()}`;
    const existing = this.running.get(id);
    if (existing) return { id, finished: () => existing };
    await runs.recordQueued(id, payload.shop, name, payload);
    const promise = this.run(name, payload, id, opts.attempts ?? DEFAULT_ATTEMPTS, opts.delayMs ?? 0);
    promise.catch(() => undefined); // observed through finished()
    this.running.set(id, promise);
    void promise.finally(() => this.running.delete(id)).catch(() => undefined);
    return { id, finished: () => promise };
  }

  /** `firstAttempt`: a resumed job goes on counting from the attempt it was at (not from 1 with fewer left). */
  private async run<N extends JobName>(name: N, payload: JobPayloads[N], id: string, attempts: number, delayMs: number, firstAttempt = 1) {
    if (delayMs > 0 && !(await this.wait(delayMs))) return undefined;
    if (this.closing) return undefined;
    const fn = await this.jobs(name);
    for (let attempt = firstAttempt; ; attempt++) {
      await runs.recordStarted(id, attempt);
      holdForCrashTest(name, id, "(started)");
      try {
        const result = await fn(payload, {
          jobId: id,
          attempt,
          progress: (f, m) => {
            holdForCrashTest(name, id, m ?? "");
            return runs.recordProgress(id, f, m);
          },
          log: (m) => console.error(`[${name}] ${m}`),
        });
        await runs.recordFinished(id, result);
        return result;
      } catch (e) {
        const final = attempt >= attempts || (e as { unrecoverable?: boolean }).unrecoverable === true;
        await runs.recordFailed(id, (e as Error).message, final);
        if (final) throw e;
        if (!(await this.wait(200 * 2 ** (attempt - 1)))) return undefined;
      }
    }
  }

  /** Re-runs the jobs a previous process left unfinished (kill -9, power loss). Returns their ids. */
  async resume(): Promise<string[]> {
    const rows = await runs.unfinishedJobs();
    for (const row of rows) {
      if (this.running.has(row.id) || !isJobName(row.name)) continue;
      const payload = row.payload as JobPayloads[JobName];
      // Cut off while running: that attempt runs again under its number. Queued after a failed
      // attempt (waiting out its backoff): the next one. Either way the job keeps its attempts.
      const first = row.status === "running" ? Math.max(1, row.attempts) : row.attempts + 1;
      const promise = this.run(row.name, payload, row.id, Math.max(DEFAULT_ATTEMPTS, first), 0, first);
      promise.catch((e) => console.error(`[${row.name}] resumed job ${row.id} failed: ${(e as Error).message}`));
      this.running.set(row.id, promise);
      void promise.finally(() => this.running.delete(row.id)).catch(() => undefined);
    }
    return rows.map((r) => r.id);
  }

  /**
   * Waits for every job (the CLI's exit). `abandonWaiting` (the server's SIGTERM): delayed and
   * backing-off jobs stop at once, still queued in JobRun for the next start's resume(); running ones finish.
   */
  async close(opts: { abandonWaiting?: boolean } = {}): Promise<void> {
    if (opts.abandonWaiting) {
      this.closing = true;
      for (const wake of [...this.waits]) wake();
    }
    await Promise.allSettled([...this.running.values()]);
  }
}
