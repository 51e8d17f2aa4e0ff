// Liveness probe and the latency floor measured by `npm run bench` (a trivial static JSON answer).
export const loader = () => Response.json({ ok: true }, { headers: { "Cache-Control": "no-store" } });
