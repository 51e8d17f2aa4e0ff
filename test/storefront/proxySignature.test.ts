import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { PROXY_MAX_AGE_SECONDS, proxyMessage, signProxyParams, verifyProxySignature } from "../../app/storefront/proxySignature.server";

const SECRET = "hush";
const NOW = 1_700_000_000_000;

function signed(extra: Record<string, string> = {}, at = NOW / 1000): URLSearchParams {
  const p = new URLSearchParams({ shop: "demo.myshopify.com", logged_in_customer_id: "C42", path_prefix: "/apps/facet", timestamp: String(at), placement: "home", ...extra });
  p.set("signature", signProxyParams(p, SECRET));
  return p;
}

describe("app proxy signature", () => {
  it("signs like Shopify's documented example (sorted k=v, arrays joined with commas, no separator)", () => {
    // The example on shopify.dev, "Authenticate app proxies" (secret "hush").
    const q = new URLSearchParams("extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=1&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555");
    expect(proxyMessage(q)).toBe("extra=1,2logged_in_customer_id=1path_prefix=/apps/awesome_reviewsshop=shop-name.myshopify.comtimestamp=1317327555");
    expect(signProxyParams(q, "hush")).toBe(createHmac("sha256", "hush").update(proxyMessage(q)).digest("hex"));
    expect(signProxyParams(q, "hush")).toBe("4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb");
  });

  it("accepts a fresh, correct signature and reads shop and customer", () => {
    const v = verifyProxySignature(signed(), SECRET, NOW + 5_000);
    expect(v).toEqual({ ok: true, shop: "demo.myshopify.com", customerId: "C42", timestamp: NOW / 1000 });
  });

  it("treats an empty logged_in_customer_id as an anonymous shopper", () => {
    const v = verifyProxySignature(signed({ logged_in_customer_id: "" }), SECRET, NOW);
    expect(v.ok && v.customerId).toBe(null);
  });

  it("refuses a missing signature", () => {
    const p = signed();
    p.delete("signature");
    expect(verifyProxySignature(p, SECRET, NOW)).toEqual({ ok: false, reason: "missing-signature" });
  });

  it("refuses a wrong signature and any tampered parameter", () => {
    expect(verifyProxySignature(signed(), "other-secret", NOW)).toEqual({ ok: false, reason: "bad-signature" });
    const p = signed();
    p.set("logged_in_customer_id", "C43"); // another customer's recommendations
    expect(verifyProxySignature(p, SECRET, NOW)).toEqual({ ok: false, reason: "bad-signature" });
  });

  it("refuses a stale (or future) timestamp", () => {
    expect(verifyProxySignature(signed(), SECRET, NOW + (PROXY_MAX_AGE_SECONDS + 1) * 1000)).toEqual({ ok: false, reason: "stale" });
    expect(verifyProxySignature(signed(), SECRET, NOW - (PROXY_MAX_AGE_SECONDS + 1) * 1000)).toEqual({ ok: false, reason: "stale" });
  });

  it("refuses everything when no secret is configured", () => {
    expect(verifyProxySignature(signed(), "", NOW)).toEqual({ ok: false, reason: "no-secret" });
  });
});
