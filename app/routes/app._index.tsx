/** Embedded admin: dashboard. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { adminShop } from "../ui/adminAuth.server";
import { Dashboard } from "../ui/Dashboard";
import { dashboardData } from "../ui/pages.server";
import { systemClock } from "../clock";
import { pageTitle } from "../i18n/meta";

export const meta = pageTitle("title.dashboard");

export async function loader({ request }: LoaderFunctionArgs) {
  return json(await dashboardData(await adminShop(request), systemClock.nowMs()));
}

export default function DashboardRoute() {
  return <Dashboard data={useLoaderData<typeof loader>()} />;
}
