// Liveness probe and the latency floor measured by `npm run bench` (a trivial static JSON answer).
// Plain Response: remix-serve's fetch globals have no Response.json.
const BODY = JSON.stringify({ ok: true });
export const loader = () => new Response(BODY, { headers: { "Content-Type": "application/json", "Cache-Control": "no-store" } });
