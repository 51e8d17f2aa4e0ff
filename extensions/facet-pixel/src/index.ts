/**
 * Facet web pixel (strict sandbox). Subscribes to six standard events, keeps the fields the
 * recommender needs (ids, not names or prices), and posts them in batches to settings.ingestUrl
 * in the wire format of app/shopify/pixelEvents.ts. Consent: Shopify's customerPrivacy is read at
 * init and on every consent change; without analytics consent nothing is queued or sent.
 */
import { register } from "@shopify/web-pixels-extension";

type Consent = { analytics: boolean; marketing: boolean; preferences: boolean; saleOfData: boolean };
type WireEvent = {
  id: string;
  name: string;
  timestamp: string;
  productIds: string[];
  collectionId?: string;
  query?: string;
  orderId?: string;
  quantity?: number;
};

const MAX_BATCH = 20;
const FLUSH_MS = 2000;

/** "gid://shopify/Product/123" or "123" -> "123"; anything else -> null. */
function numericId(id: unknown): string | null {
  if (id === null || id === undefined) return null;
  const s = String(id);
  const tail = s.slice(s.lastIndexOf("/") + 1);
  return /^\d{1,20}$/.test(tail) ? tail : null;
}

const present = (ids: (string | null)[]): string[] => ids.filter((x): x is string => x !== null);

function consentOf(p: { analyticsProcessingAllowed: boolean; marketingAllowed: boolean; preferencesProcessingAllowed: boolean; saleOfDataAllowed: boolean }): Consent {
  return { analytics: p.analyticsProcessingAllowed, marketing: p.marketingAllowed, preferences: p.preferencesProcessingAllowed, saleOfData: p.saleOfDataAllowed };
}

register(({ analytics, browser, init, settings, customerPrivacy }) => {
  const endpoint: string = settings.ingestUrl;
  const shop = init.data.shop.myshopifyDomain;
  let consent = consentOf(init.customerPrivacy);
  let customerId = numericId(init.data.customer?.id);
  let clientId = "";
  let sessionId: string | undefined;
  let queue: WireEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  customerPrivacy.subscribe("visitorConsentCollected", (event) => {
    consent = consentOf(event.customerPrivacy);
    if (!consent.analytics) queue = [];
  });

  // A per-tab session id groups one visit's views (the recommender's "viewed together").
  void browser.sessionStorage
    .getItem("facet_session")
    .then(async (stored) => {
      sessionId = stored ?? `s-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
      if (!stored) await browser.sessionStorage.setItem("facet_session", sessionId);
    })
    .catch(() => undefined);

  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!queue.length || !consent.analytics || !clientId) return;
    const events = queue.splice(0, MAX_BATCH);
    const body = JSON.stringify({ shop, clientId, customerId, sessionId, consent, events });
    // text/plain keeps it a "simple" request (no CORS preflight); keepalive survives navigation.
    fetch(endpoint, { method: "POST", body, keepalive: true, headers: { "Content-Type": "text/plain" } }).catch(() => undefined);
    if (queue.length) flush();
  }

  function push(e: { id: string; name: string; timestamp: string; clientId: string }, fields: Omit<WireEvent, "id" | "name" | "timestamp">, now = false): void {
    if (!consent.analytics) return;
    clientId = e.clientId;
    queue.push({ id: e.id, name: e.name, timestamp: e.timestamp, ...fields });
    if (now || queue.length >= MAX_BATCH) flush();
    else timer ??= setTimeout(flush, FLUSH_MS);
  }

  analytics.subscribe("product_viewed", (event) => {
    push(event, { productIds: present([numericId(event.data?.productVariant?.product?.id)]) });
  });

  analytics.subscribe("collection_viewed", (event) => {
    const id = numericId(event.data?.collection?.id);
    if (id) push(event, { productIds: [], collectionId: id });
  });

  analytics.subscribe("product_added_to_cart", (event) => {
    const line = event.data?.cartLine;
    push(event, { productIds: present([numericId(line?.merchandise?.product?.id)]), quantity: line?.quantity ?? undefined });
  });

  analytics.subscribe("product_removed_from_cart", (event) => {
    const line = event.data?.cartLine;
    push(event, { productIds: present([numericId(line?.merchandise?.product?.id)]), quantity: line?.quantity ?? undefined });
  });

  analytics.subscribe("search_submitted", (event) => {
    const query = event.data?.searchResult?.query;
    if (query) push(event, { productIds: [], query: query.slice(0, 200) });
  });

  analytics.subscribe("checkout_completed", (event) => {
    const checkout = event.data?.checkout;
    // The buyer links this anonymous client to their customer id (the order itself comes by webhook).
    const buyer = numericId(checkout?.order?.customer?.id);
    if (buyer) customerId = buyer;
    const orderId = numericId(checkout?.order?.id) ?? undefined;
    const productIds = present((checkout?.lineItems ?? []).map((li) => numericId(li?.variant?.product?.id)));
    push(event, { productIds, orderId }, true);
  });
});
