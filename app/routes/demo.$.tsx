/** Unknown addresses under /demo: the Polaris not-found page inside the demo frame, status 404. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { pageTitle } from "../i18n/meta";
import { requireDemo } from "../storefront/demoMode.server";
import { NotFound } from "../ui/NotFound";

export const meta = pageTitle("title.notFound");

export async function loader({ request }: LoaderFunctionArgs) {
  requireDemo();
  return json({ path: new URL(request.url).pathname }, { status: 404 });
}

export async function action({ request }: LoaderFunctionArgs) {
  return loader({ request } as LoaderFunctionArgs);
}

export default function DemoNotFound() {
  return <NotFound path={useLoaderData<typeof loader>().path} home="/demo" />;
}
