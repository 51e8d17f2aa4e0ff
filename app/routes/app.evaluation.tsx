/** Embedded admin: offline evaluation results and the tuning proposal, and what train-time tuning chose. */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { BlockStack, Card, DataTable, Layout, Text } from "@shopify/polaris";
import { adminShop } from "../ui/adminAuth.server";
import { EvaluationPage } from "../ui/EvaluationPage";
import { acceptProposal, evaluationData } from "../ui/pages.server";
import { publishedModelVersion } from "../models/modelVersion.server";
import { tunedByYourData } from "../recommend/hybrid/tuneBlend";
import { pageTitle } from "../i18n/meta";

export const meta = pageTitle("title.evaluation");

export async function loader({ request }: LoaderFunctionArgs) {
  const shop = await adminShop(request);
  const row = await publishedModelVersion(shop);
  let params: unknown = null;
  try {
    params = row?.params ? JSON.parse(row.params) : null;
  } catch {
    params = null;
  }
  return json({ ...(await evaluationData(shop)), tuned: tunedByYourData(params), tunedVersion: row?.version ?? null });
}

export async function action({ request }: ActionFunctionArgs) {
  return json({ accepted: await acceptProposal(await adminShop(request)) });
}

export default function EvaluationRoute() {
  const result = useActionData<typeof action>();
  const data = useLoaderData<typeof loader>();
  return (
    <>
      <EvaluationPage data={data} accepted={Boolean(result?.accepted)} />
      <TunedByYourData tuned={data.tuned} version={data.tunedVersion} />
    </>
  );
}

/** "Tuned by your data": the values the last training chose on a validation slice, next to the defaults, and any fallback. */
function TunedByYourData({ tuned, version }: { tuned: ReturnType<typeof tunedByYourData>; version: string | null }) {
  return (
    <Layout>
      <Layout.Section>
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">Tuned by your data</Text>
            {!tuned ? (
              <Text as="p" tone="subdued">
                {version ? `Model version ${version} was trained without tuning (facet train --no-tune): the default settings are served.` : "No model version yet: run a training (facet train) first."}
              </Text>
            ) : (
              <>
                <Text as="p" tone="subdued">Chosen at training on the most recent purchases of your history (a validation slice), model version {version}.</Text>
                {tuned.rows.length > 0 && <DataTable columnContentTypes={["text", "text", "text"]} headings={["Setting", "Chosen", "Default"]} rows={tuned.rows.map((r) => [r.name, r.chosen, r.default])} />}
                {tuned.notes.map((n, i) => (
                  <Text as="p" key={i}>{n}</Text>
                ))}
              </>
            )}
          </BlockStack>
        </Card>
      </Layout.Section>
    </Layout>
  );
}
