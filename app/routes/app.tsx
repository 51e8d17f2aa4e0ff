/** The embedded admin's frame: App Bridge + Polaris (AppProvider), the navigation, and authenticate.admin for every page. */
import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { env } from "../env.server";
import { adminShop } from "../ui/adminAuth.server";
import { ADMIN_PAGES, AdminBaseContext } from "../ui/base";
import { localeCookie, requestLocale } from "../i18n/locale";
import { translate } from "../i18n/messages";
import { I18nProvider } from "../i18n/react";
import { systemClock } from "../clock";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  await adminShop(request);
  // Shopify opens the app with ?locale=<the merchant's admin language>; kept in a cookie for later navigations.
  const { locale, fromParam } = requestLocale(request);
  return json({ apiKey: env().SHOPIFY_API_KEY, locale, nowMs: systemClock.nowMs() }, fromParam ? { headers: { "Set-Cookie": localeCookie(locale) } } : undefined);
}

export default function AdminFrame() {
  const { apiKey, locale, nowMs } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey}>
      <NavMenu>
        {ADMIN_PAGES.map((p) => (
          <Link key={p.sub} to={p.sub ? `/app/${p.sub}` : "/app"} rel={p.sub ? undefined : "home"}>
            {translate(locale, p.key)}
          </Link>
        ))}
      </NavMenu>
      <I18nProvider locale={locale} nowMs={nowMs}>
        <AdminBaseContext.Provider value="/app">
          <Outlet />
        </AdminBaseContext.Provider>
      </I18nProvider>
    </AppProvider>
  );
}

// Shopify needs its own error boundary and headers inside the admin (re-authentication redirects).
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
