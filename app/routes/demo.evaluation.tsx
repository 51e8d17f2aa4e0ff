/** Demo admin (outside Shopify, FACET_DEMO): the offline evaluation, the Tune job and its proposal, and what the last training tuned. */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { requireDemo } from "../storefront/demoMode.server";
import { EvaluationPage } from "../ui/EvaluationPage";
import { evaluationAction, evaluationData } from "../ui/evaluation.server";
import { requestLocale } from "../i18n/locale";
import { pageTitle } from "../i18n/meta";
import { systemClock } from "../clock";

export const meta = pageTitle("title.evaluation");

export async function loader({ request }: LoaderFunctionArgs) {
  const shop = requireDemo();
  return json(await evaluationData(shop, requestLocale(request).locale));
}

export async function action({ request }: ActionFunctionArgs) {
  const shop = requireDemo();
  return json(await evaluationAction(shop, await request.formData(), systemClock.nowMs()));
}

export default function EvaluationRoute() {
  const result = useActionData<typeof action>();
  return <EvaluationPage data={useLoaderData<typeof loader>()} accepted={result?.intent === "accept" && result.accepted} />;
}
