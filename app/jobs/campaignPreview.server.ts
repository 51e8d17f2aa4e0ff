/**
 * The `campaignPreview` job: builds a campaign as the admin's preview asks (a big segment takes
 * seconds: every customer's list is ranked), reporting progress as it goes, and returns the counts
 * with the first recipients only. Nothing is written; the export links build it again at download.
 */
import { buildCampaign } from "../campaigns/campaigns.server";
import { parseCampaignSpec, type CampaignRecipient, type CampaignResult } from "../recommend/campaigns";
import { BadJobInput, jobNow, type JobContext, type JobPayloads } from "../queues/jobs";

export interface CampaignPreviewResult {
  campaignId: string | null;
  name: string | null;
  spec: CampaignResult["spec"];
  generatedAt: string;
  total: number;
  products: number;
  skipped: CampaignResult["skipped"];
  recipients: CampaignRecipient[];
}

export default async function campaignPreview(payload: JobPayloads["campaignPreview"], ctx: JobContext): Promise<CampaignPreviewResult> {
  if (!payload.shop) throw new BadJobInput("campaignPreview: shop is required");
  let spec;
  try {
    spec = parseCampaignSpec(payload.spec);
  } catch (e) {
    throw new BadJobInput(`campaignPreview: ${(e as Error).message}`);
  }
  await ctx.progress(0, "ranking products for each customer");
  const result = await buildCampaign(payload.shop, spec, jobNow(payload), (done, total) => ctx.progress(done / total, `${done} of ${total} customers`));
  await ctx.progress(1, `${result.recipients.length} recipients`);
  return {
    campaignId: payload.campaignId ?? null,
    name: payload.name ?? null,
    spec: result.spec,
    generatedAt: result.generatedAt,
    total: result.recipients.length,
    products: result.recipients.reduce((s, r) => s + r.products.length, 0),
    skipped: result.skipped,
    recipients: result.recipients.slice(0, Math.max(0, payload.sample)),
  };
}
