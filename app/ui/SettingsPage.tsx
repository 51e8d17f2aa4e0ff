/**
 * Settings per placement: the blend's weights (with the seed's defaults beside them), the business
 * rules and diversity. Saved as the shop's override; the serving side reads it on the next request.
 */
import { Banner, BlockStack, Box, Button, Card, Checkbox, FormLayout, InlineGrid, InlineStack, Layout, Page, Tabs, Text, TextField } from "@shopify/polaris";
import { Form, useNavigate, useNavigation } from "@remix-run/react";
import { useEffect, useState } from "react";
import { SOURCE_NAMES, type PlacementSettings } from "../recommend/settings";
import { useAdminPath } from "./base";
import { EDITABLE_PLACEMENTS, type SettingsData } from "./types";

const PLACEMENT_LABELS: Record<string, string> = {
  product: "Product page",
  home: "Home page",
  cart: "Cart",
  email: "Email",
  general: "General",
};

function num(v: string, fallback: number): number {
  const n = Number(v.replace(",", "."));
  return Number.isFinite(n) ? n : fallback;
}

function NumberField(props: { name: string; label: string; value: number | null; onChange: (v: number | null) => void; helpText?: string; step?: number; min?: number; max?: number; nullable?: boolean }) {
  const [text, setText] = useState(props.value === null ? "" : String(props.value));
  useEffect(() => setText(props.value === null ? "" : String(props.value)), [props.value]);
  return (
    <TextField
      name={props.name}
      label={props.label}
      type="number"
      autoComplete="off"
      value={text}
      step={props.step ?? 0.05}
      min={props.min ?? 0}
      max={props.max}
      helpText={props.helpText}
      onChange={(v) => {
        setText(v);
        if (v.trim() === "" && props.nullable) props.onChange(null);
        else if (v.trim() !== "") props.onChange(num(v, props.value ?? 0));
      }}
    />
  );
}

