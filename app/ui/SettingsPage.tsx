/**
 * Settings per placement, in a merchant's words: named presets, one slider per signal with its
 * share of the mix and a line on what it does, the rules, pinned and hidden products chosen with a
 * picker (search by title, with photos), the mix the last training recommends ("Apply"), and the
 * raw numbers behind an "Advanced" disclosure. A live preview beside the form shows the list the
 * unsaved settings give (the action's "preview" intent) as the sliders move.
 *
 * The form posts hidden inputs written from the page's state (weights.visual, rules.pinned,
 * global.hidden, ...; app/ui/settingsForm.ts reads them), so the sliders and the advanced fields
 * never disagree about a value.
 */
import { Badge, Banner, BlockStack, Box, Button, Card, Checkbox, Collapsible, InlineGrid, InlineStack, Layout, Page, RangeSlider, Tabs, Text, TextField, Thumbnail } from "@shopify/polaris";
import { Form, Link, useFetcher, useNavigate, useNavigation } from "@remix-run/react";
import { useEffect, useMemo, useRef, useState } from "react";
import { SOURCE_NAMES, type PlacementSettings } from "../recommend/settings";
import type { SourceName } from "../recommend/types";
import { useI18n } from "../i18n/react";
import type { MessageKey } from "../i18n/messages";
import { useAdminPath } from "./base";
import { CHECKBOX_FIELDS, NULLABLE_NUMBER_FIELDS, NUMBER_FIELDS, getPath, setPath } from "./settingsForm";
import { PRESETS, PRESET_IDS, SLIDER_SOURCES, cleanWeights, presetOf, shareOf, varietyOf, withVariety } from "./settingsKnobs";
import { EDITABLE_PLACEMENTS, type ProductOption, type SettingsActionResult, type SettingsData, type SettingsPreview } from "./types";

type Draft = PlacementSettings;

function num(v: string, fallback: number): number {
  const n = Number(v.replace(",", "."));
  return Number.isFinite(n) ? n : fallback;
}

const RULE_LABELS: Record<(typeof CHECKBOX_FIELDS)[number], MessageKey> = {
  "rules.excludeOutOfStock": "settings.rule.outOfStock",
  "rules.excludeCurrentAndCart": "settings.rule.currentAndCart",
  "rules.excludePurchased.enabled": "settings.rule.purchased",
  "rules.seasonal": "settings.rule.seasonal",
  "rules.priceBand.enabled": "settings.rule.priceBand",
  "rules.brandAffinity.enabled": "settings.rule.brand",
  "rules.gender.enabled": "settings.rule.gender",
};

