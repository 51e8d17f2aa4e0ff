/** Embedded admin: the A/B tests (list, create, start, pause, stop). */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { adminShop } from "../ui/adminAuth.server";
import { ExperimentsPage } from "../ui/ExperimentsPage";
import { experimentsAction, experimentsData } from "../ui/experiments.server";
import { pageTitle } from "../i18n/meta";

export const meta = pageTitle("title.experiments");

export async function loader({ request }: LoaderFunctionArgs) {
  return json(await experimentsData(await adminShop(request)));
}

export async function action({ request }: ActionFunctionArgs) {
  const shop = await adminShop(request);
  const r = await experimentsAction(shop, await request.formData());
  return json(r, { status: r.ok ? 200 : 400 });
}

export default function ExperimentsRoute() {
  return <ExperimentsPage data={useLoaderData<typeof loader>()} result={useActionData<typeof action>() ?? null} />;
}
