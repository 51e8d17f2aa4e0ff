/**
 * Offline evaluation, readable: the headline in words (the blend against best-sellers), one chart
 * per question (finding what people bought, with 95 % intervals; how much of the catalogue is
 * shown; how varied a list is), every metric named in plain words with a sentence each, the Tune
 * button (an evaluation with tuning as a job, its progress polled) and the proposal it leaves with
 * a button that adopts it, and what the last training tuned.
 */
import { Banner, BlockStack, Box, Button, Card, DataTable, Layout, Page, ProgressBar, Text } from "@shopify/polaris";
import { Form, useNavigation, useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import { useI18n } from "../i18n/react";
import { isMessageKey, type MessageKey } from "../i18n/messages";
import { MetricChart, type MetricBar } from "./MetricChart";
import { sourceColour } from "./sourceColours";
import { percentDigits } from "./ticks";
import type { EvaluationData, EvaluationRow } from "./types";

const PLACEMENT_KEYS = ["product", "home", "cart", "email", "general"];

type T = ReturnType<typeof useI18n>["t"];

/** A recommender's name in the merchant's words ("blend:home" -> "Facet blend: Home page"). */
export function recommenderLabel(name: string, t: T, short = false): string {
  if (name.startsWith("blend:")) {
    const p = name.slice("blend:".length);
    const placement = PLACEMENT_KEYS.includes(p) ? t(`settings.placement.${p}` as MessageKey) : p;
    return t(short ? "eval.blendShort" : "eval.blend", { placement });
  }
  if (name === "random" || name === "popularity") return t(`eval.baseline.${name}` as MessageKey);
  const key = `settings.src.${name}`;
  return key in KNOWN ? t(key as MessageKey) : name;
}
const KNOWN: Record<string, true> = Object.fromEntries(
  ["visual", "collaborative", "bought-together", "cross-sell", "recency", "demographic", "recent-popularity", "popularity", "new-arrivals", "random"].map((s) => [`settings.src.${s}`, true]),
);

function weightsLine(w: Record<string, number>, t: T, percent: (f: number) => string): string {
  const on = Object.entries(w).filter(([, v]) => v > 0);
  const total = on.reduce((a, [, v]) => a + v, 0);
  return on.map(([k, v]) => `${recommenderLabel(k, t)} ${percent(v / total)}`).join(", ") || "–";
}

function TuneCard({ data }: { data: EvaluationData }) {
  const { t, fmt } = useI18n();
  const busy = useNavigation().state === "submitting";
  const job = data.job;
  const active = job !== null && (job.status === "queued" || job.status === "running");
  const { revalidate, state } = useRevalidator();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (state === "idle") revalidate();
    }, 1500);
    return () => clearInterval(timer);
  }, [active, revalidate, state]);
  return (
    <Card>
      <div data-tune data-job-status={job?.status ?? "none"}>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">{t("eval.tune.title")}</Text>
          <Text as="p" tone="subdued">{t("eval.tune.help")}</Text>
          {active ? (
            <BlockStack gap="200">
              <ProgressBar progress={Math.round(100 * (job.progress ?? 0))} size="small" tone="primary" />
              <Text as="p" tone="subdued">{job.status === "queued" ? t("eval.tune.queued") : t("eval.tune.running", { message: `${fmt.percent(job.progress ?? 0, 0)}${job.message ? ` · ${job.message}` : ""}` })}</Text>
            </BlockStack>
          ) : null}
          {job?.status === "failed" ? <Banner tone="critical">{t("eval.tune.failed", { error: job.error ?? "" })}</Banner> : null}
          {job?.status === "completed" ? <Text as="p">{t("eval.tune.done", { when: fmt.when(job.finishedAt ?? job.createdAt) })}</Text> : null}
          <Form method="post">
            <input type="hidden" name="intent" value="tune" />
            <Button submit variant={data.proposal?.length ? "secondary" : "primary"} loading={busy || active} disabled={active}>{t("eval.tune.button")}</Button>
          </Form>
        </BlockStack>
      </div>
    </Card>
  );
}

