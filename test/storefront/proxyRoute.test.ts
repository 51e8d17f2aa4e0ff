/** The app proxy endpoints refuse before reading anything when the signature is missing, wrong or stale. */
import { describe, expect, it } from "vitest";
import { signProxyParams } from "../../app/storefront/proxySignature.server";
import { handleEvents, handleRecommendations } from "../../app/storefront/proxy.server";
import { useTempDatabase } from "../helpers/db";

useTempDatabase();

const SECRET = "s3cret";
const NOW = 1_750_000_000_000;

function url(path: string, extra: Record<string, string>, opts: { sign?: string | false; at?: number } = {}): string {
  const p = new URLSearchParams({ shop: "demo.myshopify.com", logged_in_customer_id: "", path_prefix: "/apps/facet", timestamp: String((opts.at ?? NOW) / 1000), ...extra });
  if (opts.sign !== false) p.set("signature", signProxyParams(p, opts.sign ?? SECRET));
  return `https://app.example.com/proxy/${path}?${p}`;
}

describe("app proxy endpoints", () => {
  it("answer 401 to a missing, wrong or stale signature, and 503 without a secret", async () => {
    const cases: [string, number][] = [
      [url("recommendations", { placement: "home" }, { sign: false }), 401],
      [url("recommendations", { placement: "home" }, { sign: "wrong" }), 401],
      [url("recommendations", { placement: "home" }, { at: NOW - 10 * 60_000 }), 401],
    ];
    for (const [u, status] of cases) {
      const r = await handleRecommendations(new Request(u), { secret: SECRET, nowMs: NOW });
      expect(r.status).toBe(status);
      expect((await r.json()).error).toMatch(/signature|stale/);
    }
    const r = await handleRecommendations(new Request(url("recommendations", { placement: "home" })), { secret: "", nowMs: NOW });
    expect(r.status).toBe(503);
  });

  it("answer 400 naming the bad parameter of a signed request", async () => {
    const r = await handleRecommendations(new Request(url("recommendations", { placement: "checkout" })), { secret: SECRET, nowMs: NOW });
    expect(r.status).toBe(400);
    expect((await r.json()).message).toContain("placement");
  });

  it("store a signed impression per product, and refuse an unsigned one", async () => {
    const body = JSON.stringify({ type: "impression", recommendationId: "rec-9", placement: "home", productIds: ["1", "2", "3"] });
    const ok = await handleEvents(new Request(url("events", {}), { method: "POST", body }), { secret: SECRET, nowMs: NOW });
    expect(ok.status).toBe(202);
    expect(await ok.json()).toEqual({ stored: 3 });
    const refused = await handleEvents(new Request(url("events", {}, { sign: false }), { method: "POST", body }), { secret: SECRET, nowMs: NOW });
    expect(refused.status).toBe(401);
    const bad = await handleEvents(new Request(url("events", {}), { method: "POST", body: "{" }), { secret: SECRET, nowMs: NOW });
    expect(bad.status).toBe(400);
  });
});
