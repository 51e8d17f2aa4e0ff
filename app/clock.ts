/**
 * The one owner of "now". Code that depends on the current time takes it as a parameter (a Date,
 * epoch milliseconds, a `Clock`, or the `now` field of a job payload); only the boundaries (a
 * request arriving, a job starting, a CLI command starting) read the real clock, and they read it
 * here. Tests pass `fixedClock(...)` or a `now` in the payload, so no result depends on the day the
 * suite runs (see docs/decisions/0100-time-is-passed-in.md).
 */

export interface Clock {
  now(): Date;
  nowMs(): number;
}

/** The real clock. The only place in app/ and workers/ that reads the wall clock. */
export const systemClock: Clock = {
  now: () => new Date(),
  nowMs: () => Date.now(),
};

/** A clock that always answers `at` (tests; replaying a job at the time it was meant for). */
export function fixedClock(at: Date | number | string): Clock {
  const ms = typeof at === "number" ? at : typeof at === "string" ? Date.parse(at) : at.getTime();
  if (!Number.isFinite(ms)) throw new Error(`fixedClock: not a time: ${String(at)}`);
  return { now: () => new Date(ms), nowMs: () => ms };
}

/**
 * Milliseconds on a monotonic clock, for durations and progress throttles only (never a date):
 * it does not jump when the wall clock is set, and it means nothing across processes.
 */
export const monotonicMs = (): number => performance.now();

/** Payload field every job accepts: the time the job computes for (ISO 8601). */
export interface Timed {
  /**
   * The "now" the job computes for, ISO 8601. Absent: the real clock when the job starts (not
   * when it was enqueued: scheduled repeats and retries share one payload).
   */
  now?: string;
}

/**
 * The time a job or command computes for: `given` (an ISO string from a payload or a flag) or the
 * clock when absent. A present but unreadable value is an error, never silently "now".
 */
export function timeFrom(given: string | undefined | null, clock: Clock = systemClock, where = "now"): Date {
  if (given === undefined || given === null || given === "") return clock.now();
  const ms = Date.parse(given);
  if (!Number.isFinite(ms)) throw new Error(`${where}: "${given}" is not an ISO 8601 time (e.g. 2026-12-02T12:00:00Z)`);
  return new Date(ms);
}
