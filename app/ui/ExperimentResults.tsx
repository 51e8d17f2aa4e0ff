/**
 * One experiment's results: the verdict of each treatment against the control (with the minimum
 * sample size it waits for), the promote action for a winner, charts (click-through and conversion
 * with their 95 % intervals, revenue per shopper and RPM, and each treatment's revenue difference
 * with its interval against zero), and the per-variant tables. The numbers come from
 * app/experiments/results.server.ts; this file only draws them.
 */
import { ChartFrame, Whisker } from "./chartParts";
import { Badge, Banner, BlockStack, Button, Card, DataTable, InlineGrid, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { Form, useNavigation } from "@remix-run/react";
import type { Comparison, VariantMetrics } from "../recommend/experiments/report";
import { useAdminPath } from "./base";
import { percent, period, PLACEMENT_LABELS, STATUS_TONE, StatusButtons, type ExperimentActionResult, type ExperimentSummary } from "./ExperimentsPage";

export interface ResultsData {
  experiment: ExperimentSummary;
  windowDays: number;
  currency: string;
  variants: VariantMetrics[];
  comparisons: Comparison[];
}

const PALETTE = ["#005bd3", "#8051ff", "#29845a", "#b98900", "#e51c00", "#00a0ac", "#c4368c", "#6b4f00"];
const HOLDOUT_COLOUR = "#8a8a8a";

const finite = (v: number | null | undefined): v is number => typeof v === "number" && Number.isFinite(v);

function money(currency: string, digits = 2) {
  let f: Intl.NumberFormat;
  try {
    f = new Intl.NumberFormat("en-GB", { style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
  } catch {
    f = new Intl.NumberFormat("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  return (v: number | null | undefined) => (finite(v) ? f.format(v) : "–");
}

const rate = (v: number | null | undefined, digits = 1) => (finite(v) ? percent(v, digits) : "–");
const int = (v: number) => v.toLocaleString("en-GB");
const signed = (s: string, v: number) => (v > 0 ? `+${s}` : s);
const pValue = (p: number | null | undefined) => (!finite(p) ? "–" : p < 0.001 ? "p < 0.001" : `p = ${p.toFixed(3)}`);
const ci = (c: [number, number] | null | undefined, f: (v: number) => string) => (c && finite(c[0]) && finite(c[1]) ? `${f(c[0])} to ${f(c[1])}` : "–");

/** A round axis step (1, 2, 2.5 or 5 times a power of ten) giving at most five intervals up to `max`. */
export function niceStep(max: number): number {
  const raw = Math.max(max, 1e-12) / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 2.5, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
}

function ticksUpTo(max: number): number[] {
  const step = niceStep(max);
  const n = Math.max(1, Math.ceil(max / step - 1e-9));
  return Array.from({ length: n + 1 }, (_, i) => i * step);
}

interface Bar {
  label: string;
  value: number;
  ci?: [number, number] | null;
  colour: string;
}

/** Vertical bars, one per variant, with a whisker for the 95 % interval where there is one. */
export function IntervalChart({ id, title, bars, format, width = 420, height = 240 }: { id: string; title: string; bars: Bar[]; format: (v: number) => string; width?: number; height?: number }) {
  const pad = { top: 22, right: 12, bottom: 40, left: 62 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const ticks = ticksUpTo(Math.max(1e-9, ...bars.flatMap((b) => [b.value, b.ci?.[1] ?? 0].filter(finite))) * 1.08);
  const max = ticks[ticks.length - 1];
  const y = (v: number) => pad.top + plotH - (Math.max(0, v) / max) * plotH;
  const slot = plotW / Math.max(1, bars.length);
  const barW = Math.min(64, slot * 0.55);
  return (
    <ChartFrame id={id} title={title} width={width} height={height}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={pad.left} x2={width - pad.right} y1={y(t)} y2={y(t)} stroke="#e3e3e3" />
            <text x={pad.left - 6} y={y(t) + 4} fontSize="11" textAnchor="end" fill="#4a4a4a">{format(t)}</text>
          </g>
        ))}
        {bars.map((b, i) => {
          const cx = pad.left + slot * i + slot / 2;
          const whisker = b.ci && finite(b.ci[0]) && finite(b.ci[1]) ? b.ci : null;
          const top = whisker ? Math.min(y(whisker[1]), y(b.value)) : y(b.value);
          return (
            <g key={b.label} data-bar={b.label}>
              <rect x={cx - barW / 2} y={y(b.value)} width={barW} height={pad.top + plotH - y(b.value)} fill={b.colour} opacity={0.85}>
                <title>{`${b.label}: ${format(b.value)}${whisker ? ` (95 % CI ${format(whisker[0])} to ${format(whisker[1])})` : ""}`}</title>
              </rect>
              {whisker ? (
                <Whisker from={y(whisker[0])} to={y(whisker[1])} at={cx} cap={8} vertical />
              ) : null}
              <text x={cx} y={top - 6} fontSize="11" textAnchor="middle" fill="#1a1a1a">{format(b.value)}</text>
              <text x={cx} y={height - pad.bottom + 16} fontSize="12" textAnchor="middle" fill="#303030">{b.label.length > 18 ? b.label.slice(0, 17) + "…" : b.label}</text>
            </g>
          );
        })}
    </ChartFrame>
  );
}

/** Each treatment's difference from the control with its interval; an interval clear of zero is significant. */
export function DifferenceChart({ id, title, rows, format, width = 860 }: { id: string; title: string; rows: { label: string; difference: number; ci: [number, number]; significant: boolean }[]; format: (v: number) => string; width?: number }) {
  const row = 34;
  const pad = { top: 14, right: 24, bottom: 30, left: 200 };
  const height = pad.top + pad.bottom + row * Math.max(1, rows.length);
  const plotW = width - pad.left - pad.right;
  const half = ticksUpTo(Math.max(1e-9, ...rows.flatMap((r) => [Math.abs(r.ci[0]), Math.abs(r.ci[1]), Math.abs(r.difference)].filter(finite))) * 1.08);
  const extent = half[half.length - 1];
  const ticks = [...half.slice(1).reverse().map((t) => -t), ...half];
  const x = (v: number) => pad.left + ((v + extent) / (2 * extent)) * plotW;
  return (
    <ChartFrame id={id} title={title} width={width} height={height}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={x(t)} x2={x(t)} y1={pad.top} y2={height - pad.bottom} stroke={t === 0 ? "#4a4a4a" : "#e3e3e3"} strokeDasharray={t === 0 ? "4 3" : undefined} />
            <text x={x(t)} y={height - pad.bottom + 16} fontSize="11" textAnchor="middle" fill="#4a4a4a">{format(t)}</text>
          </g>
        ))}
        {rows.map((r, i) => {
          const cy = pad.top + row * i + row / 2;
          const colour = !r.significant ? "#616161" : r.difference > 0 ? "#29845a" : "#e51c00";
          return (
            <g key={r.label}>
              <text x={pad.left - 10} y={cy + 4} fontSize="12" textAnchor="end" fill="#303030">{r.label.length > 30 ? r.label.slice(0, 29) + "…" : r.label}</text>
              {finite(r.ci[0]) && finite(r.ci[1]) ? <line x1={x(r.ci[0])} x2={x(r.ci[1])} y1={cy} y2={cy} stroke={colour} strokeWidth="3" /> : null}
              <circle cx={x(r.difference)} cy={cy} r="6" fill={colour}>
                <title>{`${r.label}: ${format(r.difference)} (95 % CI ${format(r.ci[0])} to ${format(r.ci[1])})`}</title>
              </circle>
            </g>
          );
        })}
    </ChartFrame>
  );
}

