/** The admin pages in demo mode (FACET_DEMO): Polaris without Shopify's admin, for the configured demo shop. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Outlet, useLoaderData } from "@remix-run/react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { requireDemo } from "../storefront/demoMode.server";
import { DemoShell } from "../ui/DemoShell";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export async function loader(_: LoaderFunctionArgs) {
  return json({ shop: requireDemo() });
}

export default function DemoFrame() {
  const { shop } = useLoaderData<typeof loader>();
  return (
    <DemoShell shop={shop}>
      <Outlet />
    </DemoShell>
  );
}
