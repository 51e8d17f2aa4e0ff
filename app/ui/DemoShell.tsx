/** The admin pages outside Shopify's admin (demo mode): Polaris without App Bridge, a tab bar, and the language switch. */
import { AppProvider, Banner, Box, InlineStack, Text } from "@shopify/polaris";
import deStrings from "@shopify/polaris/locales/de.json";
import enStrings from "@shopify/polaris/locales/en.json";
import { NavLink, useLocation } from "@remix-run/react";
import type { ReactNode } from "react";
import { LOCALES, translate, type AdminLocale } from "../i18n/messages";
import { I18nProvider } from "../i18n/react";
import { ADMIN_PAGES, AdminBaseContext } from "./base";

const LANGUAGE_NAME: Record<AdminLocale, string> = { en: "English", de: "Deutsch" };

export function DemoShell({ shop, locale, nowMs, children }: { shop: string; locale: AdminLocale; nowMs: number; children: ReactNode }) {
  const t = (k: Parameters<typeof translate>[1], v?: Record<string, string | number>) => translate(locale, k, v);
  const here = useLocation();
  const switchTo = (l: AdminLocale) => {
    const q = new URLSearchParams(here.search);
    q.set("locale", l);
    return `${here.pathname}?${q.toString()}`;
  };
  return (
    <AppProvider i18n={locale === "de" ? deStrings : enStrings}>
      <I18nProvider locale={locale} nowMs={nowMs}>
        <AdminBaseContext.Provider value="/demo">
          <Box padding="400" background="bg-surface" borderBlockEndWidth="025" borderColor="border">
            <InlineStack gap="400" blockAlign="center" align="space-between">
              <InlineStack gap="400" blockAlign="center">
                <Text as="span" variant="headingMd">{t("demo.title")}</Text>
                <nav aria-label="Facet admin">
                  <InlineStack gap="300">
                    {ADMIN_PAGES.map((p) => (
                      <NavLink key={p.sub} to={p.sub ? `/demo/${p.sub}` : "/demo"} end={!p.sub} className="facet-demo-nav" prefetch="intent">
                        {t(p.key)}
                      </NavLink>
                    ))}
                    <a href="/demo/storefront" className="facet-demo-nav">{t("nav.storefront")}</a>
                  </InlineStack>
                </nav>
              </InlineStack>
              <nav aria-label={t("nav.language")} data-locale-switch>
                <InlineStack gap="200">
                  {LOCALES.map((l) =>
                    l === locale ? (
                      <Text key={l} as="span" fontWeight="bold">{LANGUAGE_NAME[l]}</Text>
                    ) : (
                      <a key={l} href={switchTo(l)} hrefLang={l} lang={l} className="facet-demo-nav">{LANGUAGE_NAME[l]}</a>
                    ),
                  )}
                </InlineStack>
              </nav>
            </InlineStack>
          </Box>
          <Box paddingInline="400" paddingBlockStart="300">
            <Banner tone="info">{t("demo.banner", { shop })}</Banner>
          </Box>
          {children}
        </AdminBaseContext.Provider>
      </I18nProvider>
    </AppProvider>
  );
}