interface Verdict {
  comparison: Comparison;
  winner: string | null;
  tone: "success" | "warning" | "info" | "critical";
  title: string;
  detail: string;
}

function verdicts(data: ResultsData, name: (id: string) => string, fmt: (v: number) => string): Verdict[] {
  const shoppers = new Map(data.variants.map((v) => [v.variant, v.shoppers]));
  return data.comparisons.map((c) => {
    const t = name(c.treatment);
    const k = name(c.control);
    const r = c.revenuePerShopper;
    const evidence = `Revenue per shopper ${signed(fmt(r.difference), r.difference)} (95 % CI ${ci(r.ci, fmt)}, ${pValue(r.pValue)}); conversion ${signed(rate(c.conversion.difference, 2), c.conversion.difference)} (${pValue(c.conversion.pValue)}).`;
    switch (c.verdict) {
      case "treatment wins":
        return { comparison: c, winner: c.treatment, tone: "success", title: `Verdict: "${t}" beats "${k}"`, detail: evidence };
      case "control wins":
        return { comparison: c, winner: c.control, tone: "critical", title: `Verdict: "${k}" (control) beats "${t}"`, detail: evidence };
      case "no significant difference":
        return { comparison: c, winner: null, tone: "info", title: `Verdict: no significant difference between "${t}" and "${k}"`, detail: `${evidence} Both variants reached the minimum sample size of ${int(c.minimumShoppersPerArm)} shoppers.` };
      default:
        return {
          comparison: c,
          winner: null,
          tone: "warning",
          title: `Verdict: not enough data yet for "${t}" against "${k}"`,
          detail: `Each variant needs ${int(c.minimumShoppersPerArm)} shoppers before a winner is called; so far ${int(shoppers.get(c.control) ?? 0)} and ${int(shoppers.get(c.treatment) ?? 0)}. ${evidence}`,
        };
    }
  });
}

