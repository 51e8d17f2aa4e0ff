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

export async function loader({ request }: LoaderFunctionArgs) {
  const shop = await adminShop(request);
  return json({ shop, keys: listApiKeys(shop), secret: identitySecret(shop, systemClock.now()) });
}

export async function action({ request }: ActionFunctionArgs) {
  const shop = await adminShop(request);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  const now = systemClock.now();
  if (intent === "create") return json({ created: createApiKey(shop, String(form.get("label") ?? ""), now).key, error: null });
  if (intent === "revoke") return json({ created: null, error: revokeApiKey(shop, String(form.get("id") ?? ""), now) ? null : "No such active key." });
  if (intent === "rotate") {
    rotateIdentitySecret(shop, now);
    return json({ created: null, error: null });
  }
  return json({ created: null, error: `unknown intent ${JSON.stringify(intent)}` }, { status: 400 });
}

export default function KeysRoute() {
  const { keys, secret } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [label, setLabel] = useState("");
  return (
    <Page title="API keys" subtitle="Keys for headless storefronts calling /api/recommendations. Send them in the Authorization: Bearer header.">
      <BlockStack gap="400">
        {result?.created ? (
          <Banner tone="success" title="New key (shown only now: copy it)">
            <Text as="p" variant="bodyMd" fontWeight="bold">
              <code>{result.created}</code>
            </Text>
          </Banner>
        ) : null}
        {result?.error ? <Banner tone="critical">{result.error}</Banner> : null}
        <Card>
          <Form method="post">
            <input type="hidden" name="intent" value="create" />
            <InlineStack gap="200" blockAlign="end">
              <TextField label="Label" name="label" value={label} onChange={setLabel} autoComplete="off" />
              <Button submit variant="primary">Create key</Button>
            </InlineStack>
          </Form>
        </Card>
        <Card>
          <BlockStack gap="200">
            {keys.length === 0 ? <Text as="p">No keys yet.</Text> : null}
            {keys.map((k) => (
              <InlineStack key={k.id} gap="400" blockAlign="center">
                <Text as="span"><code>fk_{k.id}_…</code></Text>
                <Text as="span">{k.label || "—"}</Text>
                <Text as="span" tone="subdued">created {k.createdAt.slice(0, 10)}{k.lastUsedAt ? `, last used ${k.lastUsedAt.slice(0, 16).replace("T", " ")}` : ", never used"}</Text>
                {k.revokedAt ? (
                  <Text as="span" tone="critical">revoked {k.revokedAt.slice(0, 10)}</Text>
                ) : (
                  <Form method="post">
                    <input type="hidden" name="intent" value="revoke" />
                    <input type="hidden" name="id" value={k.id} />
                    <Button submit tone="critical">Revoke</Button>
                  </Form>
                )}
              </InlineStack>
            ))}
          </BlockStack>
        </Card>
        <Card>
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">Customer identity secret</Text>
            <Text as="p">Your backend signs customer tokens with it (HMAC-SHA256, format in the README). Without a valid token, answers for a customer_id are the anonymous ones. Keep it on your server only.</Text>
            <Text as="p"><code>{secret}</code></Text>
            <Form method="post">
              <input type="hidden" name="intent" value="rotate" />
              <Button submit>Rotate secret (invalidates all tokens)</Button>
            </Form>
          </BlockStack>
        </Card>
      </BlockStack>
    </Page>
  );
}
