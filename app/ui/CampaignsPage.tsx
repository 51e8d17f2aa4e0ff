/**
 * Email campaigns: "New arrivals you'll love" for a segment and "Complete your look" for abandoned
 * checkouts. The builder previews a campaign (the first recipients with their products' pictures,
 * and why customers were left out: only customers with marketing consent are included), saves it
 * with an optional schedule, and downloads it as CSV or JSON for the email tool.
 */
import { Badge, Banner, BlockStack, Box, Button, Card, FormLayout, InlineGrid, InlineStack, Layout, Page, ProgressBar, Select, Text, TextField } from "@shopify/polaris";
import { Form, useFetcher, useNavigation } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import type { CampaignSpec } from "../recommend/campaigns";
import { useAdminPath } from "./base";

export interface CampaignSummary {
  id: string;
  name: string;
  kind: string;
  segment: string | null;
  days: number;
  k: number;
  schedule: string | null;
  lastRunAt: string | null;
  lastExport: string | null;
  createdAt: string;
}

export interface CampaignsData {
  campaigns: CampaignSummary[];
  /** The builder's first values: the largest group of customers with marketing consent, and days that take in the newest products. */
  defaults: { days: number; k: number; segment: string; group: { segment: string; gender: string; customers: number } | null };
  /** The preview job named by ?previewJob=<id> (the page polls it), or null. */
  previewJob: CampaignPreviewJob | null;
}

/** A preview being built by the campaignPreview job: its progress, then the preview. */
export interface CampaignPreviewJob {
  id: string;
  status: string;
  progress: number;
  message: string | null;
  error: string | null;
  preview: CampaignPreview | null;
}

export interface CampaignPreviewProduct {
  id: string;
  title: string;
  image: string | null;
  price: string;
  url: string;
  reasons: string[];
}

export interface CampaignPreview {
  campaignId: string | null;
  name: string | null;
  spec: CampaignSpec;
  generatedAt: string;
  /** Recipients in the whole campaign (the preview lists the first few). */
  total: number;
  products: number;
  skipped: { noConsent: number; noProducts: number; outsideSegment: number };
  /** The export links' query for an unsaved spec. */
  query: string;
  recipients: { customerId: string; emailHash: string | null; products: CampaignPreviewProduct[] }[];
}

export interface CampaignActionResult {
  ok: boolean;
  message: string;
  /** The campaignPreview job building the asked-for preview. */
  previewJob?: string;
}

const KIND_LABELS: Record<string, string> = {
  "new-arrivals": "New arrivals you'll love",
  "complete-your-look": "Complete your look (abandoned checkouts)",
};

const SCHEDULE_OPTIONS = [
  { label: "Not scheduled (run by hand)", value: "" },
  { label: "Daily", value: "daily" },
  { label: "Weekly", value: "weekly" },
];

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" }) : "never";
}

function IntentForm({ intent, id, label, accessibilityLabel, tone }: { intent: string; id: string; label: string; accessibilityLabel: string; tone?: "critical" }) {
  const busy = useNavigation().state === "submitting";
  return (
    <Form method="post">
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="id" value={id} />
      <Button submit size="slim" tone={tone} disabled={busy} accessibilityLabel={accessibilityLabel}>{label}</Button>
    </Form>
  );
}

function CampaignList({ campaigns }: { campaigns: CampaignSummary[] }) {
  const base = useAdminPath("campaigns");
  if (!campaigns.length) return <Text as="p" tone="subdued">No campaigns saved yet: build one below.</Text>;
  return (
    <BlockStack gap="200">
      {campaigns.map((c) => (
        <div key={c.id} data-campaign-row={c.id}>
          <Box padding="300" borderWidth="025" borderColor="border" borderRadius="200">
            <InlineStack align="space-between" blockAlign="center" gap="300">
              <BlockStack gap="100">
                <InlineStack gap="200" blockAlign="center">
                  <Text as="h3" variant="headingSm">{c.name}</Text>
                  <Badge tone={c.schedule ? "info" : undefined}>{c.schedule ?? "by hand"}</Badge>
                </InlineStack>
                <Text as="p" tone="subdued">
                  {KIND_LABELS[c.kind] ?? c.kind} · {c.segment || "every customer"} · {c.k} products · {c.days} days · last run {when(c.lastRunAt)}
                </Text>
              </BlockStack>
              <InlineStack gap="200" blockAlign="center" wrap={false}>
                <a href={`${base}/${c.id}/export?format=csv`} download aria-label={`Download "${c.name}" as CSV`}>CSV</a>
                <a href={`${base}/${c.id}/export?format=json`} download aria-label={`Download "${c.name}" as JSON`}>JSON</a>
                <IntentForm intent="preview" id={c.id} label="Preview" accessibilityLabel={`Preview "${c.name}"`} />
                <IntentForm intent="run" id={c.id} label="Run now" accessibilityLabel={`Run "${c.name}" now`} />
                <IntentForm intent="delete" id={c.id} label="Delete" accessibilityLabel={`Delete "${c.name}"`} tone="critical" />
              </InlineStack>
            </InlineStack>
          </Box>
        </div>
      ))}
    </BlockStack>
  );
}

