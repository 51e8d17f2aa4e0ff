/** Job progress rows as the admin and `facet` show them; both queue drivers write here. */
import { prisma, rawDb } from "../db.server";
import { systemClock } from "../clock";

/**
 * Inserts the row unless it exists. One statement (ON CONFLICT DO NOTHING): Prisma's upsert reads
 * then creates, which races with the worker's recordStarted on PostgreSQL (two connections).
 */
export async function recordQueued(id: string, shop: string, name: string, payload: unknown): Promise<void> {
  rawDb()
    .prepare(`INSERT INTO JobRun (id, shop, name, status, payload, createdAt) VALUES (?, ?, ?, 'queued', ?, ?) ON CONFLICT (id) DO NOTHING`)
    .run(id, shop, name, JSON.stringify(payload), systemClock.now().toISOString());
}

/**
 * `job`: the row to create when the worker is faster than the enqueuer's recordQueued (BullMQ can
 * start a job before `add` has returned); recordQueued then finds the row and leaves it alone, so a
 * finished job never falls back to "queued".
 *
 * The row writes here are single autocommit statements on the raw handle, never Prisma writes: the
 * Prisma client runs an update as BEGIN, UPDATE, COMMIT over separate event-loop turns, and on
 * PostgreSQL a synchronous raw statement of the same process that needs the row in between (a
 * redaction scrubbing job rows) waited for a COMMIT that its own blocked thread could never send:
 * the process hung (test/prod/webhooks.test.ts on PostgreSQL). Raw statements share one connection
 * and run one at a time, so they cannot wait on each other.
 */
export async function recordStarted(id: string, attempt: number, job?: { shop: string; name: string; payload: unknown }): Promise<void> {
  const now = systemClock.now().toISOString();
  if (!job) {
    rawDb().prepare(`UPDATE JobRun SET status = 'running', startedAt = ?, attempts = ?, error = NULL WHERE id = ?`).run(now, attempt, id);
    return;
  }
  rawDb()
    .prepare(
      `INSERT INTO JobRun (id, shop, name, status, payload, createdAt, startedAt, attempts) VALUES (?, ?, ?, 'running', ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET status = 'running', startedAt = excluded.startedAt, attempts = excluded.attempts, error = NULL`,
    )
    .run(id, job.shop, job.name, JSON.stringify(job.payload), now, now, attempt);
}

/**
 * A job's row updates run one after another, in the order they were asked for: progress reports
 * are often not awaited, and on PostgreSQL the client's pool sends concurrent updates over several
 * connections, so an early "writing ..." could land after the final message.
 */
const pending = new Map<string, Promise<void>>();
function inOrder(id: string, write: () => Promise<unknown>): Promise<void> {
  const run = (pending.get(id) ?? Promise.resolve()).then(() => write()).then(() => undefined);
  const tail = run.catch(() => undefined);
  pending.set(id, tail);
  void tail.then(() => {
    if (pending.get(id) === tail) pending.delete(id);
  });
  return run;
}

export async function recordProgress(id: string, progress: number, message?: string): Promise<void> {
  await inOrder(id, async () => rawDb().prepare(`UPDATE JobRun SET progress = ?, message = ? WHERE id = ?`).run(progress, message ?? null, id));
}

export async function recordFinished(id: string, result: unknown): Promise<void> {
  await inOrder(id, async () => {
    const payload = await keptPayload(id);
    rawDb()
      .prepare(`UPDATE JobRun SET status = 'completed', progress = 1, finishedAt = ?, result = ?, payload = ? WHERE id = ?`)
      .run(systemClock.now().toISOString(), JSON.stringify(result ?? null), payload, id);
  });
}

export async function recordFailed(id: string, error: string, final: boolean): Promise<void> {
  await inOrder(id, async () => {
    if (!final) return void rawDb().prepare(`UPDATE JobRun SET status = 'queued', error = ?, finishedAt = NULL WHERE id = ?`).run(error, id);
    const payload = await keptPayload(id);
    rawDb().prepare(`UPDATE JobRun SET status = 'failed', error = ?, finishedAt = ?, payload = ? WHERE id = ?`).run(error, systemClock.now().toISOString(), payload, id);
  });
}