function NumberField(props: { label: string; value: number | null; onChange: (v: number | null) => void; helpText?: string; step?: number; min?: number; max?: number; nullable?: boolean }) {
  const [text, setText] = useState(props.value === null ? "" : String(props.value));
  useEffect(() => setText(props.value === null ? "" : String(props.value)), [props.value]);
  return (
    <TextField
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

/** The hidden inputs the form posts: every field settingsForm.ts reads, from the state. */
function HiddenFields({ s, hidden }: { s: Draft; hidden: string[] }) {
  return (
    <>
      {SOURCE_NAMES.map((src) => (
        <input key={src} type="hidden" name={`weights.${src}`} value={String(s.weights[src] ?? 0)} />
      ))}
      {CHECKBOX_FIELDS.map((f) => (getPath(s, f) ? <input key={f} type="hidden" name={f} value="on" /> : null))}
      {[...NUMBER_FIELDS, ...NULLABLE_NUMBER_FIELDS].map((f) => {
        const v = getPath(s, f);
        return <input key={f} type="hidden" name={f} value={v === null || v === undefined ? "" : String(v)} />;
      })}
      <input type="hidden" name="rules.pinned" value={s.rules.pinned.join(",")} />
      <input type="hidden" name="global.hidden" value={hidden.join(",")} />
    </>
  );
}

function ProductRow({ p, actions }: { p: ProductOption; actions: { label: string; onClick: () => void; disabled?: boolean }[] }) {
  return (
    <div data-product-option={p.id}>
      <InlineStack gap="300" blockAlign="center" wrap={false}>
        <Thumbnail source={p.image ?? ""} alt={p.title} size="small" />
        <Box minWidth="0" width="100%">
          <BlockStack gap="050">
            <Text as="span" fontWeight="medium" truncate>{p.title}</Text>
            <Text as="span" variant="bodySm" tone="subdued">{p.price}</Text>
          </BlockStack>
        </Box>
        <InlineStack gap="200" wrap={false}>
          {actions.map((a) => (
            <Button key={a.label} size="slim" onClick={a.onClick} disabled={a.disabled} accessibilityLabel={`${a.label}: ${p.title}`}>
              {a.label}
            </Button>
          ))}
        </InlineStack>
      </InlineStack>
    </div>
  );
}

function PreviewCard({ preview, busy, dirty, previewLink }: { preview: SettingsPreview; busy: boolean; dirty: boolean; previewLink: string }) {
  const { t } = useI18n();
  const subject = preview.product
    ? t(preview.customerId ? "settings.preview.forCart" : "settings.preview.forProduct", { product: preview.product.title })
    : preview.customerId
      ? t("settings.preview.forCustomer", { customer: preview.customerId })
      : t("settings.preview.anonymous");
  return (
    <Card>
      <div data-settings-preview aria-busy={busy}>
        <BlockStack gap="300">
          <InlineStack align="space-between" blockAlign="center">
            <Text as="h2" variant="headingMd">{t("settings.preview.title")}</Text>
            {busy ? <Text as="span" variant="bodySm" tone="subdued">{t("settings.preview.updating")}</Text> : null}
          </InlineStack>
          <Text as="p" tone="subdued">{subject}</Text>
          {dirty ? <Badge tone="attention">{t("settings.unsaved")}</Badge> : null}
          {preview.error ? <Banner tone="critical">{t("settings.preview.error", { message: preview.error })}</Banner> : null}
          {!preview.error && preview.products.length === 0 ? <Text as="p">{t("settings.preview.empty")}</Text> : null}
          <InlineGrid columns={2} gap="300">
            {preview.products.map((p, i) => (
              <div key={p.id} data-settings-preview-product={p.id} style={{ opacity: busy ? 0.6 : 1, transition: "opacity 120ms" }}>
                <BlockStack gap="100">
                  <div style={{ aspectRatio: "1 / 1", background: "#f3f3f3", borderRadius: 8, overflow: "hidden", position: "relative" }}>
                    {p.image ? <img src={p.image} alt={p.title} loading="lazy" style={{ width: "100%", height: "100%", objectFit: "cover" }} /> : null}
                    <span style={{ position: "absolute", top: 6, left: 6 }}><Badge>{`${i + 1}`}</Badge></span>
                  </div>
                  <Text as="span" variant="bodySm" fontWeight="medium" truncate>{p.title}</Text>
                  <Text as="span" variant="bodySm" tone="subdued">{p.price}</Text>
                </BlockStack>
              </div>
            ))}
          </InlineGrid>
          <Link to={previewLink}>{t("settings.preview.more")}</Link>
        </BlockStack>
      </div>
    </Card>
  );
}

// eslint-disable-next-line max-lines-per-function -- one form whose sliders, presets, pins and live preview share the draft state; split planned (docs/decisions/0190)
export function SettingsPage({ data, saved, error }: { data: SettingsData; saved: boolean; error: string | null }) {
  const { t, fmt } = useI18n();
  const [s, setS] = useState<Draft>(data.current);
  const [hidden, setHidden] = useState<string[]>(data.hidden);
  const [cards, setCards] = useState<Record<string, ProductOption>>(() => Object.fromEntries(data.cards.map((c) => [c.id, c])));
  const [advanced, setAdvanced] = useState(false);
  const [applied, setApplied] = useState(false);
  const [query, setQuery] = useState("");
  const { current } = data;
  useEffect(() => {
    setS(current);
    setHidden(data.hidden);
    setCards((prev) => ({ ...prev, ...Object.fromEntries(data.cards.map((c) => [c.id, c])) }));
    setApplied(false);
  }, [current, data.hidden, data.cards]);
  const navigate = useNavigate();
  const navigation = useNavigation();
  const base = useAdminPath("settings");
  const previewPath = useAdminPath("preview");
  const busy = navigation.state === "submitting";
  const formRef = useRef<HTMLFormElement>(null);
  const previewFetcher = useFetcher<SettingsActionResult>();
  const searchFetcher = useFetcher<SettingsActionResult>();
  const set = (f: (d: Draft) => void) =>
    setS((prev) => {
      const next = structuredClone(prev);
      f(next);
      return next;
    });
  const d = data.defaults;
  const dirty = useMemo(() => JSON.stringify(s) !== JSON.stringify(current) || hidden.join(",") !== data.hidden.join(","), [s, current, hidden, data.hidden]);

  // The live preview: the form as it is, a moment after the last change.
  useEffect(() => {
    if (!dirty) return;
    const timer = setTimeout(() => {
      if (!formRef.current) return;
      const fd = new FormData(formRef.current);
      fd.set("intent", "preview");
      previewFetcher.submit(fd, { method: "post" });
    }, 300);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the fetcher's identity changes with each answer
  }, [s, hidden, dirty]);
  const fetched = previewFetcher.data?.intent === "preview" ? previewFetcher.data.preview : null;
  const preview = dirty && fetched ? fetched : data.preview;

  // The picker's search, a moment after the last keystroke.
  useEffect(() => {
    const q = query.trim();
    if (!q) return;
    const timer = setTimeout(() => searchFetcher.submit({ intent: "search", q }, { method: "post" }), 250);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- as above
  }, [query]);
  const found = searchFetcher.data?.intent === "search" && query.trim() && searchFetcher.data.query === query.trim() ? searchFetcher.data.results : null;
  const remember = (p: ProductOption) => setCards((prev) => ({ ...prev, [p.id]: p }));
  const card = (id: string): ProductOption => cards[id] ?? { id, title: id, image: null, price: "" };

  const preset = presetOf(s.weights);
  const weightLabel = (src: SourceName) => t("settings.adv.weight", { source: src });
  const placementLabel = (p: string) => t(`settings.placement.${p}` as MessageKey);
  const sourceLabel = (src: SourceName) => t(`settings.src.${src}` as MessageKey);
  const rec = data.recommended;

  return (
    <Page title={t("title.settings")} subtitle={t("settings.subtitle")}>
      <Layout>
        <Layout.Section>
          <Tabs
            tabs={EDITABLE_PLACEMENTS.map((p) => ({ id: `placement-${p}`, content: placementLabel(p) }))}
            selected={EDITABLE_PLACEMENTS.indexOf(data.placement)}
            onSelect={(i) => navigate(`${base}?placement=${EDITABLE_PLACEMENTS[i]}`)}
          />
        </Layout.Section>
        {saved && !error ? (
          <Layout.Section>
            <Banner tone="success">{t("settings.saved")}</Banner>
          </Layout.Section>
        ) : null}
        {error ? (
          <Layout.Section>
            <Banner tone="critical" title={t("settings.notSaved")}>{error}</Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Form method="post" ref={formRef}>
            <input type="hidden" name="placement" value={data.placement} />
            <input type="hidden" name="intent" value="save" />
            <HiddenFields s={s} hidden={hidden} />
            <BlockStack gap="400">
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">{t("settings.presets")}</Text>
                  <Text as="p" tone="subdued">{t("settings.presetsHelp")}</Text>
                  <InlineGrid columns={{ xs: 1, sm: 2 }} gap="300">
                    {PRESET_IDS.map((id) => (
                      <div key={id} data-preset={id}>
                        <Box padding="300" borderWidth="025" borderRadius="200" borderColor={preset === id ? "border-emphasis" : "border"} background={preset === id ? "bg-surface-selected" : "bg-surface"} minHeight="100%">
                          <BlockStack gap="200">
                            <InlineStack align="space-between" blockAlign="center">
                              <Text as="h3" variant="headingSm">{t(`settings.preset.${id}` as MessageKey)}</Text>
                              {preset === id ? (
                                <Badge tone="info">{t("settings.presetActive")}</Badge>
                              ) : (
                                <Button size="slim" onClick={() => set((x) => { x.weights = { ...PRESETS[id] }; })} accessibilityLabel={`${t("settings.choose")}: ${t(`settings.preset.${id}` as MessageKey)}`}>
                                  {t("settings.choose")}
                                </Button>
                              )}
                            </InlineStack>
                            <Text as="p" variant="bodySm" tone="subdued">{t(`settings.preset.${id}.help` as MessageKey)}</Text>
                          </BlockStack>
                        </Box>
                      </div>
                    ))}
                  </InlineGrid>
                </BlockStack>
              </Card>

              <Card>
                <div data-recommended={rec.kind}>
                  <BlockStack gap="300">
                    <Text as="h2" variant="headingMd">{t("settings.rec.title")}</Text>
                    {rec.kind === "tuned" ? (
                      <>
                        <Text as="p">
                          {rec.gain !== null && rec.gain > 0.0005
                            ? t("settings.rec.body", { when: fmt.when(rec.trainedAt), users: fmt.number(rec.validationUsers), gain: fmt.percent(rec.gain, 0) })
                            : t("settings.rec.bodySame", { when: fmt.when(rec.trainedAt), users: fmt.number(rec.validationUsers) })}
                        </Text>
                        {rec.guardSource ? <Text as="p">{t("settings.rec.guard", { source: sourceLabel(rec.guardSource) })}</Text> : null}
                        <InlineStack gap="200">
                          {(Object.entries(rec.weights) as [SourceName, number][]).map(([src]) => (
                            <Badge key={src}>{`${sourceLabel(src)} ${fmt.percent(shareOf(rec.weights, src), 0)}`}</Badge>
                          ))}
                        </InlineStack>
                        <InlineStack gap="300" blockAlign="center">
                          <Button
                            onClick={() => {
                              set((x) => { x.weights = { ...rec.weights }; });
                              setApplied(true);
                            }}
                            disabled={JSON.stringify(cleanWeights(s.weights)) === JSON.stringify(cleanWeights(rec.weights))}
                          >
                            {t("settings.rec.apply")}
                          </Button>
                          <Text as="span" tone="subdued">{applied ? t("settings.rec.applied") : t(rec.inUse ? "settings.rec.inUse" : "settings.rec.notInUse")}</Text>
                        </InlineStack>
                      </>
                    ) : (
                      <Text as="p" tone="subdued">{t(rec.kind === "no-model" ? "settings.rec.noModel" : "settings.rec.notTuned")}</Text>
                    )}
                  </BlockStack>
                </div>
              </Card>

              <Card>
                <BlockStack gap="400">
                  <BlockStack gap="100">
                    <Text as="h2" variant="headingMd">{t("settings.mix")}</Text>
                    <Text as="p" tone="subdued">{t("settings.mixHelp")}</Text>
                  </BlockStack>
                  {SLIDER_SOURCES.map((src) => {
                    const w = s.weights[src] ?? 0;
                    return (
                      <div key={src} data-slider={src}>
                        <RangeSlider
                          label={sourceLabel(src)}
                          helpText={t(`settings.src.${src}.help` as MessageKey)}
                          min={0}
                          max={1}
                          step={0.05}
                          value={Math.min(1, w)}
                          suffix={<Box minWidth="110px"><Text as="span" tone={w > 0 ? undefined : "subdued"}>{w > 0 ? t("settings.share", { share: fmt.percent(shareOf(s.weights, src), 0) }) : t("settings.off")}</Text></Box>}
                          onChange={(v) => set((x) => { x.weights[src] = Math.round(Number(v) * 100) / 100; })}
                        />
                      </div>
                    );
                  })}
                  <div data-slider="variety">
                    <RangeSlider
                      label={t("settings.variety")}
                      helpText={t("settings.varietyHelp")}
                      min={0}
                      max={1}
                      step={0.05}
                      value={varietyOf(s)}
                      suffix={<Box minWidth="110px"><Text as="span">{fmt.percent(varietyOf(s), 0)}</Text></Box>}
                      onChange={(v) => setS((prev) => withVariety(prev, Number(v)))}
                    />
                  </div>
                  <div data-slider="exploration">
                    <RangeSlider
                      label={t("settings.exploration")}
                      helpText={t("settings.explorationHelp")}
                      min={0}
                      max={4}
                      step={1}
                      value={Math.min(4, s.diversity.explorationSlots)}
                      suffix={<Box minWidth="110px"><Text as="span">{fmt.number(s.diversity.explorationSlots)}</Text></Box>}
                      onChange={(v) => set((x) => { x.diversity.explorationSlots = Number(v); })}
                    />
                  </div>
                </BlockStack>
              </Card>

              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">{t("settings.rules")}</Text>
                  {CHECKBOX_FIELDS.map((f) => (
                    <Checkbox key={f} label={t(RULE_LABELS[f])} checked={Boolean(getPath(s, f))} onChange={(v) => set((x) => setPath(x, f, v))} />
                  ))}
                </BlockStack>
              </Card>

              <Card>
                <div data-product-picker>
                  <BlockStack gap="300">
                    <Text as="h2" variant="headingMd">{t("settings.pins")}</Text>
                    <Text as="p" tone="subdued">{t("settings.pinsHelp")}</Text>
                    <TextField label={t("settings.search")} placeholder={t("settings.searchPlaceholder")} autoComplete="off" value={query} onChange={setQuery} clearButton onClearButtonClick={() => setQuery("")} />
                    {found ? (
                      <div data-search-results>
                        <BlockStack gap="200">
                          {found.length === 0 ? <Text as="p" tone="subdued">{t("settings.noMatch", { q: query.trim() })}</Text> : null}
                          {found.map((p) => (
                            <ProductRow
                              key={p.id}
                              p={p}
                              actions={[
                                { label: t("settings.pin"), disabled: s.rules.pinned.includes(p.id), onClick: () => { remember(p); set((x) => { x.rules.pinned = [...x.rules.pinned, p.id]; }); } },
                                { label: t("settings.hide"), disabled: hidden.includes(p.id), onClick: () => { remember(p); setHidden((h) => [...h, p.id]); } },
                              ]}
                            />
                          ))}
                        </BlockStack>
                      </div>
                    ) : null}
                    <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
                      <div data-pinned>
                        <BlockStack gap="200">
                          <Text as="h3" variant="headingSm">{t("settings.pinned")}</Text>
                          {s.rules.pinned.length === 0 ? <Text as="p" tone="subdued">{t("settings.noneYet")}</Text> : null}
                          {s.rules.pinned.map((id) => (
                            <ProductRow key={id} p={card(id)} actions={[{ label: t("settings.remove"), onClick: () => set((x) => { x.rules.pinned = x.rules.pinned.filter((v) => v !== id); }) }]} />
                          ))}
                        </BlockStack>
                      </div>
                      <div data-hidden>
                        <BlockStack gap="200">
                          <Text as="h3" variant="headingSm">{t("settings.hidden")}</Text>
                          {hidden.length === 0 ? <Text as="p" tone="subdued">{t("settings.noneYet")}</Text> : null}
                          {hidden.map((id) => (
                            <ProductRow key={id} p={card(id)} actions={[{ label: t("settings.remove"), onClick: () => setHidden((h) => h.filter((v) => v !== id)) }]} />
                          ))}
                        </BlockStack>
                      </div>
                    </InlineGrid>
                  </BlockStack>
                </div>
              </Card>

              <Card>
                <BlockStack gap="300">
                  <InlineStack align="space-between" blockAlign="center">
                    <Text as="h2" variant="headingMd">{t("settings.advanced")}</Text>
                    <Button variant="plain" disclosure={advanced ? "up" : "down"} onClick={() => setAdvanced((a) => !a)} ariaExpanded={advanced} ariaControls="settings-advanced">
                      {t("settings.advanced")}
                    </Button>
                  </InlineStack>
                  <Collapsible id="settings-advanced" open={advanced} transition={{ duration: "0ms" }}>
                    <BlockStack gap="300">
                      <Text as="p" tone="subdued">{t("settings.advancedHelp")}</Text>
                      <InlineGrid columns={{ xs: 2, md: 3 }} gap="300">
                        {SOURCE_NAMES.map((src) => (
                          <NumberField
                            key={`${data.placement}-${src}`}
                            label={weightLabel(src)}
                            value={s.weights[src] ?? 0}
                            helpText={t("settings.adv.default", { value: fmt.number(d.weights[src] ?? 0, 2) })}
                            onChange={(v) => set((x) => { x.weights[src] = v ?? 0; })}
                          />
                        ))}
                      </InlineGrid>
                      <InlineGrid columns={{ xs: 2, md: 3 }} gap="300">
                        <NumberField label={t("settings.adv.mmr")} value={s.diversity.mmrLambda} max={1} helpText={t("settings.adv.default", { value: fmt.number(d.diversity.mmrLambda, 2) })} onChange={(v) => set((x) => { x.diversity.mmrLambda = v ?? 1; })} />
                        <NumberField label={t("settings.adv.maxPerCategory")} value={s.diversity.maxPerCategory} step={1} min={1} nullable helpText={t("settings.adv.default", { value: d.diversity.maxPerCategory ?? t("settings.adv.none") })} onChange={(v) => set((x) => { x.diversity.maxPerCategory = v; })} />
                        <NumberField label={t("settings.adv.maxPerCollection")} value={s.diversity.maxPerCollection} step={1} min={1} nullable helpText={t("settings.adv.default", { value: d.diversity.maxPerCollection ?? t("settings.adv.none") })} onChange={(v) => set((x) => { x.diversity.maxPerCollection = v; })} />
                        <NumberField label={t("settings.adv.tierShare")} value={s.diversity.maxPriceTierShare} max={1} helpText={t("settings.adv.default", { value: fmt.number(d.diversity.maxPriceTierShare, 2) })} onChange={(v) => set((x) => { x.diversity.maxPriceTierShare = v ?? 1; })} />
                        <NumberField label={t("settings.adv.margin")} value={s.rules.priceBand.margin} step={0.1} helpText={t("settings.adv.default", { value: fmt.number(d.rules.priceBand.margin, 2) })} onChange={(v) => set((x) => { x.rules.priceBand.margin = v ?? 0; })} />
                        <NumberField label={t("settings.adv.brandFactor")} value={s.rules.brandAffinity.factor} max={1} helpText={t("settings.adv.default", { value: fmt.number(d.rules.brandAffinity.factor, 2) })} onChange={(v) => set((x) => { x.rules.brandAffinity.factor = v ?? 0; })} />
                        <NumberField label={t("settings.adv.genderFactor")} value={s.rules.gender.factor} max={1} helpText={t("settings.adv.default", { value: fmt.number(d.rules.gender.factor, 2) })} onChange={(v) => set((x) => { x.rules.gender.factor = v ?? 0; })} />
                      </InlineGrid>
                    </BlockStack>
                  </Collapsible>
                </BlockStack>
              </Card>

              <InlineStack gap="300" align="end">
                <Button submit variant="primary" loading={busy}>{t("settings.save")}</Button>
              </InlineStack>
            </BlockStack>
          </Form>
          <Form method="post">
            <input type="hidden" name="placement" value={data.placement} />
            <input type="hidden" name="intent" value="reset" />
            <Box paddingBlockStart="300">
              <InlineStack align="end">
                <Button submit disabled={busy || !data.customised}>{t("settings.reset")}</Button>
              </InlineStack>
            </Box>
          </Form>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <div style={{ position: "sticky", top: 16 }}>
            <PreviewCard preview={preview} busy={previewFetcher.state !== "idle"} dirty={dirty} previewLink={`${previewPath}?placement=${data.placement}`} />
          </div>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
