/**
 * The job system's health check: proves a job travels queue -> worker -> result, and that
 * retries and unrecoverable failures behave (used by `facet queue-check` and the queue tests).
 */
import { BadJobInput, type JobContext, type JobPayloads } from "../queues/jobs";

export default async function ping(payload: JobPayloads["ping"], ctx: JobContext) {
  if (payload.unrecoverable) throw new BadJobInput("ping asked to fail without retry (unrecoverable: true)");
  if (payload.failUntilAttempt && ctx.attempt < payload.failUntilAttempt) {
    throw new Error(`ping failing on purpose at attempt ${ctx.attempt} (until ${payload.failUntilAttempt})`);
  }
  await ctx.progress(1, "pong");
  return { pong: true, attempt: ctx.attempt, jobId: ctx.jobId };
}