/**
 * What a finished job's row keeps of its payload (issue 15 point 7): ids, names and short values
 * only. A job needs its whole payload while it may still run (the in-process queue resumes from this
 * row after a crash), but once it is over a webhook body (a `sync` job's raw JSON: names, phones,
 * addresses) has no business staying: every object, long string or JSON-looking string is dropped,
 * and `dropped` lists the keys that went.
 */
export function minimalPayload(payload: unknown): Record<string, unknown> | null {
  if (!payload || typeof payload !== "object" || Array.isArray(payload)) return null;
  const kept: Record<string, unknown> = {};
  const dropped: string[] = [];
  const shortId = (v: unknown) => typeof v === "number" || typeof v === "boolean" || (typeof v === "string" && v.length <= 256 && !/^\s*[[{]/.test(v));
  for (const [k, v] of Object.entries(payload as Record<string, unknown>)) {
    if (v === null || v === undefined || shortId(v)) kept[k] = v ?? null;
    else if (Array.isArray(v) && v.length <= 1000 && v.every(shortId)) kept[k] = v;
    else dropped.push(k);
  }
  if (dropped.length) kept.dropped = dropped;
  return kept;
}

async function keptPayload(id: string): Promise<string | null> {
  const row = await prisma().jobRun.findUnique({ where: { id }, select: { payload: true } });
  if (!row?.payload) return null;
  try {
    return JSON.stringify(minimalPayload(JSON.parse(row.payload)));
  } catch {
    return null;
  }
}

/** A queued or running job's whole payload (the BullMQ worker's source); null when gone or redacted. */
export async function storedPayload(id: string): Promise<unknown> {
  const row = await prisma().jobRun.findUnique({ where: { id }, select: { payload: true } });
  if (!row?.payload) return null;
  const p = JSON.parse(row.payload) as { redacted?: boolean };
  return p && !p.redacted ? p : null;
}

/** Retention: finished job rows (completed or failed) older than `before` go. Returns how many. */
export function pruneJobRuns(before: Date): number {
  return rawDb().prepare(`DELETE FROM JobRun WHERE status IN ('completed', 'failed') AND julianday(COALESCE(finishedAt, createdAt)) < julianday(?)`).run(before.toISOString()).changes;
}

export async function recentJobs(shop: string, take = 20) {
  return prisma().jobRun.findMany({ where: { shop }, orderBy: { createdAt: "desc" }, take });
}

/** Jobs a process left queued or running (oldest first), with their payloads: the in-process queue's backlog. */
export async function unfinishedJobs(): Promise<{ id: string; name: string; status: "queued" | "running"; attempts: number; payload: unknown }[]> {
  const rows = await prisma().jobRun.findMany({ where: { status: { in: ["queued", "running"] } }, orderBy: { createdAt: "asc" } });
  return rows.filter((r) => r.payload !== null).map((r) => ({ id: r.id, name: r.name, status: r.status as "queued" | "running", attempts: r.attempts, payload: JSON.parse(r.payload!) }));
}

/** The shop's newest run of one job (the evaluation page's Tune progress), or null. */
export async function latestJobRun(shop: string, name: string) {
  return prisma().jobRun.findFirst({ where: { shop, name }, orderBy: { createdAt: "desc" } });
}

/** The newest completed job of one of `names` (the onboarding checklist's "data synced"), or null. */
export async function lastCompletedJob(shop: string, names: string[]) {
  return prisma().jobRun.findFirst({ where: { shop, name: { in: names }, status: "completed" }, orderBy: { finishedAt: "desc" }, select: { name: true, finishedAt: true } });
}

/** One job's row as the admin polls it (status, progress, message, result), scoped by shop; null when absent. */
export async function jobRunOf(shop: string, id: string) {
  return prisma().jobRun.findFirst({ where: { shop, id }, select: { id: true, name: true, status: true, progress: true, message: true, result: true, error: true } });
}
