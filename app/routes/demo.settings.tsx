/** Demo admin (outside Shopify, FACET_DEMO): settings per placement. */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { requireDemo } from "../storefront/demoMode.server";
import { parsePlacement, saveSettingsForm, settingsData } from "../ui/pages.server";
import { SettingsPage } from "../ui/SettingsPage";
import { pageTitle } from "../i18n/meta";

export const meta = pageTitle("title.settings");

export async function loader({ request }: LoaderFunctionArgs) {
  const shop = requireDemo();
  return json(await settingsData(shop, parsePlacement(new URL(request.url).searchParams.get("placement"))));
}

export async function action({ request }: ActionFunctionArgs) {
  const shop = requireDemo();
  const r = await saveSettingsForm(shop, await request.formData());
  return json(r, { status: r.error ? 400 : 200 });
}

export default function SettingsRoute() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return <SettingsPage data={data} saved={Boolean(result)} error={result?.error ?? null} />;
}
