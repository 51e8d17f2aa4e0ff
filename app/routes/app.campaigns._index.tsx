/** Embedded admin: email campaigns (build, preview, save, run, download). */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { adminShop } from "../ui/adminAuth.server";
import { CampaignsPage } from "../ui/CampaignsPage";
import { campaignsAction, campaignsData } from "../ui/campaigns.server";
import { pageTitle } from "../i18n/meta";

export const meta = pageTitle("title.campaigns");

export async function loader({ request }: LoaderFunctionArgs) {
  return json(await campaignsData(await adminShop(request), new URL(request.url)));
}

export async function action({ request }: ActionFunctionArgs) {
  const shop = await adminShop(request);
  const r = await campaignsAction(shop, await request.formData());
  return json(r, { status: r.ok ? 200 : 400 });
}

export default function CampaignsRoute() {
  return <CampaignsPage data={useLoaderData<typeof loader>()} result={useActionData<typeof action>() ?? null} />;
}
