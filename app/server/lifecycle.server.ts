/**
 * The production server's life cycle, called by scripts/start.mjs through the built server bundle
 * (app/entry.server.tsx re-exports it, so the routes and the start-up share one set of modules):
 * start-up checks the configuration, migrates the database and reaches Redis before the port is
 * opened; /readyz asks the database and Redis; SIGTERM drains and closes.
 */
import { closeDatabase, pingDatabase } from "../models/health.server";
import { ConfigError, dataDir, env, type Env } from "../env.server";
import { keepFilesPrivate } from "./privateFiles.server";
import { within } from "../http/unavailable.server";
import { closeQueue, queue } from "../queues/index.server";

/** Variables a production server cannot work without (demo mode needs none of them). */
export function missingProductionConfig(e: Env, source: Record<string, string | undefined> = process.env): string[] {
  if (source.NODE_ENV !== "production" || e.FACET_DEMO === "1") return [];
  const required = ["SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "SHOPIFY_APP_URL"] as const;
  return required.filter((k) => !e[k]);
}

/**
 * Everything before the port opens. Throws ConfigError naming the variable: a missing secret, a
 * Redis that does not answer at REDIS_URL, a database that cannot be opened at DATABASE_URL.
 * Returns what it did, for the start-up log line.
 * `resumeJobs: false`: the second and later processes of a cluster (scripts/start.mjs) leave the
 * in-process jobs a crash left queued to the first one, so none runs twice.
 */
export async function prepareStartup(opts: { resumeJobs?: boolean } = {}): Promise<{ resumedJobs: string[]; queue: string }> {
  const e = env(); // malformed values throw ConfigError here
  const missing = missingProductionConfig(e);
  if (missing.length) {
    throw new ConfigError(
      `Facet's configuration is incomplete: ${missing.map((k) => `${k} is not set`).join(", ")}. ` +
        "Set them (Partner dashboard / `shopify app env show`) or FACET_DEMO=1 for the demo, and start again.",
    );
  }
  keepFilesPrivate(dataDir(e)); // before the database file and anything under the data folder is created
  try {
    pingDatabase(); // opens the file and applies migrations (idempotent)
  } catch (err) {
    throw new ConfigError(`DATABASE_URL: the database ${e.DATABASE_URL} cannot be opened or migrated: ${(err as Error).message}`);
  }
  if (e.REDIS_URL) {
    try {
      const { pingRedis } = await import("../queues/bullmq.server");
      await pingRedis(e.REDIS_URL, 3000);
    } catch (err) {
      throw new ConfigError(`REDIS_URL: no Redis answers at ${e.REDIS_URL} (${(err as Error).message}). Start Redis, or unset REDIS_URL to run jobs in-process.`);
    }
  }
  const { pruneRetention } = await import("../models/delivery.server");
  const { migrateEmails } = await import("../models/customer.server");
  migrateEmails();
  const prune = () => {
    try {
      const r = pruneRetention();
      if (r.jobRuns || r.deliveries) console.error(`[facet] retention: ${r.jobRuns} job rows and ${r.deliveries} webhook deliveries before ${r.before} deleted`);
    } catch (err) {
      console.error(`[facet] retention: pruning failed: ${(err as Error).message}`);
    }
  };
  prune();
  pruneTimer ??= setInterval(prune, 6 * 3600 * 1000);
  pruneTimer.unref();
  // Follow what other machines change (new model versions, settings, experiments): issue 16 point 4.
  const { startChangeWatch } = await import("../serving/snapshot.server");
  await startChangeWatch();
  const q = await queue();
  let resumedJobs: string[] = [];
  if (q.kind === "in-process" && opts.resumeJobs !== false) {
    const { InProcessDriver } = await import("../queues/inProcess.server");
    if (q instanceof InProcessDriver) resumedJobs = await q.resume();
  }
  return { resumedJobs, queue: q.kind };
}

export interface Readiness {
  ok: boolean;
  database: string;
  redis: string;
}

/** GET /readyz: the database answers a query, Redis (when configured) a PING, each within 1 s. */
export async function readiness(): Promise<Readiness> {
  let database = "ok";
  try {
    pingDatabase();
  } catch (err) {
    database = (err as Error).message;
  }
  let redis = "not configured (jobs in-process)";
  const url = env().REDIS_URL;
  if (url) {
    try {
      const { pingRedis } = await import("../queues/bullmq.server");
      await pingRedis(url, 1000);
      redis = "ok";
    } catch (err) {
      redis = (err as Error).message;
    }
  }
  return { ok: database === "ok" && (redis === "ok" || !url), database, redis };
}

/** After the HTTP server stopped taking requests: let running jobs end (bounded by the caller), close the database. */
let pruneTimer: ReturnType<typeof setInterval> | undefined;

export async function shutdown(): Promise<void> {
  if (pruneTimer) clearInterval(pruneTimer);
  pruneTimer = undefined;
  const { stopChangeWatch } = await import("../serving/snapshot.server");
  await stopChangeWatch().catch((e) => console.error(`shutdown: ${(e as Error).message}`));
  const { closeAnnouncer } = await import("../queues/broadcast.server");
  closeAnnouncer();
  // A Redis that went away never answers BullMQ's close: give up on it after 5 s (the jobs are in Redis or in JobRun).
  await within(closeQueue({ abandonWaiting: true }), 5000, "closing the job queue").catch((e) => console.error(`shutdown: ${(e as Error).message}`));
  await closeDatabase();
}
