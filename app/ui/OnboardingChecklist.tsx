/** The dashboard's "Getting started" checklist: five steps, each with its state from the database (app/ui/onboarding.server.ts). */
import { Badge, BlockStack, Card, InlineStack, Link, ProgressBar, Text } from "@shopify/polaris";
import { useI18n } from "../i18n/react";
import type { MessageKey } from "../i18n/messages";

export interface OnboardingStep {
  key: "synced" | "images" | "model" | "blocks" | "impressions";
  state: "done" | "partial" | "todo";
  /** When the step was reached (last sync, model in use since, first impression day); null when not applicable. */
  at: string | null;
  vars: Record<string, string | number>;
  /** Where to do the step (the theme editor's deep links for the missing blocks). */
  links: { placement: string; href: string }[];
}

const TONE = { done: "success", partial: "attention", todo: undefined } as const;
/** A mark beside each step (decorative: the badge says the state in words). */
const MARK = { done: { glyph: "✓", color: "#0c5132", bg: "#cdfee1" }, partial: { glyph: "!", color: "#5e4200", bg: "#ffeb78" }, todo: { glyph: "", color: "#616161", bg: "transparent" } } as const;

function StepLine({ step }: { step: OnboardingStep }) {
  const { t, fmt } = useI18n();
  const v = step.vars;
  const text = (() => {
    const k = `onboard.${step.key}.${step.state}` as MessageKey;
    switch (step.key) {
      case "synced":
        return step.state === "done"
          ? `${t(k, { products: fmt.number(Number(v.products)), customers: fmt.number(Number(v.customers)), orders: fmt.number(Number(v.orders)) })}${step.at ? ` ${t("onboard.synced.last", { when: fmt.when(step.at) })}` : ""}`
          : t(k);
      case "images":
        return t(k, { photos: fmt.number(Number(v.photos)), products: fmt.number(Number(v.products)) });
      case "model":
        return t(k, { when: fmt.when(step.at) });
      case "blocks": {
        const names = String(v.reporting || "").split(",").filter(Boolean).map((p) => t(`onboard.placement.${p}` as MessageKey));
        return t(k, { reporting: names.join(", ") });
      }
      case "impressions":
        return t(k, { date: fmt.date(step.at), impressions: fmt.number(Number(v.impressions)), clicks: fmt.number(Number(v.clicks)) });
    }
  })();
  return (
    <div data-onboarding-step={step.key} data-state={step.state}>
      <InlineStack gap="300" blockAlign="start" wrap={false}>
        <span
          aria-hidden="true"
          style={{ flex: "0 0 24px", width: 24, height: 24, borderRadius: 12, display: "inline-flex", alignItems: "center", justifyContent: "center", fontWeight: 700, color: MARK[step.state].color, background: MARK[step.state].bg, border: step.state === "todo" ? "2px dashed #8a8a8a" : "none" }}
        >
          {MARK[step.state].glyph}
        </span>
        <BlockStack gap="100">
          <InlineStack gap="200" blockAlign="center">
            <Text as="h3" variant="headingSm">{t(`onboard.${step.key}.title` as MessageKey)}</Text>
            <Badge tone={TONE[step.state]}>{t(`onboard.state.${step.state}`)}</Badge>
          </InlineStack>
          <Text as="p">{text}</Text>
          {step.links.length ? (
            <InlineStack gap="400">
              {step.links.map((l) => (
                <Link key={l.placement} url={l.href} target={l.href.startsWith("http") ? "_top" : undefined}>
                  {t(`onboard.blocks.link.${l.placement}` as MessageKey)}
                </Link>
              ))}
            </InlineStack>
          ) : null}
        </BlockStack>
      </InlineStack>
    </div>
  );
}

export function OnboardingChecklist({ steps }: { steps: OnboardingStep[] }) {
  const { t } = useI18n();
  const done = steps.filter((s) => s.state === "done").length;
  return (
    <Card>
      <div data-onboarding>
        <BlockStack gap="400">
          <InlineStack align="space-between" blockAlign="center">
            <Text as="h2" variant="headingMd">{t("onboard.title")}</Text>
            <Text as="span" tone="subdued">{t("onboard.progress", { done, total: steps.length })}</Text>
          </InlineStack>
          <ProgressBar progress={Math.round((100 * done) / Math.max(1, steps.length))} size="small" tone="success" animated={false} />
          <BlockStack gap="300">
            {steps.map((s) => (
              <StepLine key={s.key} step={s} />
            ))}
          </BlockStack>
        </BlockStack>
      </div>
    </Card>
  );
}