function Headline({ data }: { data: EvaluationData }) {
  const { t, fmt } = useI18n();
  const h = data.headline;
  if (!h) return null;
  const ratio = h.ratio;
  const key: MessageKey = ratio === null || ratio >= 1.1 ? "eval.headline.more" : ratio > 0.9 ? "eval.headline.same" : "eval.headline.fewer";
  return (
    <Card>
      <div data-headline>
        <BlockStack gap="200">
          <Text as="h2" variant="headingLg">{t(key, { ratio: ratio === null ? "∞" : fmt.number(ratio, ratio >= 10 ? 0 : 1) })}</Text>
          <Text as="p">
            {t("eval.headline.detail", { k: data.k ?? 10, blend: recommenderLabel(h.blend, t, true), blendShare: fmt.percent(h.blendRecall, 0), popularShare: fmt.percent(h.popularRecall, 0) })}
            {h.significant === null ? "" : ` ${t(h.significant ? "eval.headline.sure" : "eval.headline.unsure")}`}
          </Text>
        </BlockStack>
      </div>
    </Card>
  );
}

function ChartCard({ id, rows, metric, title, help, asPercent }: { id: string; rows: EvaluationRow[]; metric: string; title: string; help: string; asPercent: boolean }) {
  const { t, fmt } = useI18n();
  const bars: MetricBar[] = rows
    .filter((r) => Number.isFinite(r.metrics[metric]))
    .map((r) => ({ key: r.name, label: recommenderLabel(r.name, t), value: r.metrics[metric], ci: r.ci[metric], colour: sourceColour(r.name) }));
  if (!bars.length) return null;
  const format = (v: number) => (asPercent ? fmt.percent(v, v < 0.1 ? 1 : 0) : fmt.fixed(v, 2));
  const tickFormat = (v: number, step: number) => (asPercent ? fmt.percent(v, percentDigits(step)) : fmt.fixed(v, percentDigits(step / 100)));
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">{title}</Text>
        <Text as="p" tone="subdued">{help}</Text>
        <MetricChart id={id} title={title} bars={bars} format={format} tickFormat={tickFormat} />
      </BlockStack>
    </Card>
  );
}

function Proposal({ data, accepted }: { data: EvaluationData; accepted: boolean }) {
  const { t, fmt } = useI18n();
  const busy = useNavigation().state === "submitting";
  const pct = (f: number) => fmt.percent(f, 0);
  return (
    <Card>
      <div data-proposal>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">{t("eval.proposal.title")}</Text>
          {accepted ? <Banner tone="success">{t("eval.proposal.accepted")}</Banner> : null}
          {data.proposal && data.proposal.length ? (
            <>
              {data.proposal.map((p) => {
                const gain = p.relativeGain;
                const placement = PLACEMENT_KEYS.includes(p.placement) ? t(`settings.placement.${p.placement}` as MessageKey) : p.placement;
                const effect = gain === null ? `${fmt.fixed(p.before, 3)} → ${fmt.fixed(p.after, 3)}` : t(gain >= 0 ? "eval.proposal.gain" : "eval.proposal.loss", { gain: fmt.percent(Math.abs(gain), 0) });
                return (
                  <div key={p.placement} data-proposal-placement={p.placement} data-proposed={JSON.stringify(p.proposed)}>
                    <Box paddingBlockEnd="200" borderBlockEndWidth="025" borderColor="border">
                      <BlockStack gap="100">
                        <Text as="h3" variant="headingSm">{t("eval.proposal.line", { placement, gain: effect })}</Text>
                        <Text as="p" variant="bodySm" tone="subdued">{`${t("eval.proposal.from")}: ${weightsLine(p.current, t, pct)}`}</Text>
                        <Text as="p" variant="bodySm">{`${t("eval.proposal.to")}: ${weightsLine(p.proposed, t, pct)}`}</Text>
                      </BlockStack>
                    </Box>
                  </div>
                );
              })}
              {data.proposal.filter((p) => p.warning).map((p) => (
                <Banner key={p.placement} tone="warning">{p.warning}</Banner>
              ))}
              <Form method="post">
                <input type="hidden" name="intent" value="accept-proposal" />
                <Button submit variant="primary" loading={busy}>{t("eval.proposal.accept")}</Button>
              </Form>
            </>
          ) : (
            <Text as="p" tone="subdued">{t("eval.proposal.none")}</Text>
          )}
        </BlockStack>
      </div>
    </Card>
  );
}