function PromoteButton({ variant, label }: { variant: string; label: string }) {
  const busy = useNavigation().state === "submitting";
  return (
    <Form method="post">
      <input type="hidden" name="intent" value="promote" />
      <input type="hidden" name="variant" value={variant} />
      <Button submit variant="primary" loading={busy}>{`Promote "${label}" to the placement's settings`}</Button>
    </Form>
  );
}

// eslint-disable-next-line max-lines-per-function -- one page of cards sharing the experiment's form state; split planned with its catalogue strings (docs/decisions/0190)
export function ExperimentResults({ data, result }: { data: ResultsData; result: ExperimentActionResult | null }) {
  const e = data.experiment;
  const back = useAdminPath("experiments");
  const variantOf = new Map(e.variants.map((v) => [v.id, v]));
  const name = (id: string) => variantOf.get(id)?.name ?? id;
  const colour = (id: string, i: number) => (variantOf.get(id)?.holdout ? HOLDOUT_COLOUR : PALETTE[i % PALETTE.length]);
  const fmt = money(data.currency);
  const verdictList = verdicts(data, name, fmt);
  const winners = [...new Set(verdictList.map((v) => v.winner).filter((w): w is string => Boolean(w)))];
  const bars = (value: (m: VariantMetrics) => number, interval?: (m: VariantMetrics) => [number, number]) =>
    data.variants.map((m, i) => ({ label: name(m.variant), value: value(m), ci: interval?.(m) ?? null, colour: colour(m.variant, i) }));
  const noTraffic = data.variants.every((v) => v.shoppers === 0 && v.impressions === 0);

  return (
    <Page
      title={e.name}
      subtitle={`${PLACEMENT_LABELS[e.placement] ?? e.placement} · ${period(e)} · orders attributed to a click within ${data.windowDays} days`}
      titleMetadata={<Badge tone={STATUS_TONE[e.status]}>{e.status}</Badge>}
      backAction={{ content: "Experiments", url: back }}
    >
      <Layout>
        {result ? (
          <Layout.Section>
            <Banner tone={result.ok ? "success" : "critical"}>{result.message}</Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack align="space-between" blockAlign="center">
                <Text as="h2" variant="headingMd">Verdict</Text>
                <StatusButtons experiment={e} />
              </InlineStack>
              {noTraffic ? <Text as="p" tone="subdued">No shopper has seen this experiment yet{e.status === "draft" ? ": start it to send traffic to its variants." : "."}</Text> : null}
              {verdictList.map((v) => (
                <Banner key={v.comparison.treatment} tone={v.tone} title={v.title}>
                  <Text as="p">{v.detail}</Text>
                </Banner>
              ))}
              {e.winner ? (
                <Text as="p">
                  <Badge tone="success">Promoted</Badge> &quot;{name(e.winner)}&quot; is the winner; its settings are the placement&apos;s settings now.
                </Text>
              ) : (
                <InlineStack gap="300">
                  {winners.map((w) =>
                    variantOf.get(w)?.holdout ? (
                      <Text key={w} as="p" tone="critical">
                        The holdout (&quot;{name(w)}&quot;) did better: recommendations on this placement cost more than they bring with these settings. There is nothing to promote; try other settings.
                      </Text>
                    ) : (
                      <PromoteButton key={w} variant={w} label={name(w)} />
                    ),
                  )}
                </InlineStack>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">Click-through rate</Text>
                <IntervalChart id="experiment-ctr" title="Click-through rate per variant with 95 % intervals" bars={bars((m) => m.ctr, (m) => m.ctrCi)} format={(v) => rate(v)} />
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">Conversion rate per shopper</Text>
                <IntervalChart id="experiment-conversion" title="Conversion rate per variant with 95 % intervals" bars={bars((m) => m.conversionRate, (m) => m.conversionCi)} format={(v) => rate(v)} />
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">Revenue per shopper</Text>
                <IntervalChart id="experiment-revenue" title="Revenue per shopper per variant" bars={bars((m) => m.revenuePerShopper)} format={money(data.currency, 0)} />
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">Attributed revenue per 1,000 impressions (RPM)</Text>
                <IntervalChart id="experiment-rpm" title="RPM per variant" bars={bars((m) => m.rpm)} format={money(data.currency, 0)} />
              </BlockStack>
            </Card>
          </InlineGrid>
        </Layout.Section>
        {data.comparisons.length ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">Revenue per shopper against the control</Text>
                <Text as="p" tone="subdued">Each treatment&apos;s difference with its 95 % interval (Welch). An interval clear of the dashed zero line is significant.</Text>
                <DifferenceChart
                  id="experiment-difference"
                  title="Difference in revenue per shopper, treatment minus control, with 95 % intervals"
                  rows={data.comparisons.map((c) => ({ label: `${name(c.treatment)} − ${name(c.control)}`, difference: c.revenuePerShopper.difference, ci: c.revenuePerShopper.ci, significant: c.revenuePerShopper.pValue < 0.05 }))}
                  format={fmt}
                />
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">Engagement per variant</Text>
              <DataTable
                columnContentTypes={["text", "numeric", "numeric", "numeric", "text", "numeric", "numeric"]}
                headings={["Variant", "Shoppers", "Impressions", "Clicks", "CTR (95 % CI)", "Add to carts", "Add-to-cart rate"]}
                rows={data.variants.map((m) => [
                  `${name(m.variant)}${variantOf.get(m.variant)?.holdout ? " (holdout)" : ""}`,
                  int(m.shoppers),
                  int(m.impressions),
                  int(m.clicks),
                  `${rate(m.ctr, 2)} (${ci(m.ctrCi, (v) => rate(v, 2))})`,
                  int(m.addToCarts),
                  rate(m.addToCartRate, 2),
                ])}
              />
              <Text as="h2" variant="headingMd">Revenue per variant</Text>
              <DataTable
                columnContentTypes={["text", "text", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric"]}
                headings={["Variant", "Conversion (95 % CI)", "Revenue", "Per shopper", "Attributed revenue", "RPM", "AOV with recommended", "AOV without"]}
                rows={data.variants.map((m) => [
                  name(m.variant),
                  `${rate(m.conversionRate)} (${ci(m.conversionCi, (v) => rate(v))})`,
                  fmt(m.revenue),
                  fmt(m.revenuePerShopper),
                  fmt(m.attributedRevenue),
                  fmt(m.rpm),
                  fmt(m.aovWithRecommended),
                  fmt(m.aovWithoutRecommended),
                ])}
              />
            </BlockStack>
          </Card>
        </Layout.Section>
        {data.comparisons.length ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">Significance tests</Text>
                {data.comparisons.map((c) => (
                  <BlockStack gap="200" key={c.treatment}>
                    <Text as="h3" variant="headingSm">{`${name(c.treatment)} against ${name(c.control)}: ${c.verdict}`}</Text>
                    <DataTable
                      columnContentTypes={["text", "numeric", "text", "numeric"]}
                      headings={["Metric (treatment minus control)", "Difference", "95 % interval", "p-value"]}
                      rows={[
                        ["Click-through rate (two-proportion z-test)", signed(rate(c.ctr.difference, 2), c.ctr.difference), ci(c.ctr.ci, (v) => rate(v, 2)), pValue(c.ctr.pValue)],
                        ...(c.addToCart ? [["Add-to-cart rate (two-proportion z-test)", signed(rate(c.addToCart.difference, 2), c.addToCart.difference), ci(c.addToCart.ci, (v) => rate(v, 2)), pValue(c.addToCart.pValue)]] : []),
                        ["Conversion rate (two-proportion z-test)", signed(rate(c.conversion.difference, 2), c.conversion.difference), ci(c.conversion.ci, (v) => rate(v, 2)), pValue(c.conversion.pValue)],
                        ["Revenue per shopper (Welch's t-test)", signed(fmt(c.revenuePerShopper.difference), c.revenuePerShopper.difference), ci(c.revenuePerShopper.ci, fmt), pValue(c.revenuePerShopper.pValue)],
                        ["Revenue per shopper (bootstrap interval)", signed(fmt(c.revenuePerShopper.difference), c.revenuePerShopper.difference), ci(c.revenuePerShopper.bootstrapCi, fmt), "–"],
                      ]}
                    />
                    <Text as="p" tone="subdued">
                      Minimum sample size: {int(c.minimumShoppersPerArm)} shoppers per variant ({c.enoughData ? "reached" : "not reached yet"}).
                    </Text>
                  </BlockStack>
                ))}
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}
