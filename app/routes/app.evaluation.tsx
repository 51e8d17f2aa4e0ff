/** Embedded admin: offline evaluation results and the tuning proposal. */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { adminShop } from "../ui/adminAuth.server";
import { EvaluationPage } from "../ui/EvaluationPage";
import { acceptProposal, evaluationData } from "../ui/pages.server";
import { pageTitle } from "../i18n/meta";

export const meta = pageTitle("title.evaluation");

export async function loader({ request }: LoaderFunctionArgs) {
  return json(await evaluationData(await adminShop(request)));
}

export async function action({ request }: ActionFunctionArgs) {
  return json({ accepted: await acceptProposal(await adminShop(request)) });
}

export default function EvaluationRoute() {
  const result = useActionData<typeof action>();
  return <EvaluationPage data={useLoaderData<typeof loader>()} accepted={Boolean(result?.accepted)} />;
}
