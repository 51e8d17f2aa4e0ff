/**
 * The probes: GET /healthz (liveness, and the latency floor `npm run bench` measures: a trivial
 * static JSON answer) and GET /readyz (200 when the database and Redis, if configured, answer;
 * else 503 saying which does not). Served by app/http/front.server.ts and by the Remix routes.
 */
import { jsonResponse } from "./body.server";
import { readiness } from "../server/lifecycle.server";

const HEALTHZ_BODY = JSON.stringify({ ok: true });

// Plain Response: remix-serve's fetch globals have no Response.json.
export const healthz = (): Response => new Response(HEALTHZ_BODY, { headers: { "Content-Type": "application/json", "Cache-Control": "no-store" } });

export async function readyz(): Promise<Response> {
  const r = await readiness();
  return jsonResponse(r, { status: r.ok ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
