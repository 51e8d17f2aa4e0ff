/** Demo admin (outside Shopify, FACET_DEMO): preview a placement for a customer or product. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireDemo } from "../storefront/demoMode.server";
import { previewData } from "../ui/pages.server";
import { PreviewPage } from "../ui/PreviewPage";
import { systemClock } from "../clock";
import { pageTitle } from "../i18n/meta";

export const meta = pageTitle("title.preview");

export async function loader({ request }: LoaderFunctionArgs) {
  return json(await previewData(requireDemo(), new URL(request.url), systemClock.nowMs()));
}

export default function PreviewRoute() {
  return <PreviewPage data={useLoaderData<typeof loader>()} />;
}
