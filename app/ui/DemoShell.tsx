/** The admin pages outside Shopify's admin (demo mode): Polaris without App Bridge, with a tab bar for navigation. */
import { AppProvider, Banner, Box, InlineStack, Text } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { NavLink } from "@remix-run/react";
import type { ReactNode } from "react";
import { ADMIN_PAGES, AdminBaseContext } from "./base";

export function DemoShell({ shop, children }: { shop: string; children: ReactNode }) {
  return (
    <AppProvider i18n={en}>
      <AdminBaseContext.Provider value="/demo">
        <Box padding="400" background="bg-surface" borderBlockEndWidth="025" borderColor="border">
          <InlineStack gap="400" blockAlign="center">
            <Text as="span" variant="headingMd">Facet demo</Text>
            <nav aria-label="Facet admin">
              <InlineStack gap="300">
                {ADMIN_PAGES.map((p) => (
                  <NavLink key={p.sub} to={p.sub ? `/demo/${p.sub}` : "/demo"} end={!p.sub} className="facet-demo-nav" prefetch="intent">
                    {p.label}
                  </NavLink>
                ))}
                <a href="/demo/storefront" className="facet-demo-nav">Storefront</a>
              </InlineStack>
            </nav>
          </InlineStack>
        </Box>
        <Box paddingInline="400" paddingBlockStart="300">
          <Banner tone="info">
            Demo mode for <strong>{shop}</strong>: the same pages a merchant sees inside Shopify&apos;s admin, without a store.
          </Banner>
        </Box>
        {children}
      </AdminBaseContext.Provider>
    </AppProvider>
  );
}
