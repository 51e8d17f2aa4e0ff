/** Embedded admin: settings per placement (presets, sliders, pins and hides, a live preview). */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData, type ShouldRevalidateFunction } from "@remix-run/react";
import { adminShop } from "../ui/adminAuth.server";
import { parsePlacement, settingsAction, settingsData } from "../ui/settings.server";
import { SettingsPage } from "../ui/SettingsPage";
import { requestLocale } from "../i18n/locale";
import { pageTitle } from "../i18n/meta";
import { systemClock } from "../clock";

export const meta = pageTitle("title.settings");

export async function loader({ request }: LoaderFunctionArgs) {
  const shop = await adminShop(request);
  return json(await settingsData(shop, parsePlacement(new URL(request.url).searchParams.get("placement")), systemClock.nowMs(), requestLocale(request).locale));
}

export async function action({ request }: ActionFunctionArgs) {
  const shop = await adminShop(request);
  const r = await settingsAction(shop, await request.formData(), systemClock.nowMs(), requestLocale(request).locale);
  return json(r, { status: r.intent === "save" && r.error ? 400 : 200 });
}

// The live preview and the product search post without changing anything: the page keeps its unsaved form.
export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) =>
  formData?.get("intent") === "preview" || formData?.get("intent") === "search" ? false : defaultShouldRevalidate;

export default function SettingsRoute() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const saved = result?.intent === "save" ? result : null;
  return <SettingsPage data={data} saved={Boolean(saved)} error={saved?.error ?? null} />;
}
