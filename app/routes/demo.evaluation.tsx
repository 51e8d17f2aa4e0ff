/** Demo admin (outside Shopify, FACET_DEMO): offline evaluation results and the tuning proposal. */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { requireDemo } from "../storefront/demoMode.server";
import { EvaluationPage } from "../ui/EvaluationPage";
import { acceptProposal, evaluationData } from "../ui/pages.server";
import { pageTitle } from "../i18n/meta";

export const meta = pageTitle("title.evaluation");

export async function loader(_args: LoaderFunctionArgs) {
  return json(await evaluationData(requireDemo()));
}

export async function action(_args: ActionFunctionArgs) {
  return json({ accepted: await acceptProposal(requireDemo()) });
}

export default function EvaluationRoute() {
  const result = useActionData<typeof action>();
  return <EvaluationPage data={useLoaderData<typeof loader>()} accepted={Boolean(result?.accepted)} />;
}
