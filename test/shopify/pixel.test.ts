/**
 * The web pixel (extensions/facet-pixel/src/index.ts) run against a stand-in of Shopify's
 * register() API: what it posts must pass the ingest endpoint's own validation, and nothing is
 * sent without analytics consent.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parsePixelBatch } from "../../app/shopify/pixelEvents";

type Handler = (event: any) => void;
const state = vi.hoisted(() => ({ extend: undefined as undefined | ((api: any) => void) }));
vi.mock("@shopify/web-pixels-extension", () => ({ register: (fn: (api: any) => void) => void (state.extend = fn) }));

function boot(consent: boolean, customer: { id: string } | null = null) {
  const handlers = new Map<string, Handler>();
  const privacy = new Map<string, Handler>();
  const storage = new Map<string, string>();
  state.extend!({
    settings: { ingestUrl: "https://facet.example.com/ingest" },
    analytics: { subscribe: (name: string, fn: Handler) => void handlers.set(name, fn) },
    customerPrivacy: { subscribe: (name: string, fn: Handler) => void privacy.set(name, fn) },
    browser: { sessionStorage: { getItem: async (k: string) => storage.get(k) ?? null, setItem: async (k: string, v: string) => void storage.set(k, v) } },
    init: {
      data: { shop: { myshopifyDomain: "facet-pixel.myshopify.com" }, customer },
      customerPrivacy: { analyticsProcessingAllowed: consent, marketingAllowed: false, preferencesProcessingAllowed: consent, saleOfDataAllowed: false },
    },
  });
  return { handlers, privacy, storage };
}

let n = 0;
/** The events happen, and the endpoint checks them, at this time: nothing depends on the real clock. */
const NOW = Date.parse("2026-11-20T12:00:00Z");
const base = (name: string) => ({ id: `sh-${++n}`, name, timestamp: new Date(NOW - 60_000 + n).toISOString(), clientId: "client-xyz" });

describe("web pixel", () => {
  const fetchMock = vi.fn(async () => new Response("{}"));
  beforeEach(async () => {
    vi.stubGlobal("fetch", fetchMock);
    fetchMock.mockClear();
    vi.resetModules();
    await import("../../extensions/facet-pixel/src/index");
  });
  afterEach(() => vi.unstubAllGlobals());

  it("posts the six events in the endpoint's format", async () => {
    const { handlers, storage } = boot(true, { id: "gid://shopify/Customer/7000000000001" });
    // The session id is read (and stored) asynchronously: wait until the pixel has it.
    await vi.waitFor(() => expect(storage.get("facet_session")).toMatch(/^s-/), { timeout: 30_000, interval: 5 });
    expect([...handlers.keys()].sort()).toEqual(["checkout_completed", "collection_viewed", "product_added_to_cart", "product_removed_from_cart", "product_viewed", "search_submitted"]);
    handlers.get("product_viewed")!({ ...base("product_viewed"), data: { productVariant: { product: { id: "8000000000001" } } } });
    handlers.get("collection_viewed")!({ ...base("collection_viewed"), data: { collection: { id: "gid://shopify/Collection/42" } } });
    handlers.get("product_added_to_cart")!({ ...base("product_added_to_cart"), data: { cartLine: { quantity: 2, merchandise: { product: { id: "8000000000002" } } } } });
    handlers.get("product_removed_from_cart")!({ ...base("product_removed_from_cart"), data: { cartLine: { quantity: 1, merchandise: { product: { id: "8000000000002" } } } } });
    handlers.get("search_submitted")!({ ...base("search_submitted"), data: { searchResult: { query: "Ring" } } });
    handlers.get("checkout_completed")!({
      ...base("checkout_completed"),
      data: { checkout: { order: { id: "6000000000001", customer: { id: "7000000000001" } }, lineItems: [{ variant: { product: { id: "8000000000001" } } }] } },
    });
    expect(fetchMock).toHaveBeenCalledTimes(1); // checkout flushes at once, with everything queued
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("https://facet.example.com/ingest");
    const batch = parsePixelBatch(String(init.body), NOW);
    expect(batch).toMatchObject({ shop: "facet-pixel.myshopify.com", clientId: "client-xyz", customerId: "7000000000001", consent: { analytics: true } });
    expect(batch.sessionId).toBe(storage.get("facet_session"));
    expect(batch.events.map((e) => e.name)).toEqual(["product_viewed", "collection_viewed", "product_added_to_cart", "product_removed_from_cart", "search_submitted", "checkout_completed"]);
  });

  it("sends nothing without analytics consent, and stops when it is withdrawn", async () => {
    const { handlers, privacy } = boot(false);
    handlers.get("checkout_completed")!({ ...base("checkout_completed"), data: { checkout: { order: { id: "1" }, lineItems: [] } } });
    expect(fetchMock).not.toHaveBeenCalled();
    privacy.get("visitorConsentCollected")!({ customerPrivacy: { analyticsProcessingAllowed: true, marketingAllowed: false, preferencesProcessingAllowed: false, saleOfDataAllowed: false } });
    handlers.get("checkout_completed")!({ ...base("checkout_completed"), data: { checkout: { order: { id: "1" }, lineItems: [] } } });
    expect(fetchMock).toHaveBeenCalledTimes(1);
    privacy.get("visitorConsentCollected")!({ customerPrivacy: { analyticsProcessingAllowed: false, marketingAllowed: false, preferencesProcessingAllowed: false, saleOfDataAllowed: false } });
    handlers.get("checkout_completed")!({ ...base("checkout_completed"), data: { checkout: { order: { id: "2" }, lineItems: [] } } });
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });
});
