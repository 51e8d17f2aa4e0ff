/**
 * The `campaign` job: builds a stored email campaign and writes its exports (JSON for an email
 * tool, CSV) under `${dataDir()}/exports/<shop>/`. Scheduled campaigns get a BullMQ job scheduler
 * (app/campaigns/campaigns.server.ts syncCampaignScheduler); without Redis, `facet campaign run --due`
 * from cron runs the due ones. Safe to run twice: each run writes new files, named by its time.
 */
import { runCampaign, type CampaignRun } from "../campaigns/campaigns.server";
import { getCampaign } from "../campaigns/campaigns.server";
import { BadJobInput, jobNow, type JobContext, type JobPayloads } from "../queues/jobs";

export default async function campaign(payload: JobPayloads["campaign"], ctx: JobContext): Promise<CampaignRun> {
  if (!payload.shop || !payload.campaignId) throw new BadJobInput("campaign: shop and campaignId are required");
  const row = await getCampaign(payload.shop, payload.campaignId);
  if (!row) throw new BadJobInput(`campaign: no campaign ${payload.campaignId} in ${payload.shop} (deleted? its schedule goes with it)`);
  await ctx.progress(0, `building "${row.name}" (${row.spec.kind})`);
  const run = await runCampaign(payload.shop, payload.campaignId, jobNow(payload));
  ctx.log(`${run.recipients} recipients; skipped ${run.skipped.noConsent} without consent, ${run.skipped.outsideSegment} outside the segment, ${run.skipped.noProducts} without products`);
  await ctx.progress(1, `${run.recipients} recipients`);
  return run;
}
