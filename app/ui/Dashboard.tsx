/** The merchant's overview: data synced, jobs, model versions, the data audit (answers and verdicts), block activity. */
import { Badge, BlockStack, Card, DataTable, InlineGrid, InlineStack, Layout, List, Page, ProgressBar, Text } from "@shopify/polaris";
import { Link } from "@remix-run/react";
import { useI18n } from "../i18n/react";
import { isMessageKey } from "../i18n/messages";
import { useAdminPath } from "./base";
import { auditQuestion, strategyName, strategyWhy } from "./auditText";
import { OnboardingChecklist } from "./OnboardingChecklist";
import type { DashboardData } from "./types";

const STATUS_TONE: Record<string, "success" | "attention" | "critical" | "info" | undefined> = {
  completed: "success",
  published: "success",
  yes: "success",
  limited: "attention",
  no: "critical",
  running: "info",
  queued: "attention",
  training: "info",
  failed: "critical",
};

function Stat({ label, value }: { label: string; value: number }) {
  const { fmt } = useI18n();
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm" tone="subdued">{label}</Text>
        <Text as="p" variant="heading2xl">{fmt.number(value)}</Text>
      </BlockStack>
    </Card>
  );
}

/** A status word in the admin's language (the raw status when the catalogue has none). */
function useStatus() {
  const { t } = useI18n();
  return (s: string) => {
    const k = `status.${s}`;
    return isMessageKey(k) ? t(k) : s;
  };
}

/** One model version in words: when it was trained, on how much data; the raw numbers behind a toggle. */
function ModelLine({ m }: { m: DashboardData["models"][number] }) {
  const { t, fmt } = useI18n();
  const status = useStatus();
  const x = m.metrics;
  const words =
    x.events !== undefined && x.products !== undefined
      ? t("dash.modelTrained", { when: fmt.when(m.createdAt), events: fmt.number(x.events), products: fmt.number(x.products), customers: fmt.number(x.customers ?? x.users ?? 0) })
      : t("dash.modelTrainedShort", { when: fmt.when(m.createdAt) });
  const technical = Object.entries(x).filter(([k]) => k !== "referenceTime");
  return (
    <div data-model={m.version}>
      <BlockStack gap="100">
        <InlineStack gap="200" blockAlign="center">
          <Badge tone={STATUS_TONE[m.status]}>{status(m.status)}</Badge>
          <Text as="p">{words} {m.publishedAt ? t("dash.modelPublished", { when: fmt.when(m.publishedAt) }) : t("dash.modelNotPublished")}</Text>
        </InlineStack>
        <details data-model-details>
          <summary><Text as="span" tone="subdued">{t("dash.details")}</Text></summary>
          <Text as="p" tone="subdued">
            {m.version} · {technical.map(([k, v]) => `${k} ${Number.isInteger(v) ? fmt.number(v) : fmt.number(v, 3)}`).join(", ")}
          </Text>
        </details>
      </BlockStack>
    </div>
  );
}

/** The headline: what recommendations earned (last-click attribution), with the traffic behind it. */
function RevenueHeadline({ a }: { a: NonNullable<DashboardData["attributed"]> }) {
  const experiments = useAdminPath("experiments");
  const { t, fmt } = useI18n();
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">{t("dash.revenueTitle", { days: a.days })}</Text>
        <div data-headline="attributed-revenue">
          <Text as="p" variant="heading2xl">{fmt.money(a.revenue, a.currency)}</Text>
        </div>
        <Text as="p" tone="subdued">
          {t("dash.revenueLine", { orders: fmt.number(a.orders), window: a.windowDays, shown: fmt.number(a.impressions), clicked: fmt.number(a.clicks), rate: a.impressions > 0 ? ` (${fmt.percent(a.clicks / a.impressions)})` : "" })}{" "}
          {t("dash.revenueMore")} <Link to={experiments}>{t("dash.revenueLink")}</Link>.
        </Text>
      </BlockStack>
    </Card>
  );
}

