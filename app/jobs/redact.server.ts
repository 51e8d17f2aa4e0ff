/**
 * The `redact` job: customers/redact (every trace of one customer, database and files, at once)
 * or shop/redact (everything of the shop). See app/models/privacy.server.ts for what is removed.
 * Idempotent: a second run finds nothing left. The result carries counts only, never the id or
 * email (it is stored in JobRun and shown in the admin).
 */
import { BadJobInput, type JobContext, type JobPayloads } from "../queues/jobs";
import { redactCustomer, redactShop, tokenPattern } from "../models/privacy.server";
import { purgeJobData } from "../shopify/queuePurge.server";
import { unscheduleRetrain } from "../shopify/freshness.server";
import { announceServingChange } from "../queues/broadcast.server";

/**
 * The serving snapshot of this process holds the model's user factors in memory: drop it so the
 * next request loads the rewritten version. Other processes are told on Redis (they rebuild, or
 * forget a redacted shop with their cached artifacts) and otherwise notice the change of customers
 * through their change counters within seconds (app/serving/snapshot.server.ts).
 */
async function forgetServedModel(shop: string, ctx: JobContext, what: "customer-redacted" | "shop-redacted"): Promise<void> {
  await announceServingChange(shop, what);
  try {
    const { dropSnapshot } = await import("../serving/snapshot.server");
    dropSnapshot(shop);
  } catch (e) {
    ctx.log(`could not drop the serving snapshot: ${(e as Error).message}`);
  }
}

export default async function redact(payload: JobPayloads["redact"], ctx: JobContext) {
  if (!payload.shop) throw new BadJobInput("redact: payload.shop is required");
  if (payload.wholeShop) {
    const r = redactShop(payload.shop);
    await forgetServedModel(payload.shop, ctx, "shop-redacted");
    await unscheduleRetrain(payload.shop).catch((e) => ctx.log(`could not remove the retrain schedule: ${(e as Error).message}`));
    const jobsPurged = await purgeJobData(payload.shop, () => true, ctx.jobId);
    return { kind: "shop", rowsDeleted: r.rowsDeleted, folders: r.folders.length, jobsPurged };
  }
  if (!payload.customerId && !payload.email) throw new BadJobInput("redact: customerId or email is required");
  const r = redactCustomer(payload.shop, { customerId: payload.customerId, email: payload.email, orderIds: payload.orderIds });
  await forgetServedModel(payload.shop, ctx, "customer-redacted");
  if (r.remainingTraces.length) {
    // Something still names the customer: fail loudly (and retry) rather than report success.
    const where = [...new Set(r.remainingTraces.map((t) => `${t.table}.${t.column}`))].join(", ");
    throw new Error(`redact: traces remain in ${where}; extend app/models/privacy.server.ts for these columns`);
  }
  // Last, once the database and files are clean: the queue's copies (this job's own data included).
  const pattern = tokenPattern([...(payload.customerId ? [payload.customerId] : []), ...(payload.email ? [payload.email] : []), ...r.customerIds]);
  const jobsPurged = pattern ? await purgeJobData(payload.shop, (text) => pattern.test(text), ctx.jobId) : 0;
  return {
    jobsPurged,
    kind: "customer",
    customers: r.customerIds.length,
    clientIds: r.clientIds,
    rowsDeleted: r.rowsDeleted,
    ordersAnonymised: r.ordersAnonymised,
    jobRunsScrubbed: r.jobRunsScrubbed,
    filesRewritten: r.files.length,
  };
}
