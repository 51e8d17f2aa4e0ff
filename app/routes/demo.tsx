/** The admin pages in demo mode (FACET_DEMO): Polaris without Shopify's admin, for the configured demo shop. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Outlet, useLoaderData } from "@remix-run/react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { localeCookie, requestLocale } from "../i18n/locale";
import { requireDemo } from "../storefront/demoMode.server";
import { DemoShell } from "../ui/DemoShell";
import { systemClock } from "../clock";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const shop = requireDemo();
  const { locale, fromParam } = requestLocale(request);
  return json({ shop, locale, nowMs: systemClock.nowMs() }, fromParam ? { headers: { "Set-Cookie": localeCookie(locale) } } : undefined);
}

export default function DemoFrame() {
  const { shop, locale, nowMs } = useLoaderData<typeof loader>();
  return (
    <DemoShell shop={shop} locale={locale} nowMs={nowMs}>
      <Outlet />
    </DemoShell>
  );
}
