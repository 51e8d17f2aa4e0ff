/**
 * Privacy: look up a customer (id or email), see what Facet holds about them and what it is used
 * for, opt them out of personalised recommendations (or back in), download their data (the
 * customers/data_request document), erase them (customers/redact); the log of privacy requests;
 * and plain text for the merchant's privacy policy.
 */
import { Badge, Banner, BlockStack, Box, Button, Card, Checkbox, DataTable, InlineStack, Layout, List, Page, Text, TextField } from "@shopify/polaris";
import { Form, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { useI18n } from "../i18n/react";
import { isMessageKey, type MessageKey } from "../i18n/messages";
import { useAdminPath } from "./base";

export interface PrivacyProfile {
  id: string;
  segment: string | null;
  gender: string | null;
  ageGroup: string | null;
  country: string | null;
  language: string | null;
  registeredAt: string | null;
  marketingConsent: boolean | null;
  optOut: boolean;
  /** Whether an email is held (only ever as the shop's keyed hash). */
  emailHashed: boolean;
}

export interface HeldItem {
  what: "Order" | "OrderItem" | "Interaction" | "ClientLink" | "RecommendationEvent" | "ExperimentExposure" | "AbandonedCheckout" | "JobRun";
  count: number;
}

export interface PrivacyLogEntry {
  id: string;
  kind: "data_request" | "customer_redact" | "shop_redact";
  source: "shopify" | "admin";
  status: string;
  receivedAt: string;
  finishedAt: string | null;
  error: string | null;
  exportFile: string | null;
  rowsDeleted: number | null;
  ordersAnonymised: number | null;
  filesRewritten: number | null;
}

export interface PrivacyData {
  shop: string;
  customer: { query: string; valid: boolean; profile: PrivacyProfile | null; held: HeldItem[]; modelVersions: number; files: number } | null;
  log: PrivacyLogEntry[];
}

export interface PrivacyActionResult {
  ok: boolean;
  /** A key under privacy.msg.* */
  message: string;
}

type Customer = NonNullable<PrivacyData["customer"]>;

function Lookup({ query }: { query: string }) {
  const { t } = useI18n();
  const [q, setQ] = useState(query);
  return (
    <Form method="get" aria-label={t("privacy.lookupTitle")}>
      <BlockStack gap="300">
        <TextField name="q" label={t("privacy.lookupLabel")} helpText={t("privacy.lookupHelp")} autoComplete="off" value={q} onChange={setQ} />
        <InlineStack align="end">
          <Button submit variant="primary">{t("privacy.lookupButton")}</Button>
        </InlineStack>
      </BlockStack>
    </Form>
  );
}

function IntentButton({ intent, customerId, label, tone }: { intent: string; customerId: string; label: string; tone?: "critical" }) {
  const busy = useNavigation().state === "submitting";
  return (
    <Form method="post">
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="customerId" value={customerId} />
      <Button submit tone={tone} loading={busy}>{label}</Button>
    </Form>
  );
}

function Erase({ query }: { query: string }) {
  const { t } = useI18n();
  const [sure, setSure] = useState(false);
  return (
    <Form method="post" aria-label={t("privacy.eraseTitle")}>
      <input type="hidden" name="intent" value="erase" />
      <input type="hidden" name="q" value={query} />
      <BlockStack gap="200">
        <Text as="h3" variant="headingSm">{t("privacy.eraseTitle")}</Text>
        <Text as="p">{t("privacy.eraseBody")}</Text>
        <Checkbox label={t("privacy.eraseConfirm")} name="confirm" value="yes" checked={sure} onChange={setSure} />
        <InlineStack>
          <Button submit tone="critical" variant="primary" disabled={!sure}>{t("privacy.eraseButton")}</Button>
        </InlineStack>
      </BlockStack>
    </Form>
  );
}

function CustomerCard({ c }: { c: Customer }) {
  const { t, fmt } = useI18n();
  const base = useAdminPath("privacy");
  if (!c.valid) return <Banner tone="warning">{t("privacy.badQuery")}</Banner>;
  const p = c.profile;
  const nothing = !p && c.held.length === 0 && c.modelVersions === 0 && c.files === 0;
  if (nothing) {
    return (
      <Card>
        <div data-privacy-customer="none">
          <Text as="p">{t("privacy.nothingHeld", { query: c.query })}</Text>
        </div>
      </Card>
    );
  }
  const field = (v: string | null) => v ?? t("privacy.unknown");
  const consent = p?.marketingConsent === null || p?.marketingConsent === undefined ? t("privacy.unknown") : p.marketingConsent ? t("privacy.yes") : t("privacy.no");
  return (
    <Card>
      <div data-privacy-customer={p?.id ?? c.query}>
        <BlockStack gap="400">
          <InlineStack align="space-between" blockAlign="center">
            <Text as="h2" variant="headingMd">{t("privacy.heldTitle", { who: p?.id ?? c.query })}</Text>
            {p ? (
              <span data-personalisation={p.optOut ? "off" : "on"}>
                <Badge tone={p.optOut ? "attention" : "success"}>{p.optOut ? t("privacy.personalOff") : t("privacy.personalOn")}</Badge>
              </span>
            ) : null}
          </InlineStack>
          {p ? (
            <BlockStack gap="100">
              <Text as="h3" variant="headingSm">{t("privacy.profile")}</Text>
              <Text as="p">
                {t("privacy.profileLine", { segment: field(p.segment), gender: p.gender && isMessageKey(`privacy.gender.${p.gender}`) ? t(`privacy.gender.${p.gender}` as MessageKey) : field(p.gender), age: field(p.ageGroup), country: field(p.country), language: field(p.language), registered: fmt.date(p.registeredAt), consent })}
              </Text>
              <Text as="p" tone="subdued">{p.emailHashed ? t("privacy.emailHashed") : t("privacy.noEmail")}</Text>
              <Text as="p" tone="subdued">{t("privacy.profileUse")}</Text>
            </BlockStack>
          ) : null}
          <BlockStack gap="100">
            <Text as="h3" variant="headingSm">{t("privacy.records")}</Text>
            <div data-privacy-held>
              <List type="bullet">
                {c.held.map((h) => (
                  <List.Item key={h.what}>
                    <Text as="span" fontWeight="semibold">{t(`privacy.held.${h.what}` as MessageKey, { n: fmt.number(h.count) })}</Text>{" "}
                    {isMessageKey(`privacy.use.${h.what}`) ? t(`privacy.use.${h.what}` as MessageKey) : ""}
                  </List.Item>
                ))}
                {c.modelVersions ? <List.Item><Text as="span" fontWeight="semibold">{t("privacy.held.models", { n: c.modelVersions })}</Text> {t("privacy.use.models")}</List.Item> : null}
                {c.files ? <List.Item><Text as="span" fontWeight="semibold">{t("privacy.held.files", { n: c.files })}</Text> {t("privacy.use.files")}</List.Item> : null}
              </List>
            </div>
          </BlockStack>
          <InlineStack gap="300" blockAlign="center">
            {p ? (
              p.optOut ? (
                <IntentButton intent="optin" customerId={p.id} label={t("privacy.optIn")} />
              ) : (
                <IntentButton intent="optout" customerId={p.id} label={t("privacy.optOut")} />
              )
            ) : null}
            <Button url={`${base}/export?q=${encodeURIComponent(c.query)}`} download>{t("privacy.download")}</Button>
          </InlineStack>
          <Text as="p" tone="subdued">{t("privacy.optHelp")}</Text>
          <Box paddingBlockStart="200" borderBlockStartWidth="025" borderColor="border">
            <Erase query={c.query} />
          </Box>
        </BlockStack>
      </div>
    </Card>
  );
}

function LogCard({ log }: { log: PrivacyLogEntry[] }) {
  const { t, fmt } = useI18n();
  const statusWord = (s: string) => (isMessageKey(`status.${s}`) ? t(`status.${s}` as MessageKey) : s);
  const outcome = (e: PrivacyLogEntry) => {
    if (e.error && e.status !== "completed") return e.error;
    if (e.status !== "completed") return "";
    if (e.kind === "data_request") return e.exportFile ? t("privacy.outcome.export", { file: e.exportFile }) : t("privacy.outcome.exportNone");
    if (e.kind === "shop_redact") return t("privacy.outcome.shop", { rows: fmt.number(e.rowsDeleted ?? 0) });
    if (e.rowsDeleted === null && e.ordersAnonymised === null) return t("privacy.outcome.scrubbed");
    return t("privacy.outcome.customer", { rows: fmt.number(e.rowsDeleted ?? 0), orders: fmt.number(e.ordersAnonymised ?? 0), files: fmt.number(e.filesRewritten ?? 0) });
  };
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">{t("privacy.logTitle")}</Text>
        <Text as="p" tone="subdued">{t("privacy.logHelp")}</Text>
        {log.length ? (
          <div data-privacy-log>
            <DataTable
              columnContentTypes={["text", "text", "text", "text", "text"]}
              headings={[t("privacy.logHead.received"), t("privacy.logHead.request"), t("privacy.logHead.from"), t("privacy.logHead.status"), t("privacy.logHead.outcome")]}
              rows={log.map((e) => [
                fmt.when(e.receivedAt),
                t(`privacy.kind.${e.kind}`),
                e.source === "shopify" ? t("privacy.from.shopify") : t("privacy.from.admin"),
                statusWord(e.status),
                outcome(e),
              ])}
            />
          </div>
        ) : (
          <Text as="p" tone="subdued">{t("privacy.logNone")}</Text>
        )}
      </BlockStack>
    </Card>
  );
}

