/** Demo admin (outside Shopify, FACET_DEMO): privacy (look up, opt out, export, erase; the request log; policy text). */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { requireDemo } from "../storefront/demoMode.server";
import { PrivacyPage } from "../ui/PrivacyPage";
import { privacyAction, privacyData } from "../ui/privacy.server";
import { pageTitle } from "../i18n/meta";

export const meta = pageTitle("title.privacy");

export async function loader({ request }: LoaderFunctionArgs) {
  return json(await privacyData(requireDemo(), new URL(request.url)));
}

export async function action({ request }: ActionFunctionArgs) {
  const r = await privacyAction(requireDemo(), await request.formData());
  return json(r, { status: r.ok ? 200 : 400 });
}

export default function PrivacyRoute() {
  return <PrivacyPage data={useLoaderData<typeof loader>()} result={useActionData<typeof action>() ?? null} />;
}
