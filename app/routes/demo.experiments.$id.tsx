/** Demo admin (outside Shopify, FACET_DEMO): one experiment's results, its verdict and the promote action. */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { requireDemo } from "../storefront/demoMode.server";
import { ExperimentResults } from "../ui/ExperimentResults";
import { resultsAction, resultsData } from "../ui/experiments.server";
import { pageTitle } from "../i18n/meta";

export const meta = pageTitle("title.experiments");

export async function loader({ params }: LoaderFunctionArgs) {
  return json(await resultsData(requireDemo(), params.id!));
}

export async function action({ request, params }: ActionFunctionArgs) {
  const shop = requireDemo();
  const r = await resultsAction(shop, params.id!, await request.formData());
  return json(r, { status: r.ok ? 200 : 400 });
}

export default function ExperimentResultsRoute() {
  return <ExperimentResults data={useLoaderData<typeof loader>()} result={useActionData<typeof action>() ?? null} />;
}