function PolicyCard({ shop }: { shop: string }) {
  const { t } = useI18n();
  const text = t("privacy.policyText", { shop });
  const [copied, setCopied] = useState(false);
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">{t("privacy.policyTitle")}</Text>
        <Text as="p" tone="subdued">{t("privacy.policyHelp")}</Text>
        <div data-privacy-policy>
          <TextField label={t("privacy.policyTitle")} labelHidden value={text} multiline={8} readOnly autoComplete="off" />
        </div>
        <InlineStack align="end" gap="200" blockAlign="center">
          {copied ? <Text as="span" tone="success">{t("privacy.copied")}</Text> : null}
          <Button
            onClick={() => {
              void navigator.clipboard?.writeText(text).then(() => setCopied(true));
            }}
          >
            {t("privacy.copy")}
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}

export function PrivacyPage({ data, result }: { data: PrivacyData; result: PrivacyActionResult | null }) {
  const { t } = useI18n();
  const message = result ? `privacy.msg.${result.message}` : "";
  return (
    <Page title={t("privacy.title")} subtitle={t("privacy.subtitle")}>
      <Layout>
        {result ? (
          <Layout.Section>
            <div data-privacy-result={result.message}>
              <Banner tone={result.ok ? "success" : "critical"}>{isMessageKey(message) ? t(message) : result.message}</Banner>
            </div>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">{t("privacy.lookupTitle")}</Text>
              <Lookup query={data.customer?.query ?? ""} />
            </BlockStack>
          </Card>
        </Layout.Section>
        {data.customer ? (
          <Layout.Section>
            <CustomerCard c={data.customer} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <LogCard log={data.log} />
        </Layout.Section>
        <Layout.Section>
          <PolicyCard shop={data.shop} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}
