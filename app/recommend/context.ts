/**
 * The context of one request: who asks (profile, history, purchases; nothing for an opted-out
 * customer), what they look at, what is in the cart, and the live tail of events newer than the world.
 */
import type { Event, Placement, RecContext } from "./types";
import type { World } from "./world";

export interface ContextRequest {
  placement: Placement;
  customerId?: string | null;
  productId?: string | null;
  cart?: string[];
  now?: number;
  gift?: boolean;
  locale?: "de" | "en";
  /**
   * An anonymous session's latest product views (ids, oldest first), e.g. kept by the storefront
   * block; ignored for a customer who opted out.
   */
  recent?: string[];
  /** The customer's events newer than the world (a serving snapshot's live tail), oldest first. */
  liveEvents?: Event[];
}

/**
 * The context of one request. A customer who opted out of personalisation gets exactly the context
 * of an anonymous shopper without history: no profile, no history, no purchases (nothing of theirs).
 * Unknown product ids in the cart are dropped; an unknown current product becomes null.
 */
export function contextFor(world: World, req: ContextRequest): RecContext {
  const now = req.now ?? world.now;
  const idx = (id: string | null | undefined) => (id ? world.catalog.index.get(id) ?? null : null);
  const cart = (req.cart ?? []).map((id) => idx(id)).filter((i): i is number => i !== null);
  const base: RecContext = {
    placement: req.placement,
    now,
    customer: null,
    history: [],
    purchased: new Set(),
    item: idx(req.productId),
    cart: [...new Set(cart)],
    gift: req.gift ?? false,
    locale: req.locale ?? "en",
  };
  const id = req.customerId ?? null;
  const profile = id ? world.profiles.get(id) ?? null : null;
  if (profile?.optOut) return base;
  if (id && (profile || world.histories.has(id))) {
    base.customer = profile ?? { id, gender: null, ageGroup: null, country: null, avgOrderValue: null, segment: null, lifetimeValue: null, optOut: false };
    base.history = (world.histories.get(id) ?? []).filter((e) => e.at <= now);
    base.purchased = world.purchased.get(id) ?? new Set();
  } else if (id) {
    base.customer = { id, gender: null, ageGroup: null, country: null, avgOrderValue: null, segment: null, lifetimeValue: null, optOut: false };
  }
  if (req.liveEvents?.length && base.customer) {
    const live = req.liveEvents.filter((e) => e.at <= now);
    base.history = [...base.history, ...live];
    const bought = live.filter((e) => e.type === "purchase").map((e) => e.item);
    if (bought.length) base.purchased = new Set([...base.purchased, ...bought]);
  }
  if (req.recent?.length) {
    const views: Event[] = req.recent.map((r, j) => ({ item: idx(r) ?? -1, type: "view" as const, at: now - (req.recent!.length - j) * 1000 })).filter((e) => e.item >= 0);
    base.history = [...base.history, ...views];
  }
  return base;
}

