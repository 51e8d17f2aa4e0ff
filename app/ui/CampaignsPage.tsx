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
import { useI18n } from "../i18n/react";
import { isMessageKey, type MessageKey } from "../i18n/messages";
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
  /** In English (the CLI's words; also what shows when no key is given, such as a form error). */
  message: string;
  /** The message in the admin's catalogue (camp.msg.*), with its values. */
  key?: string;
  vars?: Record<string, string | number>;
  /** The campaignPreview job building the asked-for preview. */
  previewJob?: string;
}

/** The kinds app/recommend/campaigns.ts CAMPAIGN_KINDS defines (named here so the page's bundle needs none of its code). */
const KINDS = ["new-arrivals", "complete-your-look"] as const;

/** Labels of the page in the admin's language: campaign kinds, schedules, "last run" times. */
function useLabels() {
  const { t, locale } = useI18n();
  const kind = (k: string) => (isMessageKey(`camp.kind.${k}`) ? t(`camp.kind.${k}` as MessageKey) : k);
  const kinds = KINDS.map((value) => ({ value, label: kind(value) }));
  const schedules = [
    { label: t("camp.schedule.none"), value: "" },
    { label: t("camp.schedule.daily"), value: "daily" },
    { label: t("camp.schedule.weekly"), value: "weekly" },
  ];
  const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(locale === "de" ? "de-DE" : "en-GB", { dateStyle: "medium", timeStyle: "short" }) : t("camp.never"));
  return { t, kind, kinds, schedules, when };
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
  const { t, kind, when } = useLabels();
  if (!campaigns.length) return <Text as="p" tone="subdued">{t("camp.noneSaved")}</Text>;
  return (
    <BlockStack gap="200">
      {campaigns.map((c) => (
        <div key={c.id} data-campaign-row={c.id}>
          <Box padding="300" borderWidth="025" borderColor="border" borderRadius="200">
            <InlineStack align="space-between" blockAlign="center" gap="300">
              <BlockStack gap="100">
                <InlineStack gap="200" blockAlign="center">
                  <Text as="h3" variant="headingSm">{c.name}</Text>
                  <Badge tone={c.schedule ? "info" : undefined}>{c.schedule && isMessageKey(`camp.badge.${c.schedule}`) ? t(`camp.badge.${c.schedule}` as MessageKey) : t("camp.byHand")}</Badge>
                </InlineStack>
                <Text as="p" tone="subdued">
                  {t("camp.rowLine", { kind: kind(c.kind), segment: c.segment || t("camp.everyCustomer"), k: c.k, days: c.days, when: when(c.lastRunAt) })}
                </Text>
              </BlockStack>
              <InlineStack gap="200" blockAlign="center" wrap={false}>
                <a href={`${base}/${c.id}/export?format=csv`} download aria-label={t("camp.download", { name: c.name, format: "CSV" })}>CSV</a>
                <a href={`${base}/${c.id}/export?format=json`} download aria-label={t("camp.download", { name: c.name, format: "JSON" })}>JSON</a>
                <IntentForm intent="preview" id={c.id} label={t("camp.preview")} accessibilityLabel={t("camp.previewOf", { name: c.name })} />
                <IntentForm intent="run" id={c.id} label={t("camp.run")} accessibilityLabel={t("camp.runOf", { name: c.name })} />
                <IntentForm intent="delete" id={c.id} label={t("camp.delete")} accessibilityLabel={t("camp.deleteOf", { name: c.name })} tone="critical" />
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
  const { t, kinds, schedules } = useLabels();
  const { fmt } = useI18n();
  const g = data.defaults.group;
  const who = g ? t(g.gender === "female" ? "camp.who.female" : g.gender === "male" ? "camp.who.male" : "camp.who.other", { segment: g.segment }) : "";
  const [name, setName] = useState(g ? t("camp.defaultName", { who }) : t("camp.defaultNameAll"));
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
    <Form method="post" aria-label={t("camp.buildTitle")}>
      <input ref={intent} type="hidden" name="intent" defaultValue="preview" />
      <BlockStack gap="400">
        <FormLayout>
          <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
            <Select name="kind" label={t("camp.type")} options={kinds} value={kind} onChange={setKind} />
            <TextField name="name" label={t("camp.name")} autoComplete="off" value={name} onChange={setName} helpText={t("camp.nameHelp")} />
          </InlineGrid>
          <TextField
            name="segment"
            label={t("camp.segment")}
            autoComplete="off"
            value={segment}
            onChange={setSegment}
            helpText={`${g && segment === data.defaults.segment ? `${t("camp.suggested", { customers: fmt.number(g.customers) })} ` : ""}${t("camp.segmentHelp")}`}
          />
          <InlineGrid columns={{ xs: 1, md: 3 }} gap="300">
            <TextField
              name="days"
              label={kind === "new-arrivals" ? t("camp.daysNew") : t("camp.daysCheckout")}
              type="number"
              min={1}
              autoComplete="off"
              value={days}
              onChange={setDays}
            />
            <TextField name="k" label={t("camp.k")} type="number" min={1} max={24} autoComplete="off" value={k} onChange={setK} />
            <Select name="schedule" label={t("camp.schedule")} options={schedules} value={schedule} onChange={setSchedule} />
          </InlineGrid>
        </FormLayout>
        <Text as="p" tone="subdued">{t("camp.consentOnly")}</Text>
        <InlineStack gap="300" align="end">
          <Button submit onClick={submitAs("preview")} loading={busy}>{t("camp.preview")}</Button>
          <Button submit variant="primary" onClick={submitAs("save")} disabled={busy}>{t("camp.save")}</Button>
        </InlineStack>
      </BlockStack>
    </Form>
  );
}

function PreviewCard({ p }: { p: CampaignPreview }) {
  const base = useAdminPath("campaigns");
  const href = p.campaignId ? `${base}/${p.campaignId}/export?` : `${base}/new/export?${p.query}&`;
  const { t, kind } = useLabels();
  const { fmt } = useI18n();
  const title = t("camp.previewTitle", { name: p.name ?? kind(p.spec.kind) });
  return (
    <Card>
      <BlockStack gap="400">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">{title}</Text>
          <InlineStack gap="300">
            <a href={`${href}format=csv`} download data-export="csv">{t("camp.downloadCsv")}</a>
            <a href={`${href}format=json`} download data-export="json">{t("camp.downloadJson")}</a>
          </InlineStack>
        </InlineStack>
        <div data-campaign-summary="">
          <Text as="p">
            <strong>{fmt.number(p.total)}</strong>{" "}
            {t("camp.summary", { products: fmt.number(p.products), noConsent: fmt.number(p.skipped.noConsent), outside: fmt.number(p.skipped.outsideSegment), noProducts: fmt.number(p.skipped.noProducts) })}
          </Text>
        </div>
        {p.total === 0 ? (
          <Banner tone="warning">{t("camp.nobody")}</Banner>
        ) : (
          <Text as="p" tone="subdued">{t("camp.firstOf", { shown: p.recipients.length, total: fmt.number(p.total) })}</Text>
        )}
        {p.recipients.map((r) => (
          <Box key={r.customerId} padding="300" borderWidth="025" borderColor="border" borderRadius="200">
            <BlockStack gap="300">
              <Text as="h3" variant="headingSm">
                {t("camp.customer", { id: r.customerId })}
                {r.emailHash ? <Text as="span" tone="subdued"> · {t("camp.emailHash", { hash: r.emailHash.slice(0, 10) })}</Text> : null}
              </Text>
              <InlineGrid columns={{ xs: 2, md: 6 }} gap="300">
                {r.products.map((prod) => (
                  <div key={prod.id} data-campaign-product={prod.id}>
                    <BlockStack gap="100">
                      {prod.image ? <img src={prod.image} alt={prod.title} style={{ width: "100%", aspectRatio: "1", objectFit: "cover", borderRadius: 8, background: "#f1f1f1" }} /> : <div role="img" aria-label={t("camp.noPicture", { title: prod.title })} style={{ width: "100%", aspectRatio: "1", borderRadius: 8, background: "#f1f1f1" }} />}
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
  const { t, fmt } = useI18n();
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
  if (job?.status === "failed") return <Banner tone="critical">{t("camp.failed", { error: job.error ?? "" })}</Banner>;
  const pct = Math.round(100 * (job?.progress ?? 0));
  return (
    <Card>
      <div data-preview-job={jobId} data-progress={pct}>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">{t("camp.building")}</Text>
          <ProgressBar progress={pct} size="small" animated={false} />
          <Text as="p" tone="subdued">
            {job?.status === "running" ? t("camp.progressLine", { percent: fmt.percent(pct / 100, 0) }) : t("camp.waiting")}{" "}
            <a href={`${base}?previewJob=${encodeURIComponent(jobId)}`}>{t("camp.refresh")}</a>
          </Text>
        </BlockStack>
      </div>
    </Card>
  );
}

export function CampaignsPage({ data, result }: { data: CampaignsData; result: CampaignActionResult | null }) {
  const { t } = useI18n();
  return (
    <Page title={t("camp.title")} subtitle={t("camp.subtitle")}>
      <Layout>
        {result && (!result.ok || result.message) ? (
          <Layout.Section>
            <Banner tone={result.ok ? "success" : "critical"}>{result.key && isMessageKey(result.key) ? t(result.key, result.vars) : result.message}</Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">{t("camp.savedTitle")}</Text>
              <CampaignList campaigns={data.campaigns} />
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">{t("camp.buildTitle")}</Text>
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
