/**
 * GET /api/recommendations: recommendations for headless storefronts and direct callers. The
 * handler is app/http/api.server.ts (parameters, authentication, answers documented there); the
 * production server answers this path before Remix (app/http/front.server.ts), this route keeps
 * `remix vite:dev` and any other Remix-only server answering the same.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { handleApiOtherMethod, handleApiRecommendations } from "../http/api.server";

// Remix sends OPTIONS to the loader (only POST, PUT, PATCH and DELETE reach the action).
export const loader = ({ request }: LoaderFunctionArgs) => (request.method === "OPTIONS" ? handleApiOtherMethod(request) : handleApiRecommendations(request));

/** CORS preflight (Remix sends non-GET methods to the action). */
export const action = ({ request }: ActionFunctionArgs) => handleApiOtherMethod(request);
