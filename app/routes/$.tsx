/** Any other unknown address: a Polaris not-found page with status 404 (instead of a bare "404 Not Found"). */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { AppProvider } from "@shopify/polaris";
import deStrings from "@shopify/polaris/locales/de.json";
import enStrings from "@shopify/polaris/locales/en.json";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { requestLocale } from "../i18n/locale";
import { translate } from "../i18n/messages";
import { I18nProvider } from "../i18n/react";
import { NotFound } from "../ui/NotFound";
import { demoEnabled } from "../storefront/demoMode.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { locale } = requestLocale(request);
  return json({ path: new URL(request.url).pathname, locale, home: demoEnabled() ? "/demo" : "/app" }, { status: 404 });
}

export async function action({ request }: LoaderFunctionArgs) {
  return loader({ request } as LoaderFunctionArgs);
}

export const meta = ({ data }: { data?: { locale: "en" | "de" } }) => [{ title: `${translate(data?.locale ?? "en", "title.notFound")} · Facet` }];

export default function UnknownPage() {
  const { path, locale, home } = useLoaderData<typeof loader>();
  return (
    <AppProvider i18n={locale === "de" ? deStrings : enStrings}>
      <I18nProvider locale={locale} nowMs={0}>
        <NotFound path={path} home={home} />
      </I18nProvider>
    </AppProvider>
  );
}
