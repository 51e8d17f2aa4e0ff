// Readiness probe: 200 when the database and Redis (if configured) answer, else 503 with which one does not.
import { jsonResponse } from "../http/body.server";
import { readiness } from "../server/lifecycle.server";

export const loader = async () => {
  const r = await readiness();
  return jsonResponse(r, { status: r.ok ? 200 : 503, headers: { "Cache-Control": "no-store" } });
};