function Tuned({ data }: { data: EvaluationData }) {
  const { t, fmt } = useI18n();
  const tuned = data.tuned;
  const tunedLabel = (r: { key: string; name: string }) => {
    const k = `eval.tuned.param.${r.key}`;
    return isMessageKey(k) ? t(k) : r.name;
  };
  // Numbers by Intl ("0,3" in German); words such as the confidence scale from the catalogue.
  const tunedValue = (v: string) => {
    const k = `eval.tuned.value.${v}`;
    if (isMessageKey(k)) return t(k);
    return v.trim() !== "" && Number.isFinite(Number(v)) ? fmt.number(Number(v), 4) : v;
  };
  const numbers = (vars: Record<string, number | string> | undefined) =>
    Object.fromEntries(Object.entries(vars ?? {}).map(([k, v]) => [k, typeof v === "number" ? fmt.number(v) : v]));
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">{t("eval.tuned.title")}</Text>
        {!tuned ? (
          <Text as="p" tone="subdued">{data.tunedVersion ? t("eval.tuned.none", { version: data.tunedVersion }) : t("eval.tuned.noModel")}</Text>
        ) : (
          <>
            <Text as="p" tone="subdued">{t("eval.tuned.intro", { version: data.tunedVersion ?? "–" })}</Text>
            {tuned.rows.length > 0 && <DataTable columnContentTypes={["text", "text", "text"]} headings={[t("eval.tuned.setting"), t("eval.tuned.chosen"), t("eval.tuned.default")]} rows={tuned.rows.map((r) => [tunedLabel(r), tunedValue(r.chosen), tunedValue(r.default)])} />}
            {tuned.notes.map((n, i) => (
              <Text as="p" key={i}>{n.key && isMessageKey(n.key) ? t(n.key, numbers(n.vars)) : n.text}</Text>
            ))}
          </>
        )}
      </BlockStack>
    </Card>
  );
}

export function EvaluationPage({ data, accepted }: { data: EvaluationData; accepted: boolean }) {
  const { t, fmt } = useI18n();
  const k = data.k ?? 10;
  const subtitle = data.evaluatedAt && data.users !== null && data.cut ? t("eval.subtitle", { users: fmt.number(data.users), date: fmt.date(data.cut) }) : t("eval.subtitleNone");
  return (
    <Page title={t("title.evaluation")} subtitle={subtitle}>
      <Layout>
        {data.rows.length ? (
          <Layout.Section>
            <Headline data={data} />
          </Layout.Section>
        ) : (
          <Layout.Section>
            <Banner tone="info">{t("eval.none")}</Banner>
          </Layout.Section>
        )}
        <Layout.Section>
          <TuneCard data={data} />
        </Layout.Section>
        <Layout.Section>
          <Proposal data={data} accepted={accepted} />
        </Layout.Section>
        {data.rows.length ? (
          <>
            <Layout.Section>
              <ChartCard id="found" rows={data.rows} metric="hit_rate" asPercent title={t("eval.found.title")} help={t("eval.found.help", { k })} />
            </Layout.Section>
            <Layout.Section>
              <ChartCard id="coverage" rows={data.rows} metric="coverage" asPercent title={t("eval.coverage.title")} help={t("eval.coverage.help")} />
            </Layout.Section>
            <Layout.Section>
              <ChartCard id="diversity" rows={data.rows} metric="diversity" asPercent={false} title={t("eval.diversity.title")} help={t("eval.diversity.help")} />
            </Layout.Section>
            <Layout.Section>
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">{t("eval.metrics.title")}</Text>
                  <DataTable
                    columnContentTypes={["text", ...data.metricNames.map(() => "numeric" as const)]}
                    headings={[t("eval.recommender"), ...data.metricNames.map((m) => t(`eval.metric.${m}` as MessageKey))]}
                    rows={data.rows.map((r) => [
                      recommenderLabel(r.name, t),
                      ...data.metricNames.map((m) => (r.metrics[m] === undefined ? "–" : m === "novelty" || m === "diversity" ? fmt.fixed(r.metrics[m], 2) : fmt.percent(r.metrics[m], 1))),
                    ])}
                  />
                  <Text as="p" tone="subdued">{t("eval.metrics.help")}</Text>
                  <Box paddingInlineStart="200">
                    <BlockStack gap="100">
                      {data.metricNames.map((m) => (
                        <div key={m} data-metric-help={m}>
                          <Text as="p">
                            <Text as="span" fontWeight="semibold">{t(`eval.metric.${m}` as MessageKey)}</Text>
                            {`: ${t(`eval.metric.${m}.help` as MessageKey)}`}
                          </Text>
                        </div>
                      ))}
                    </BlockStack>
                  </Box>
                </BlockStack>
              </Card>
            </Layout.Section>
          </>
        ) : null}
        <Layout.Section>
          <Tuned data={data} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}
