/**
 * Email campaigns, the pure parts: what a campaign is (its spec), what a built campaign holds, and
 * its exports (CSV rows and the JSON document an email tool imports). Building one needs the
 * database and the serving snapshot: app/campaigns/campaigns.server.ts.
 *
 * - "new-arrivals" ("New arrivals you'll love", SEED use case 3): customers of a segment, the email
 *   placement's blend (50 % demographic + 50 % visual similarity to past purchases) over products
 *   created in the last `days` days, `k` per customer.
 * - "complete-your-look" (SEED use case 4): customers with an abandoned checkout, the cart
 *   placement's blend (80 % visual + 20 % cross-sell) from the checkout's products.
 * Both only for customers with marketing consent.
 */
import { z } from "zod";

export const CAMPAIGN_KINDS = ["new-arrivals", "complete-your-look"] as const;
export type CampaignKind = (typeof CAMPAIGN_KINDS)[number];

export const DEFAULT_CAMPAIGN_DAYS = 30;
export const DEFAULT_CAMPAIGN_K = 6;

export const campaignSpecSchema = z
  .object({
    kind: z.enum(CAMPAIGN_KINDS),
    /** Segment filter text (app/serving/batch.server.ts parseSegmentFilter), e.g. "segment=vip;gender=female;ltv>=500". */
    segment: z.string().max(500).optional(),
    /**
     * new-arrivals: products created in the last `days` days. complete-your-look: checkouts updated
     * in the last `days` days. Default 30.
     */
    days: z.number().int().min(1).max(3650).optional(),
    /** Products per customer, default 6. */
    k: z.number().int().min(1).max(24).optional(),
  })
  .strict();
export type CampaignSpec = z.infer<typeof campaignSpecSchema>;

export const CAMPAIGN_SCHEDULES = ["daily", "weekly"] as const;
export type CampaignSchedule = (typeof CAMPAIGN_SCHEDULES)[number] | null;
const SCHEDULE_MS: Record<(typeof CAMPAIGN_SCHEDULES)[number], number> = { daily: 86_400_000, weekly: 7 * 86_400_000 };

export interface CampaignProduct {
  id: string;
  title: string;
  image: string;
  price: number;
  currency: string;
  /** Absolute storefront link (https://<shop>/products/<handle>). */
  url: string;
  reasons: string[];
}

export interface CampaignRecipient {
  customerId: string;
  /** sha256 of the trimmed, lower-cased email (null when the customer has no email on file). */
  emailHash: string | null;
  products: CampaignProduct[];
}

export interface CampaignResult {
  spec: CampaignSpec;
  generatedAt: string;
  recipients: CampaignRecipient[];
  skipped: { noConsent: number; noProducts: number; outsideSegment: number };
}

/** Validates a spec; the error names each bad field. */
export function parseCampaignSpec(value: unknown, where = "campaign spec"): CampaignSpec {
  const r = campaignSpecSchema.safeParse(value);
  if (!r.success) throw new Error(`Invalid ${where}: ${r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  return r.data;
}

export function parseSchedule(value: unknown): CampaignSchedule {
  if (value === null || value === undefined || value === "" || value === "none" || value === "manual") return null;
  if (typeof value === "string" && (CAMPAIGN_SCHEDULES as readonly string[]).includes(value)) return value as CampaignSchedule;
  throw new Error(`schedule must be one of ${CAMPAIGN_SCHEDULES.join(", ")} or none (got ${JSON.stringify(value)})`);
}

/** Whether a scheduled campaign is due at `now` (never run, or its period has passed since the last run). */
export function isDue(schedule: CampaignSchedule, lastRunAt: number | null, now: number): boolean {
  if (!schedule) return false;
  return lastRunAt === null || now - lastRunAt >= SCHEDULE_MS[schedule] - 60_000; // a minute of slack for cron jitter
}

/** Repeat interval of a schedule in milliseconds (BullMQ's job scheduler `every`). */
export function scheduleEveryMs(schedule: Exclude<CampaignSchedule, null>): number {
  return SCHEDULE_MS[schedule];
}

export const CAMPAIGN_CSV_HEADER = "customer_id,email_hash,rank,product_id,title,price,image,url,reasons";

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One line per recipient and product; reasons joined by " | ". */
export function campaignCsv(result: CampaignResult): string {
  const lines = [CAMPAIGN_CSV_HEADER];
  for (const r of result.recipients) {
    r.products.forEach((p, i) => {
      lines.push(
        [r.customerId, r.emailHash ?? "", String(i + 1), p.id, p.title, p.price.toFixed(2), p.image, p.url, p.reasons.join(" | ")].map(csvField).join(","),
      );
    });
  }
  return lines.join("\n") + "\n";
}

/** The JSON document for an email tool: the result as is (recipients with their products). */
export function campaignJson(result: CampaignResult): string {
  return JSON.stringify(result, null, 2);
}