function Builder({ data }: { data: CampaignsData }) {
  const busy = useNavigation().state === "submitting";
  const intent = useRef<HTMLInputElement>(null);
  const g = data.defaults.group;
  const [name, setName] = useState(g ? `New arrivals for ${g.segment} ${g.gender === "female" ? "women" : g.gender === "male" ? "men" : "customers"}` : "New arrivals");
  const [kind, setKind] = useState<string>("new-arrivals");
  const [segment, setSegment] = useState(data.defaults.segment);
  const [days, setDays] = useState(String(data.defaults.days));
  const [k, setK] = useState(String(data.defaults.k));
  const [schedule, setSchedule] = useState("");
  // One form, two buttons: the clicked one sets the intent (without JavaScript the form previews).
  const submitAs = (value: string) => () => {
    if (intent.current) intent.current.value = value;
  };
  return (
    <Form method="post" aria-label="Build a campaign">
      <input ref={intent} type="hidden" name="intent" defaultValue="preview" />
      <BlockStack gap="400">
        <FormLayout>
          <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
            <Select name="kind" label="Campaign type" options={Object.entries(KIND_LABELS).map(([value, label]) => ({ value, label }))} value={kind} onChange={setKind} />
            <TextField name="name" label="Campaign name" autoComplete="off" value={name} onChange={setName} helpText="Needed to save; the preview works without." />
          </InlineGrid>
          <TextField
            name="segment"
            label="Customers (segment filter, optional)"
            autoComplete="off"
            value={segment}
            onChange={setSegment}
            helpText='Keys gender, age, country, segment and ltv>=N / ltv<=N, separated by ";", alternatives by ",": e.g. "segment=vip;gender=female;age=26-35,36-45;country=DE;ltv>=500". Empty: every customer with consent.'
          />
          <InlineGrid columns={{ xs: 1, md: 3 }} gap="300">
            <TextField
              name="days"
              label={kind === "new-arrivals" ? "Products created in the last (days)" : "Checkouts abandoned in the last (days)"}
              type="number"
              min={1}
              autoComplete="off"
              value={days}
              onChange={setDays}
            />
            <TextField name="k" label="Products per customer" type="number" min={1} max={24} autoComplete="off" value={k} onChange={setK} />
            <Select name="schedule" label="Schedule" options={SCHEDULE_OPTIONS} value={schedule} onChange={setSchedule} />
          </InlineGrid>
        </FormLayout>
        <Text as="p" tone="subdued">Only customers who agreed to marketing emails are included.</Text>
        <InlineStack gap="300" align="end">
          <Button submit onClick={submitAs("preview")} loading={busy}>Preview</Button>
          <Button submit variant="primary" onClick={submitAs("save")} disabled={busy}>Save campaign</Button>
        </InlineStack>
      </BlockStack>
    </Form>
  );
}

