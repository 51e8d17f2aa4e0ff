/**
 * Offline evaluation: the metrics of the published model, its variants and the baselines (table and
 * chart), and the tuning proposal with a button that adopts it as the shop's weights.
 */
import { Banner, BlockStack, Button, Card, DataTable, Layout, Page, Text } from "@shopify/polaris";
import { Form, useNavigation } from "@remix-run/react";
import { BarChart } from "./BarChart";
import type { EvaluationData } from "./types";

const RANKING_METRICS = ["ndcg", "precision", "recall", "map", "hit_rate"];

function fmt(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return "–";
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(4);
}

function weights(w: Record<string, number>): string {
  return Object.entries(w)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(", ");
}

export function EvaluationPage({ data, accepted }: { data: EvaluationData; accepted: boolean }) {
  const busy = useNavigation().state === "submitting";
  // The chart shows the ranking metrics (one scale, 0..1); coverage, diversity and novelty stay in the table.
  const chartMetrics = data.metricNames.filter((m) => RANKING_METRICS.includes(m));
  return (
    <Page title="Evaluation" subtitle={data.evaluatedAt ? `Offline metrics${data.k ? ` at k = ${data.k}` : ""}, ${new Date(data.evaluatedAt).toLocaleString("en-GB")}` : "Offline metrics"}>
      <Layout>
        {data.notice ? (
          <Layout.Section>
            <Banner tone="info">{data.notice}</Banner>
          </Layout.Section>
        ) : null}
        {accepted ? (
          <Layout.Section>
            <Banner tone="success">The proposed weights are now the shop's settings; the storefront uses them from its next request.</Banner>
          </Layout.Section>
        ) : null}
        {data.rows.length ? (
          <>
            <Layout.Section>
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">Ranking quality</Text>
                  <BarChart
                    title="Offline metrics per variant"
                    groups={chartMetrics}
                    series={data.rows.map((r) => ({ name: r.name, values: chartMetrics.map((m) => r.metrics[m]) }))}
                  />
                </BlockStack>
              </Card>
            </Layout.Section>
            <Layout.Section>
              <Card>
                <DataTable
                  columnContentTypes={["text", ...data.metricNames.map(() => "numeric" as const)]}
                  headings={["Variant", ...data.metricNames]}
                  rows={data.rows.map((r) => [r.name, ...data.metricNames.map((m) => fmt(r.metrics[m]))])}
                />
              </Card>
            </Layout.Section>
          </>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">Tuning proposal</Text>
              {data.proposal && data.proposal.length ? (
                <>
                  <DataTable
                    columnContentTypes={["text", "text", "text", "text"]}
                    headings={["Placement", "Current weights", "Proposed weights", "Expected gain"]}
                    rows={data.proposal.map((p) => [p.placement, weights(p.current), weights(p.proposed), p.gain ?? "–"])}
                  />
                  <Form method="post">
                    <input type="hidden" name="intent" value="accept-proposal" />
                    <Button submit variant="primary" loading={busy}>Accept the proposed weights</Button>
                  </Form>
                </>
              ) : (
                <Text as="p" tone="subdued">No proposal: run the evaluation with tuning (`facet evaluate --tune`) to get one.</Text>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
