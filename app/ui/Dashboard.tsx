/** The merchant's overview: data synced, jobs, model versions, the data audit (answers and verdicts), block activity. */
import { Badge, Banner, BlockStack, Card, DataTable, InlineGrid, InlineStack, Layout, List, Page, ProgressBar, Text } from "@shopify/polaris";
import { Link } from "@remix-run/react";
import { useAdminPath } from "./base";
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

const AUDIT_LABEL: Record<string, string> = { yes: "Viable", limited: "Limited", no: "Not viable" };

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" }) : "–";
}

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm" tone="subdued">{label}</Text>
        <Text as="p" variant="heading2xl">{value.toLocaleString("en-GB")}</Text>
      </BlockStack>
    </Card>
  );
}

function money(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat("en-GB", { style: "currency", currency }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

/** The headline: what recommendations earned (last-click attribution), with the traffic behind it. */
function RevenueHeadline({ a }: { a: NonNullable<DashboardData["attributed"]> }) {
  const experiments = useAdminPath("experiments");
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">Revenue from recommendations (last {a.days} days)</Text>
        <div data-headline="attributed-revenue">
          <Text as="p" variant="heading2xl">{money(a.revenue, a.currency)}</Text>
        </div>
        <Text as="p" tone="subdued">
          {a.orders.toLocaleString("en-GB")} orders with a recommended product bought within {a.windowDays} days of its click ·{" "}
          {a.impressions.toLocaleString("en-GB")} products shown · {a.clicks.toLocaleString("en-GB")} clicked
          {a.impressions > 0 ? ` (${((100 * a.clicks) / a.impressions).toFixed(1)} %)` : ""}. What recommendations add beyond this: run an{" "}
          <Link to={experiments}>experiment with a holdout</Link>.
        </Text>
      </BlockStack>
    </Card>
  );
}

export function Dashboard({ data }: { data: DashboardData }) {
  const { counts } = data;
  const clicks = data.events.filter((e) => e.type === "click").reduce((s, e) => s + e.count, 0);
  const impressions = data.events.filter((e) => e.type === "impression").reduce((s, e) => s + e.count, 0);
  return (
    <Page title="Facet" subtitle={`Recommendations for ${data.shop}`}>
      <Layout>
        {data.visualNote ? (
          <Layout.Section>
            <Banner tone="info" title="Visual similarity: colour only">
              <p data-visual-note>{data.visualNote}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {data.attributed ? (
          <Layout.Section>
            <RevenueHeadline a={data.attributed} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <InlineGrid columns={{ xs: 2, md: 4 }} gap="400">
            <Stat label="Products" value={counts.products} />
            <Stat label="Customers" value={counts.customers} />
            <Stat label="Orders" value={counts.orders} />
            <Stat label="Interactions" value={counts.interactions} />
          </InlineGrid>
        </Layout.Section>
        <Layout.Section variant="oneHalf">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">Data audit</Text>
              {data.audit ? (
                <BlockStack gap="200">
                  <Badge tone={STATUS_TONE[data.audit.verdict]}>{AUDIT_LABEL[data.audit.verdict] ?? data.audit.verdict}</Badge>
                  <Text as="p">{data.audit.summary}</Text>
                  {data.audit.at ? <Text as="p" tone="subdued">{when(data.audit.at)}</Text> : null}
                  <div data-audit="questions">
                    <List type="bullet">
                      {data.audit.questions.map((q) => (
                        <List.Item key={q.question}>
                          <Text as="span" fontWeight="semibold">{q.question}</Text> {q.answer}
                          {q.ok ? "" : " ⚠"}
                        </List.Item>
                      ))}
                    </List>
                  </div>
                  <div data-audit="strategies">
                    <InlineStack gap="200" wrap>
                      {data.audit.strategies.map((s) => (
                        <span key={s.strategy} title={s.why}>
                          <Badge tone={STATUS_TONE[s.viable]}>{`${s.strategy}: ${AUDIT_LABEL[s.viable] ?? s.viable}`}</Badge>
                        </span>
                      ))}
                    </InlineStack>
                  </div>
                </BlockStack>
              ) : (
                <Text as="p" tone="subdued">No audit yet: import or sync the shop's data first.</Text>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneHalf">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">Storefront blocks (30 days)</Text>
              <Text as="p">
                {impressions.toLocaleString("en-GB")} products shown, {clicks.toLocaleString("en-GB")} clicked
                {impressions > 0 ? ` (${((100 * clicks) / impressions).toFixed(1)} %)` : ""}.
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">Model versions</Text>
              {data.models.length ? (
                <DataTable
                  columnContentTypes={["text", "text", "text", "text", "text"]}
                  headings={["Version", "Status", "Created", "Published", "Training metrics"]}
                  rows={data.models.map((m) => [
                    m.version,
                    <Badge key={m.version} tone={STATUS_TONE[m.status]}>{m.status}</Badge>,
                    when(m.createdAt),
                    when(m.publishedAt),
                    Object.entries(m.metrics).map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(3)}`).join(", ") || "–",
                  ])}
                />
              ) : (
                <Text as="p" tone="subdued">No model trained yet.</Text>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">Sync and jobs</Text>
              {data.jobs.length ? (
                <DataTable
                  columnContentTypes={["text", "text", "text", "text", "text"]}
                  headings={["Job", "Status", "Progress", "Started", "Message"]}
                  rows={data.jobs.map((j) => [
                    j.name,
                    <Badge key={j.id} tone={STATUS_TONE[j.status]}>{j.status}</Badge>,
                    <div key={j.id} style={{ minWidth: 80 }}><ProgressBar progress={Math.round(j.progress * 100)} size="small" animated={false} /></div>,
                    when(j.createdAt),
                    j.error ?? j.message ?? "",
                  ])}
                />
              ) : (
                <Text as="p" tone="subdued">No jobs have run yet.</Text>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