// eslint-disable-next-line max-lines-per-function -- one page of cards in the order the merchant reads them; cards become components in the planned UI split (docs/decisions/0190)
export function Dashboard({ data }: { data: DashboardData }) {
  const { counts } = data;
  const { t, fmt } = useI18n();
  const status = useStatus();
  const complete = data.onboarding.every((s) => s.state === "done");
  const verdict = (v: string) => (isMessageKey(`dash.verdict.${v}`) ? t(`dash.verdict.${v}` as Parameters<typeof t>[0]) : v);
  const jobName = (n: string) => (isMessageKey(`job.${n}`) ? t(`job.${n}` as Parameters<typeof t>[0]) : n);
  const clicks = data.events.filter((e) => e.type === "click").reduce((s, e) => s + e.count, 0);
  const impressions = data.events.filter((e) => e.type === "impression").reduce((s, e) => s + e.count, 0);
  return (
    <Page title="Facet" subtitle={t("dash.subtitle", { shop: data.shop })}>
      <Layout>
        {/* Until every step is done the checklist leads the page (its images step says in words when "looks alike" runs on colour alone); then it moves to the end. */}
        {!complete ? (
          <Layout.Section>
            <OnboardingChecklist steps={data.onboarding} />
          </Layout.Section>
        ) : null}
        {data.attributed ? (
          <Layout.Section>
            <RevenueHeadline a={data.attributed} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <InlineGrid columns={{ xs: 2, md: 4 }} gap="400">
            <Stat label={t("dash.products")} value={counts.products} />
            <Stat label={t("dash.customers")} value={counts.customers} />
            <Stat label={t("dash.orders")} value={counts.orders} />
            <Stat label={t("dash.interactions")} value={counts.interactions} />
          </InlineGrid>
        </Layout.Section>
        <Layout.Section variant="oneHalf">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">{t("dash.audit")}</Text>
              {data.audit ? (
                <BlockStack gap="200">
                  <Badge tone={STATUS_TONE[data.audit.verdict]}>{verdict(data.audit.verdict)}</Badge>
                  <Text as="p">{t("audit.summary", { why: strategyWhy(t, fmt, data.audit.strategies.find((s) => s.strategy === "hybrid") ?? data.audit.strategies[0]) })}</Text>
                  {data.audit.at ? <Text as="p" tone="subdued">{fmt.when(data.audit.at)}</Text> : null}
                  <div data-audit="questions">
                    <List type="bullet">
                      {data.audit.questions.map((q) => {
                        const text = auditQuestion(t, fmt, q);
                        return (
                          <List.Item key={q.id}>
                            <Text as="span" fontWeight="semibold">{text.question}</Text> {text.answer}
                            {q.ok ? "" : " ⚠"}
                          </List.Item>
                        );
                      })}
                    </List>
                  </div>
                  <div data-audit="strategies">
                    <InlineStack gap="200" wrap>
                      {data.audit.strategies.map((s) => (
                        <span key={s.strategy} title={strategyWhy(t, fmt, s)}>
                          <Badge tone={STATUS_TONE[s.viable]}>{`${strategyName(t, s)}: ${verdict(s.viable)}`}</Badge>
                        </span>
                      ))}
                    </InlineStack>
                  </div>
                </BlockStack>
              ) : (
                <Text as="p" tone="subdued">{t("dash.auditNone")}</Text>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneHalf">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">{t("dash.blocks")}</Text>
              <Text as="p">
                {t("dash.blocksLine", { shown: fmt.number(impressions), clicked: fmt.number(clicks), rate: impressions > 0 ? ` (${fmt.percent(clicks / impressions)})` : "" })}
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">{t("dash.models")}</Text>
              {data.models.length ? (
                <BlockStack gap="300">
                  {data.models.map((m) => <ModelLine key={m.version} m={m} />)}
                </BlockStack>
              ) : (
                <Text as="p" tone="subdued">{t("dash.modelsNone")}</Text>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">{t("dash.jobs")}</Text>
              {data.jobs.length ? (
                <DataTable
                  columnContentTypes={["text", "text", "text", "text", "text"]}
                  headings={[t("dash.jobHead.job"), t("dash.jobHead.status"), t("dash.jobHead.progress"), t("dash.jobHead.started"), t("dash.jobHead.message")]}
                  rows={data.jobs.map((j) => [
                    jobName(j.name),
                    <Badge key={j.id} tone={STATUS_TONE[j.status]}>{status(j.status)}</Badge>,
                    <div key={j.id} style={{ minWidth: 80 }}><ProgressBar progress={Math.round(j.progress * 100)} size="small" animated={false} /></div>,
                    fmt.when(j.createdAt),
                    j.error ?? j.message ?? "",
                  ])}
                />
              ) : (
                <Text as="p" tone="subdued">{t("dash.jobsNone")}</Text>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        {complete ? (
          <Layout.Section>
            <OnboardingChecklist steps={data.onboarding} />
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}
