/**
 * A web process for the invalidation test (test/serving/invalidation.test.ts): it follows changes
 * the way the server does (startChangeWatch: Redis pub/sub when REDIS_URL is set, the change
 * counters every FACET_CHANGE_POLL_MS), loads SHOP's snapshot once, then prints what it serves every
 * 50 ms without asking for it (servedSnapshot: no request-time freshness check), so whatever
 * changes is the watch's doing. Env: DATABASE_URL, FACET_DATA_DIR, FACET_ARTIFACT_STORE, SHOP,
 * REDIS_URL, FACET_QUEUE_PREFIX, FACET_CHANGE_POLL_MS.
 */
import { getSnapshot, servedSnapshot, startChangeWatch } from "../../app/serving/snapshot.server";

const shop = process.env.SHOP!;
const watch = await startChangeWatch();
await getSnapshot(shop);
process.stdout.write(`ready ${JSON.stringify(watch)}\n`);
setInterval(() => {
  const s = servedSnapshot(shop);
  process.stdout.write(`${JSON.stringify({ version: s?.modelVersion ?? null, stamp: s?.stamp ?? null, running: s?.experiments.running.length ?? null, at: Date.now() })}\n`);
}, 50);
process.on("SIGTERM", () => process.exit(0));
