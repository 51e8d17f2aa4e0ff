/**
 * A/B tests: the shop's experiments (start, pause, stop; a link to each one's results) and the form
 * that creates one: a placement, two or more variants with their traffic shares, each variant the
 * placement's current settings, its own source weights, or a holdout that shows no recommendations.
 * Every control has a plain name (variant.0.share, variant.1.weights.visual, ...) so the form posts
 * the same with or without JavaScript; app/ui/experiments.server.ts reads it back.
 */
import { Badge, Banner, BlockStack, Box, Button, Card, DataTable, FormLayout, InlineGrid, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { Form, Link, useNavigation } from "@remix-run/react";
import { useEffect, useState } from "react";
import { useAdminPath } from "./base";

export type VariantKind = "current" | "custom" | "holdout";

export interface ExperimentSummary {
  id: string;
  name: string;
  placement: string;
  status: "draft" | "running" | "paused" | "stopped";
  variants: { id: string; name: string; share: number; holdout: boolean; weights: Record<string, number> | null }[];
  startAt: string | null;
  endAt: string | null;
  winner: string | null;
  createdAt: string;
}

export interface ExperimentsData {
  experiments: ExperimentSummary[];
  placements: string[];
  sources: string[];
  /** The shop's current source weights per placement (a custom variant starts from them). */
  currentWeights: Record<string, Record<string, number>>;
  /** The placement's current diversity knobs a custom variant may override. */
  currentDiversity: Record<string, { mmrLambda: number; explorationSlots: number }>;
}

export interface ExperimentActionResult {
  ok: boolean;
  message: string;
  createdId?: string;
}

export const PLACEMENT_LABELS: Record<string, string> = { product: "Product page", home: "Home page", cart: "Cart", email: "Email" };

export const STATUS_TONE: Record<string, "success" | "attention" | "info" | undefined> = { running: "success", paused: "attention", draft: "info", stopped: undefined };

const KIND_OPTIONS = [
  { label: "Current settings (control)", value: "current" },
  { label: "Custom source weights", value: "custom" },
  { label: "Holdout: no recommendations", value: "holdout" },
];

interface VariantDraft {
  name: string;
  share: string;
  kind: VariantKind;
  weights: Record<string, string>;
  /** Empty: the placement's current value. */
  mmrLambda: string;
  explorationSlots: string;
}

export function day(iso: string | null): string {
  return iso ? new Date(iso).toLocaleDateString("en-GB", { dateStyle: "medium", timeZone: "UTC" }) : "–";
}

/** "6 Nov 2026 – 20 Nov 2026", "since 6 Nov 2026", or "not started". */
export function period(e: { startAt: string | null; endAt: string | null }): string {
  if (!e.startAt) return e.endAt ? `not started (ends ${day(e.endAt)})` : "not started";
  return e.endAt ? `${day(e.startAt)} – ${day(e.endAt)}` : `since ${day(e.startAt)}`;
}

export function percent(share: number, digits = 0): string {
  return `${(100 * share).toFixed(digits)} %`;
}

function weightsText(weights: Record<string, number>): Record<string, string> {
  return Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, String(v)]));
}

function defaultVariants(weights: Record<string, number>): VariantDraft[] {
  return [
    { name: "Control", share: "50", kind: "current", weights: weightsText(weights), mmrLambda: "", explorationSlots: "" },
    { name: "Treatment", share: "50", kind: "custom", weights: weightsText(weights), mmrLambda: "", explorationSlots: "" },
  ];
}

/** Start / pause / resume / stop, as small forms (each button posts intent=status). */
export function StatusButtons({ experiment }: { experiment: ExperimentSummary }) {
  const busy = useNavigation().state === "submitting";
  const next: { status: string; label: string; tone?: "critical" }[] =
    experiment.status === "draft"
      ? [{ status: "running", label: "Start" }]
      : experiment.status === "running"
        ? [{ status: "paused", label: "Pause" }, { status: "stopped", label: "Stop", tone: "critical" }]
        : experiment.status === "paused"
          ? [{ status: "running", label: "Resume" }, { status: "stopped", label: "Stop", tone: "critical" }]
          : [];
  if (!next.length) return <Text as="span" tone="subdued">Finished</Text>;
  return (
    <InlineStack gap="200" wrap={false}>
      {next.map((n) => (
        <Form method="post" key={n.status}>
          <input type="hidden" name="intent" value="status" />
          <input type="hidden" name="id" value={experiment.id} />
          <input type="hidden" name="status" value={n.status} />
          <Button submit size="slim" tone={n.tone} disabled={busy} accessibilityLabel={`${n.label} "${experiment.name}"`}>
            {n.label}
          </Button>
        </Form>
      ))}
    </InlineStack>
  );
}

