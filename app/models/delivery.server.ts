/**
 * Webhook deliveries already applied (WebhookDelivery: Shopify retries a delivery for up to 4 hours,
 * the row makes the retry a no-op) and the retention of what Facet keeps about its own work
 * (issue 15 point 7): delivery rows and finished JobRun rows older than the retention go.
 *
 * Retention: env FACET_RETENTION_DAYS (default 30, at least 1: the 4-hour retry window must stay
 * covered). Redaction tombstones (topic tombstone/*: a hash, never the id) are kept: they stop a late
 * retry from re-creating a redacted customer. Run at start-up and every 6 hours by the server (app/server/lifecycle.server.ts).
 */
import { env } from "../env.server";
import { systemClock } from "../clock";
import { pruneJobRuns } from "./jobRun.server";
import { pruneDeliveries } from "./sync.server";

export interface PruneReport {
  before: string;
  jobRuns: number;
  deliveries: number;
}

/** Deletes finished job rows and webhook deliveries older than the retention. */
export function pruneRetention(now = systemClock.now(), days = env().FACET_RETENTION_DAYS): PruneReport {
  const before = new Date(now.getTime() - days * 24 * 3600 * 1000);
  return { before: before.toISOString(), jobRuns: pruneJobRuns(before), deliveries: pruneDeliveries(before) };
}
