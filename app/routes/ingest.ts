/**
 * POST /ingest: storefront behaviour from the web pixel (extensions/facet-pixel). Thin: the work is
 * in app/shopify/ingest.server.ts (validation, consent, rate limits, durable store). Remix sends
 * POST to the action and GET, HEAD and OPTIONS to the loader, so the loader answers the CORS
 * preflight (204) through the same handler.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { corsHeaders, handleIngest } from "../shopify/ingest.server";

export const action = ({ request }: ActionFunctionArgs) => handleIngest(request);

export const loader = ({ request }: ActionFunctionArgs) =>
  request.method === "OPTIONS"
    ? handleIngest(request)
    : new Response("POST events here", { status: 405, headers: { ...corsHeaders(request), Allow: "POST, OPTIONS" } });