function PreviewCard({ p }: { p: CampaignPreview }) {
  const base = useAdminPath("campaigns");
  const href = p.campaignId ? `${base}/${p.campaignId}/export?` : `${base}/new/export?${p.query}&`;
  const title = p.name ? `Preview: ${p.name}` : `Preview: ${KIND_LABELS[p.spec.kind] ?? p.spec.kind}`;
  return (
    <Card>
      <BlockStack gap="400">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">{title}</Text>
          <InlineStack gap="300">
            <a href={`${href}format=csv`} download data-export="csv">Download CSV</a>
            <a href={`${href}format=json`} download data-export="json">Download JSON</a>
          </InlineStack>
        </InlineStack>
        <div data-campaign-summary="">
          <Text as="p">
          <strong>{p.total.toLocaleString("en-GB")}</strong> recipients, {p.products.toLocaleString("en-GB")} products in all. Left out: {p.skipped.noConsent.toLocaleString("en-GB")} without marketing consent,{" "}
          {p.skipped.outsideSegment.toLocaleString("en-GB")} outside the segment, {p.skipped.noProducts.toLocaleString("en-GB")} with nothing to recommend.
        </Text>
        </div>
        {p.total === 0 ? (
          <Banner tone="warning">Nobody would get this email. Widen the segment{p.spec.kind === "new-arrivals" ? " or the days of new products" : " or the days of checkouts"}.</Banner>
        ) : (
          <Text as="p" tone="subdued">The first {p.recipients.length} of {p.total} recipients, as the email would show them:</Text>
        )}
        {p.recipients.map((r) => (
          <Box key={r.customerId} padding="300" borderWidth="025" borderColor="border" borderRadius="200">
            <BlockStack gap="300">
              <Text as="h3" variant="headingSm">
                Customer {r.customerId}
                {r.emailHash ? <Text as="span" tone="subdued"> · email hash {r.emailHash.slice(0, 10)}…</Text> : null}
              </Text>
              <InlineGrid columns={{ xs: 2, md: 6 }} gap="300">
                {r.products.map((prod) => (
                  <div key={prod.id} data-campaign-product={prod.id}>
                    <BlockStack gap="100">
                      {prod.image ? <img src={prod.image} alt={prod.title} style={{ width: "100%", aspectRatio: "1", objectFit: "cover", borderRadius: 8, background: "#f1f1f1" }} /> : <div role="img" aria-label={`${prod.title} (no picture)`} style={{ width: "100%", aspectRatio: "1", borderRadius: 8, background: "#f1f1f1" }} />}
                      <Text as="p" variant="bodySm" fontWeight="semibold" truncate>{prod.title}</Text>
                      <Text as="p" variant="bodySm">{prod.price}</Text>
                      {prod.reasons[0] ? <Text as="p" variant="bodySm" tone="subdued">{prod.reasons[0]}</Text> : null}
                    </BlockStack>
                  </div>
                ))}
              </InlineGrid>
            </BlockStack>
          </Box>
        ))}
      </BlockStack>
    </Card>
  );
}

const POLL_MS = 400;

/** Polls the preview job (the page's loader with ?previewJob) until it is done, showing its progress; then the preview. */
function PreviewProgress({ jobId, initial }: { jobId: string; initial: CampaignPreviewJob | null }) {
  const base = useAdminPath("campaigns");
  const fetcher = useFetcher<CampaignsData>();
  const job = fetcher.data?.previewJob ?? initial;
  const finished = job?.status === "completed" || job?.status === "failed";
  const { load } = fetcher;
  useEffect(() => {
    if (finished) return;
    const t = setTimeout(() => load(`${base}?index&previewJob=${encodeURIComponent(jobId)}`), job ? POLL_MS : 0);
    return () => clearTimeout(t);
  }, [finished, job, jobId, base, load]);
  if (job?.preview) return <PreviewCard p={job.preview} />;
  if (job?.status === "failed") return <Banner tone="critical">The preview could not be built: {job.error}</Banner>;
  const pct = Math.round(100 * (job?.progress ?? 0));
  return (
    <Card>
      <div data-preview-job={jobId} data-progress={pct}>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">Building the preview…</Text>
          <ProgressBar progress={pct} size="small" animated={false} />
          <Text as="p" tone="subdued">
            {job?.message ? `${job.message} ` : "Waiting to start. "}({pct} %) Every customer's list is ranked as the email would rank it.{" "}
            <a href={`${base}?previewJob=${encodeURIComponent(jobId)}`}>Refresh</a>
          </Text>
        </BlockStack>
      </div>
    </Card>
  );
}

export function CampaignsPage({ data, result }: { data: CampaignsData; result: CampaignActionResult | null }) {
  return (
    <Page title="Campaigns" subtitle="Personal product picks for email: new arrivals for a segment, and completing abandoned checkouts.">
      <Layout>
        {result && (!result.ok || result.message) ? (
          <Layout.Section>
            <Banner tone={result.ok ? "success" : "critical"}>{result.message}</Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">Saved campaigns</Text>
              <CampaignList campaigns={data.campaigns} />
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">Build a campaign</Text>
              <Builder data={data} />
            </BlockStack>
          </Card>
        </Layout.Section>
        {result?.previewJob || data.previewJob ? (
          <Layout.Section>
            <PreviewProgress key={result?.previewJob ?? data.previewJob!.id} jobId={result?.previewJob ?? data.previewJob!.id} initial={result?.previewJob ? null : data.previewJob} />
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}
