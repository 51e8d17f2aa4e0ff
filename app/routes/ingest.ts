/**
 * POST /ingest: storefront behaviour from the web pixel (extensions/facet-pixel). Thin: the work is
 * in app/shopify/ingest.server.ts (validation, consent, rate limits, durable store). OPTIONS answers
 * the CORS preflight; Remix sends non-GET methods to the action.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { corsHeaders, handleIngest } from "../shopify/ingest.server";

export const action = ({ request }: ActionFunctionArgs) => handleIngest(request);

export const loader = ({ request }: ActionFunctionArgs) =>
  new Response("POST events here", { status: 405, headers: { ...corsHeaders(request), Allow: "POST, OPTIONS" } });