function ExperimentList({ experiments }: { experiments: ExperimentSummary[] }) {
  const base = useAdminPath("experiments");
  if (!experiments.length) return <Text as="p" tone="subdued">No experiments yet: create one below.</Text>;
  return (
    <DataTable
      columnContentTypes={["text", "text", "text", "text", "text", "text"]}
      headings={["Experiment", "Placement", "Status", "Variants (traffic)", "Period", "Actions"]}
      rows={experiments.map((e) => [
        <Link key={e.id} to={`${base}/${e.id}`} aria-label={`Results of "${e.name}"`}>{e.name}</Link>,
        PLACEMENT_LABELS[e.placement] ?? e.placement,
        <Badge key={e.id} tone={STATUS_TONE[e.status]}>{e.status}</Badge>,
        e.variants.map((v) => `${v.name}${v.holdout ? " (holdout)" : ""} ${percent(v.share)}${e.winner === v.id ? " ★" : ""}`).join(" · "),
        period(e),
        <StatusButtons key={e.id} experiment={e} />,
      ])}
    />
  );
}

function VariantFields({ index, v, sources, diversity, onChange, onRemove }: { index: number; v: VariantDraft; sources: string[]; diversity: { mmrLambda: number; explorationSlots: number } | undefined; onChange: (v: VariantDraft) => void; onRemove: (() => void) | null }) {
  const label = `Variant ${index + 1}`;
  return (
    <Box padding="300" borderWidth="025" borderColor="border" borderRadius="200">
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h3" variant="headingSm">{label}</Text>
          {onRemove ? <Button variant="plain" tone="critical" onClick={onRemove} accessibilityLabel={`Remove ${label.toLowerCase()}`}>Remove</Button> : null}
        </InlineStack>
        <InlineGrid columns={{ xs: 1, md: 3 }} gap="300">
          <TextField name={`variant.${index}.name`} label={`${label} name`} autoComplete="off" value={v.name} onChange={(name) => onChange({ ...v, name })} />
          <TextField name={`variant.${index}.share`} label={`${label} traffic share (%)`} type="number" min={1} max={100} autoComplete="off" value={v.share} onChange={(share) => onChange({ ...v, share })} />
          <Select name={`variant.${index}.kind`} label={`${label} recommendations`} options={KIND_OPTIONS} value={v.kind} onChange={(kind) => onChange({ ...v, kind: kind as VariantKind })} />
        </InlineGrid>
        {v.kind === "custom" ? (
          <BlockStack gap="200">
          <InlineGrid columns={{ xs: 2, md: 5 }} gap="200">
            {sources.map((src) => (
              <TextField
                key={src}
                name={`variant.${index}.weights.${src}`}
                label={`${label} ${src} weight`}
                type="number"
                step={0.05}
                min={0}
                autoComplete="off"
                value={v.weights[src] ?? "0"}
                onChange={(w) => onChange({ ...v, weights: { ...v.weights, [src]: w } })}
              />
            ))}
          </InlineGrid>
          <InlineGrid columns={{ xs: 1, md: 2 }} gap="200">
            <TextField
              name={`variant.${index}.diversity.mmrLambda`}
              label={`${label} relevance vs. variety (MMR λ, 1 = relevance only)`}
              type="number"
              step={0.05}
              min={0}
              max={1}
              autoComplete="off"
              value={v.mmrLambda}
              placeholder={diversity ? String(diversity.mmrLambda) : undefined}
              helpText={`Empty: the placement's current value${diversity ? ` (${diversity.mmrLambda})` : ""}.`}
              onChange={(mmrLambda) => onChange({ ...v, mmrLambda })}
            />
            <TextField
              name={`variant.${index}.diversity.explorationSlots`}
              label={`${label} exploration slots`}
              type="number"
              step={1}
              min={0}
              max={10}
              autoComplete="off"
              value={v.explorationSlots}
              placeholder={diversity ? String(diversity.explorationSlots) : undefined}
              helpText={`Empty: the placement's current value${diversity ? ` (${diversity.explorationSlots})` : ""}.`}
              onChange={(explorationSlots) => onChange({ ...v, explorationSlots })}
            />
          </InlineGrid>
          </BlockStack>
        ) : (
          <Text as="p" tone="subdued">
            {v.kind === "holdout" ? "Shoppers in this variant see no recommendations: the baseline that measures what recommendations add." : "Shoppers in this variant get the placement's current settings."}
          </Text>
        )}
      </BlockStack>
    </Box>
  );
}

