/**
 * Embedded admin: headless API keys of the shop and its customer-identity secret (issue 15 point 3).
 * A new key is shown once (only its sha256 is stored); revoke stops it at once. The identity secret
 * signs customer tokens (format in README "Headless API"); rotating it invalidates every token.
 * Logic lives in app/models/apiKey.server.ts and app/shopify/identity.server.ts.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, Page, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { systemClock } from "../clock";
import { createApiKey, listApiKeys, revokeApiKey } from "../models/apiKey.server";
import { identitySecret, rotateIdentitySecret } from "../shopify/identity.server";
import { adminShop } from "../ui/adminAuth.server";
import { useI18n } from "../i18n/react";
import type { MessageKey } from "../i18n/messages";

export async function loader({ request }: LoaderFunctionArgs) {
  const shop = await adminShop(request);
  return json({ shop, keys: listApiKeys(shop), secret: identitySecret(shop, systemClock.now()) });
}

export async function action({ request }: ActionFunctionArgs) {
  const shop = await adminShop(request);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  const now = systemClock.now();
  // Errors are catalogue keys: the page says them in the merchant's language.
  const none: MessageKey | null = null;
  if (intent === "create") return json({ created: createApiKey(shop, String(form.get("label") ?? ""), now).key, error: none });
  if (intent === "revoke") return json({ created: null, error: revokeApiKey(shop, String(form.get("id") ?? ""), now) ? none : ("keys.err.noKey" as MessageKey) });
  if (intent === "rotate") {
    rotateIdentitySecret(shop, now);
    return json({ created: null, error: none });
  }
  return json({ created: null, error: "keys.err.unknown" as MessageKey }, { status: 400 });
}

export default function KeysRoute() {
  const { keys, secret } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [label, setLabel] = useState("");
  const { t, fmt } = useI18n();
  return (
    <Page title={t("keys.title")} subtitle={t("keys.subtitle")}>
      <BlockStack gap="400">
        {result?.created ? (
          <Banner tone="success" title={t("keys.created")}>
            <Text as="p" variant="bodyMd" fontWeight="bold">
              <code>{result.created}</code>
            </Text>
          </Banner>
        ) : null}
        {result?.error ? <Banner tone="critical">{t(result.error)}</Banner> : null}
        <Card>
          <Form method="post">
            <input type="hidden" name="intent" value="create" />
            <InlineStack gap="200" blockAlign="end">
              <TextField label={t("keys.label")} name="label" value={label} onChange={setLabel} autoComplete="off" />
              <Button submit variant="primary">{t("keys.create")}</Button>
            </InlineStack>
          </Form>
        </Card>
        <Card>
          <BlockStack gap="200">
            {keys.length === 0 ? <Text as="p">{t("keys.none")}</Text> : null}
            {keys.map((k) => (
              <InlineStack key={k.id} gap="400" blockAlign="center">
                <Text as="span"><code>fk_{k.id}_…</code></Text>
                <Text as="span">{k.label || "—"}</Text>
                <Text as="span" tone="subdued">{t(k.lastUsedAt ? "keys.usedLine" : "keys.unusedLine", { created: fmt.date(k.createdAt), used: fmt.when(k.lastUsedAt) })}</Text>
                {k.revokedAt ? (
                  <Text as="span" tone="critical">{t("keys.revoked", { when: fmt.date(k.revokedAt) })}</Text>
                ) : (
                  <Form method="post">
                    <input type="hidden" name="intent" value="revoke" />
                    <input type="hidden" name="id" value={k.id} />
                    <Button submit tone="critical">{t("keys.revoke")}</Button>
                  </Form>
                )}
              </InlineStack>
            ))}
          </BlockStack>
        </Card>
        <Card>
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">{t("keys.secret.title")}</Text>
            <Text as="p">{t("keys.secret.body")}</Text>
            <Text as="p"><code>{secret}</code></Text>
            <Form method="post">
              <input type="hidden" name="intent" value="rotate" />
              <Button submit>{t("keys.secret.rotate")}</Button>
            </Form>
          </BlockStack>
        </Card>
      </BlockStack>
    </Page>
  );
}