export function SettingsPage({ data, saved, error }: { data: SettingsData; saved: boolean; error: string | null }) {
  const [s, setS] = useState<PlacementSettings>(data.current);
  const current = data.current;
  useEffect(() => setS(current), [current]);
  const navigate = useNavigate();
  const navigation = useNavigation();
  const base = useAdminPath("settings");
  const busy = navigation.state === "submitting";
  const set = (f: (d: PlacementSettings) => void) =>
    setS((prev) => {
      const next = structuredClone(prev);
      f(next);
      return next;
    });
  const tabIndex = EDITABLE_PLACEMENTS.indexOf(data.placement);
  const d = data.defaults;

  return (
    <Page title="Settings" subtitle="Per placement: how the sources are blended, which rules apply, how diverse the list is.">
      <Layout>
        <Layout.Section>
          <Tabs
            tabs={EDITABLE_PLACEMENTS.map((p) => ({ id: `placement-${p}`, content: PLACEMENT_LABELS[p] }))}
            selected={tabIndex}
            onSelect={(i) => navigate(`${base}?placement=${EDITABLE_PLACEMENTS[i]}`)}
          />
        </Layout.Section>
        {saved && !error ? (
          <Layout.Section>
            <Banner tone="success">Saved. The storefront uses these settings from its next request.</Banner>
          </Layout.Section>
        ) : null}
        {error ? (
          <Layout.Section>
            <Banner tone="critical">{error}</Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Form method="post">
            <input type="hidden" name="placement" value={data.placement} />
            <input type="hidden" name="intent" value="save" />
            <BlockStack gap="400">
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">Weights of the sources</Text>
                  <Text as="p" tone="subdued">0 leaves a source out. Weights need not sum to 1; each is applied to the source's rank-normalised scores.</Text>
                  <InlineGrid columns={{ xs: 2, md: 3 }} gap="300">
                    {SOURCE_NAMES.map((src) => (
                      <NumberField
                        key={`${data.placement}-${src}`}
                        name={`weights.${src}`}
                        label={`${src} weight`}
                        value={s.weights[src] ?? 0}
                        helpText={`Default ${d.weights[src] ?? 0}`}
                        onChange={(v) => set((x) => { x.weights[src] = v ?? 0; })}
                      />
                    ))}
                  </InlineGrid>
                </BlockStack>
              </Card>
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">Business rules</Text>
                  <FormLayout>
                    <Checkbox name="rules.excludeOutOfStock" value="on" label="Leave out products that are out of stock" checked={s.rules.excludeOutOfStock} onChange={(v) => set((x) => { x.rules.excludeOutOfStock = v; })} />
                    <Checkbox name="rules.excludeCurrentAndCart" value="on" label="Leave out the product being viewed and the cart's products" checked={s.rules.excludeCurrentAndCart} onChange={(v) => set((x) => { x.rules.excludeCurrentAndCart = v; })} />
                    <Checkbox name="rules.excludePurchased.enabled" value="on" label="Leave out products the customer already bought" checked={s.rules.excludePurchased.enabled} onChange={(v) => set((x) => { x.rules.excludePurchased.enabled = v; })} />
                    <Checkbox name="rules.seasonal" value="on" label="Only seasonal products in their season" checked={s.rules.seasonal} onChange={(v) => set((x) => { x.rules.seasonal = v; })} />
                    <InlineGrid columns={2} gap="300">
                      <Checkbox name="rules.priceBand.enabled" value="on" label="Keep to the customer's price band" checked={s.rules.priceBand.enabled} onChange={(v) => set((x) => { x.rules.priceBand.enabled = v; })} />
                      <NumberField name="rules.priceBand.margin" label="Price band margin (± share of the average order)" value={s.rules.priceBand.margin} step={0.1} helpText={`Default ${d.rules.priceBand.margin}`} onChange={(v) => set((x) => { x.rules.priceBand.margin = v ?? 0; })} />
                      <Checkbox name="rules.brandAffinity.enabled" value="on" label="Prefer brands the customer buys" checked={s.rules.brandAffinity.enabled} onChange={(v) => set((x) => { x.rules.brandAffinity.enabled = v; })} />
                      <NumberField name="rules.brandAffinity.factor" label="Other brands' factor" value={s.rules.brandAffinity.factor} max={1} helpText={`Default ${d.rules.brandAffinity.factor}`} onChange={(v) => set((x) => { x.rules.brandAffinity.factor = v ?? 0; })} />
                      <Checkbox name="rules.gender.enabled" value="on" label="Gender targeting (never for gifts)" checked={s.rules.gender.enabled} onChange={(v) => set((x) => { x.rules.gender.enabled = v; })} />
                      <NumberField name="rules.gender.factor" label="Other gender's factor" value={s.rules.gender.factor} max={1} helpText={`Default ${d.rules.gender.factor}`} onChange={(v) => set((x) => { x.rules.gender.factor = v ?? 0; })} />
                    </InlineGrid>
                    <TextField
                      name="rules.pinned"
                      label="Pinned product ids (shown first, comma-separated)"
                      autoComplete="off"
                      value={s.rules.pinned.join(", ")}
                      onChange={(v) => set((x) => { x.rules.pinned = v.split(",").map((t) => t.trim()).filter(Boolean); })}
                    />
                  </FormLayout>
                </BlockStack>
              </Card>
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">Diversity</Text>
                  <InlineGrid columns={{ xs: 2, md: 3 }} gap="300">
                    <NumberField name="diversity.mmrLambda" label="Relevance vs. variety (MMR λ, 1 = relevance only)" value={s.diversity.mmrLambda} max={1} helpText={`Default ${d.diversity.mmrLambda}`} onChange={(v) => set((x) => { x.diversity.mmrLambda = v ?? 1; })} />
                    <NumberField name="diversity.maxPerCategory" label="Most products of one category" value={s.diversity.maxPerCategory} step={1} min={1} nullable helpText={`Empty = no cap. Default ${d.diversity.maxPerCategory ?? "none"}`} onChange={(v) => set((x) => { x.diversity.maxPerCategory = v; })} />
                    <NumberField name="diversity.maxPerCollection" label="Most products of one collection" value={s.diversity.maxPerCollection} step={1} min={1} nullable helpText={`Empty = no cap. Default ${d.diversity.maxPerCollection ?? "none"}`} onChange={(v) => set((x) => { x.diversity.maxPerCollection = v; })} />
                    <NumberField name="diversity.maxPriceTierShare" label="Largest share of one price tier" value={s.diversity.maxPriceTierShare} max={1} helpText={`Default ${d.diversity.maxPriceTierShare}`} onChange={(v) => set((x) => { x.diversity.maxPriceTierShare = v ?? 1; })} />
                    <NumberField name="diversity.explorationSlots" label="Exploration slots" value={s.diversity.explorationSlots} step={1} max={10} helpText={`Default ${d.diversity.explorationSlots}`} onChange={(v) => set((x) => { x.diversity.explorationSlots = v ?? 0; })} />
                  </InlineGrid>
                </BlockStack>
              </Card>
              <InlineStack gap="300" align="end">
                <Button submit variant="primary" loading={busy}>Save</Button>
              </InlineStack>
            </BlockStack>
          </Form>
          <Form method="post">
            <input type="hidden" name="placement" value={data.placement} />
            <input type="hidden" name="intent" value="reset" />
            <Box paddingBlockStart="300">
              <InlineStack align="end">
                <Button submit disabled={busy || !data.customised}>Reset this placement to the defaults</Button>
              </InlineStack>
            </Box>
          </Form>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