function CreateForm({ data, created }: { data: ExperimentsData; created: string | null }) {
  const busy = useNavigation().state === "submitting";
  const [placement, setPlacement] = useState(data.placements[1] ?? data.placements[0]);
  const [name, setName] = useState("");
  const [startAt, setStartAt] = useState("");
  const [endAt, setEndAt] = useState("");
  const [variants, setVariants] = useState<VariantDraft[]>(() => defaultVariants(data.currentWeights[placement] ?? {}));
  // A created experiment empties the form for the next one.
  useEffect(() => {
    if (!created) return;
    setName("");
    setStartAt("");
    setEndAt("");
    setVariants(defaultVariants(data.currentWeights[placement] ?? {}));
  }, [created]); // eslint-disable-line react-hooks/exhaustive-deps
  const shareSum = variants.reduce((s, v) => s + (Number(v.share.replace(",", ".")) || 0), 0);
  const update = (i: number, v: VariantDraft) => setVariants((all) => all.map((x, j) => (j === i ? v : x)));
  const changePlacement = (p: string) => {
    setPlacement(p);
    // Custom weights start again from the new placement's current weights.
    setVariants((all) => all.map((v) => ({ ...v, weights: weightsText(data.currentWeights[p] ?? {}) })));
  };
  const addVariant = () =>
    setVariants((all) => {
      const even = String(Math.floor(100 / (all.length + 1)));
      return [...all.map((v) => ({ ...v, share: even })), { name: `Variant ${all.length + 1}`, share: String(100 - Number(even) * all.length), kind: "custom", weights: weightsText(data.currentWeights[placement] ?? {}), mmrLambda: "", explorationSlots: "" }];
    });
  return (
    <Form method="post" aria-label="Create an experiment">
      <input type="hidden" name="intent" value="create" />
      <input type="hidden" name="variantCount" value={variants.length} />
      <BlockStack gap="400">
        <FormLayout>
          <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
            <TextField name="name" label="Experiment name" autoComplete="off" value={name} onChange={setName} placeholder="Visual similarity vs. the blend" />
            <Select name="placement" label="Placement" options={data.placements.map((p) => ({ label: PLACEMENT_LABELS[p] ?? p, value: p }))} value={placement} onChange={changePlacement} />
            <TextField name="startAt" label="Start (optional, UTC date)" type="date" autoComplete="off" value={startAt} onChange={setStartAt} helpText="Empty: starts when you press Start." />
            <TextField name="endAt" label="End (optional, UTC date)" type="date" autoComplete="off" value={endAt} onChange={setEndAt} helpText="Empty: runs until you stop it." />
          </InlineGrid>
        </FormLayout>
        {variants.map((v, i) => (
          <VariantFields key={i} index={i} v={v} sources={data.sources} diversity={data.currentDiversity[placement]} onChange={(nv) => update(i, nv)} onRemove={variants.length > 2 ? () => setVariants((all) => all.filter((_, j) => j !== i)) : null} />
        ))}
        <InlineStack align="space-between" blockAlign="center">
          <InlineStack gap="300" blockAlign="center">
            <Button onClick={addVariant}>Add a variant</Button>
            <Text as="span" tone={Math.abs(shareSum - 100) > 0.5 ? "critical" : "subdued"}>Traffic shares: {+shareSum.toFixed(2)} % of 100 %</Text>
          </InlineStack>
          <Button submit variant="primary" loading={busy}>Create experiment</Button>
        </InlineStack>
      </BlockStack>
    </Form>
  );
}

export function ExperimentsPage({ data, result }: { data: ExperimentsData; result: ExperimentActionResult | null }) {
  const base = useAdminPath("experiments");
  return (
    <Page title="Experiments" subtitle="A/B tests of recommendation settings per placement, measured on clicks, conversion and revenue.">
      <Layout>
        {result ? (
          <Layout.Section>
            <Banner tone={result.ok ? "success" : "critical"} title={result.ok ? undefined : "That did not work"}>
              <BlockStack gap="100">
                <Text as="p">{result.message}</Text>
                {result.createdId ? (
                  <Link to={`${base}/${result.createdId}`}>Open its results page</Link>
                ) : null}
              </BlockStack>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">Experiments</Text>
              <Text as="p" tone="subdued">One experiment can run per placement at a time. Shoppers keep the variant they first saw.</Text>
              <ExperimentList experiments={data.experiments} />
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">New experiment</Text>
              <CreateForm data={data} created={result?.createdId ?? null} />
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
